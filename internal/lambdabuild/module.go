package lambdabuild

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// source is the module a package is built in.
type source struct {
	dir       string // its root: a checkout, or its copy in the module cache
	gomod     string // its go.mod, which pins the toolchain
	toolchain string
}

// locate finds the copy of pkg's module that the working directory's module
// uses, as the caller's go command resolves it (replace directives, go.work
// and -modfile included).
//
// The build then runs in that module rather than in the caller's: there its
// own go.sum covers every package the function imports, whereas a caller's
// go.sum, trimmed by `go mod tidy` to what the caller's packages import,
// lacks the function's dependencies; and the function's dependency versions,
// hence its bytes, stay those its own go.mod selects, whatever else the
// caller's module requires.
func locate(ctx context.Context, pkg string) (source, error) {
	// -find loads the package alone, not its imports, so this needs none of
	// the caller's go.sum entries for the function's dependencies; an
	// explicit -mod=readonly overrides a -mod=vendor in the caller's GOFLAGS
	// (vendor directories hold no packages the caller does not import).
	out, err := run(exec.CommandContext(ctx, "go", "list", "-mod=readonly", "-find", "-json=Name,Module", pkg))
	if err != nil {
		return source{}, fmt.Errorf("locate %s from the module of the working directory (it must require %s's module): %w", pkg, pkg, err)
	}
	var p struct {
		Name   string
		Module *struct{ Dir string }
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		return source{}, fmt.Errorf("locate %s: read go list: %w", pkg, err)
	}
	switch {
	case p.Module == nil || p.Module.Dir == "":
		return source{}, fmt.Errorf("locate %s: it is not in a module whose source is on this machine", pkg)
	case p.Name != "main":
		return source{}, fmt.Errorf("locate %s: it is package %s, not a main package", pkg, p.Name)
	}
	// The go.mod the build will use, not GoMod: that may be the caller's
	// -modfile, or the module cache's separate copy.
	gomod := filepath.Join(p.Module.Dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return source{}, fmt.Errorf("locate %s: %w", pkg, err)
	}
	toolchain, err := pinnedToolchain(gomod, data)
	if err != nil {
		return source{}, err
	}
	return source{dir: p.Module.Dir, gomod: gomod, toolchain: toolchain}, nil
}

// pinnedToolchain reads the toolchain line of a go.mod. The line is
// required: without it the Go that happens to be installed would compile
// the function, and its version is embedded in the binary.
func pinnedToolchain(file string, data []byte) (string, error) {
	f, err := modfile.Parse(file, data, nil)
	if err != nil {
		return "", fmt.Errorf("read the toolchain pin: %w", err)
	}
	if f.Toolchain == nil || f.Toolchain.Name == "default" {
		return "", errors.New("read the toolchain pin: " + file + " has no toolchain line (toolchain go1.X.Y) naming the Go that builds the function")
	}
	return f.Toolchain.Name, nil
}
