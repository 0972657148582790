// Package lambdabuild compiles a Lambda main package into the `bootstrap`
// executable of the provided.al2023 runtime and packages it as the zip Lambda
// deploys. The Pulumi component builds with it at deploy time, tests and
// benchmarks build the very same binary with it.
//
// A build gives the same bytes on every machine for the same module source:
// it runs inside the module that provides the package, as that module's main
// module, with the Go toolchain its go.mod pins and an environment made here
// rather than inherited (see buildEnv), so neither the caller's Go version,
// GOFLAGS, caches and working directory nor the module that asked for the
// build can change the zip.
package lambdabuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Function is the import path of the password generator's function, the
// package Build compiles unless told otherwise.
const Function = "github.com/passwordgen/passwordgen/handler"

// Options says what to build and where.
type Options struct {
	// Package is the import path of a main package (default Function). The
	// module the working directory is in must require the package's module,
	// or be it: that module decides which copy of it is built.
	Package string
	// GOARCH is "arm64" (default) or "amd64", Lambda's two architectures.
	// runtime.GOARCH builds a binary this (Linux) machine can run.
	GOARCH string
	// OutDir receives bootstrap and function.zip; created if needed. A
	// relative OutDir is resolved against the working directory.
	OutDir string
}

// Artifact is the result of a build.
type Artifact struct {
	Binary string // <OutDir>/bootstrap
	Zip    string // <OutDir>/function.zip
	SHA256 string // hex digest of the zip; equal for equal module sources
}

// Build compiles o.Package for linux/o.GOARCH and writes the deployment zip.
func Build(ctx context.Context, o Options) (Artifact, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Artifact{}, err
	}
	caller, err := goEnv(ctx, append([]string{"GOMOD"}, callerSettings...)...)
	if err != nil {
		return Artifact{}, err
	}
	if _, err := moduleFile(caller); err != nil {
		return Artifact{}, err
	}
	src, err := locate(ctx, o.Package)
	if err != nil {
		return Artifact{}, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("create output directory: %w", err)
	}
	a := Artifact{
		Binary: filepath.Join(o.OutDir, "bootstrap"),
		Zip:    filepath.Join(o.OutDir, "function.zip"),
	}
	env := buildEnv(os.Environ(), caller, target{toolchain: src.toolchain, goarch: o.GOARCH})
	if err := compile(ctx, src, o, env, a.Binary); err != nil {
		return Artifact{}, err
	}
	if a.SHA256, err = writeZip(a.Binary, a.Zip); err != nil {
		return Artifact{}, fmt.Errorf("package %s: %w", a.Zip, err)
	}
	return a, nil
}

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Package == "":
		o.Package = Function
	case build.IsLocalImport(o.Package) || filepath.IsAbs(o.Package):
		// A directory would be resolved against the working directory by
		// one go command and against the module root by the next.
		return o, fmt.Errorf("package %q: give an import path, such as %s", o.Package, Function)
	}
	switch o.GOARCH {
	case "":
		o.GOARCH = "arm64"
	case "arm64", "amd64":
	default:
		return o, fmt.Errorf("GOARCH %q: Lambda runs arm64 or amd64", o.GOARCH)
	}
	if o.OutDir == "" {
		return o, errors.New("no OutDir given")
	}
	out, err := filepath.Abs(o.OutDir)
	if err != nil {
		return o, fmt.Errorf("OutDir %q: %w", o.OutDir, err)
	}
	o.OutDir = out
	return o, nil
}

// ModuleRoot is the directory of the Go module the working directory is
// in, as the go command sees it, so that GOFLAGS=-modfile and go.work are
// honoured.
func ModuleRoot(ctx context.Context) (string, error) {
	env, err := goEnv(ctx, "GOMOD")
	if err != nil {
		return "", err
	}
	gomod, err := moduleFile(env)
	if err != nil {
		return "", err
	}
	return filepath.Dir(gomod), nil
}

// moduleFile is the go.mod of the working directory's module, from a goEnv
// result that holds GOMOD.
func moduleFile(env map[string]string) (string, error) {
	gomod := env["GOMOD"]
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("locate the Go module: the working directory is not inside a Go module")
	}
	return gomod, nil
}

func compile(ctx context.Context, src source, o Options, env []string, binary string) error {
	cmd := exec.CommandContext(ctx, "go", "build",
		// The module's go.mod and go.sum are used as they are, never
		// updated: in the module cache they cannot be.
		"-mod=readonly",
		"-tags", "lambda.norpc",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags", "-s -w",
		"-o", binary,
		o.Package)
	cmd.Dir = src.dir
	cmd.Env = env
	if _, err := run(cmd); err != nil {
		return fmt.Errorf("build %s for linux/%s with %s, the toolchain %s pins, in %s: %w",
			o.Package, o.GOARCH, src.toolchain, src.gomod, src.dir, err)
	}
	return nil
}

// waitDelay bounds the wait for a cancelled go command's output: the
// compilers it started inherit its pipes and may outlive it, and Wait would
// otherwise block until they exit, however long after the cancel.
const waitDelay = 5 * time.Second

// run returns the command's stdout; a failure carries its stderr, which is
// where go explains what went wrong.
func run(cmd *exec.Cmd) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = waitDelay
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	return stdout.String(), nil
}
