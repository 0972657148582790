// Package lambdabuild compiles a Lambda main package into the `bootstrap`
// executable of the provided.al2023 runtime and packages it as the zip Lambda
// deploys. The Pulumi component builds with it at deploy time, tests and
// benchmarks build the very same binary with it.
package lambdabuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Options says what to build and where.
type Options struct {
	// Package is an import path, or a ./relative directory resolved against
	// the module root (not the working directory). Default "./handler".
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
	SHA256 string // hex digest of the zip; equal for equal sources
}

// Build compiles o.Package for linux/o.GOARCH and writes the deployment zip.
// It runs go from the root of the module that contains the working
// directory, so it behaves the same from the repository root (the Pulumi
// program) and from any package directory (tests).
func Build(ctx context.Context, o Options) (Artifact, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Artifact{}, err
	}
	root, err := ModuleRoot(ctx)
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
	if err := compile(ctx, root, o, a.Binary); err != nil {
		return Artifact{}, err
	}
	if a.SHA256, err = writeZip(a.Binary, a.Zip); err != nil {
		return Artifact{}, fmt.Errorf("package %s: %w", a.Zip, err)
	}
	return a, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Package == "" {
		o.Package = "./handler"
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
// honoured exactly as the build of the function will honour them.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := run(exec.CommandContext(ctx, "go", "env", "GOMOD"))
	if err != nil {
		return "", fmt.Errorf("locate the Go module: %w", err)
	}
	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("locate the Go module: the working directory is not inside a Go module")
	}
	return filepath.Dir(gomod), nil
}

func compile(ctx context.Context, root string, o Options, binary string) error {
	cmd := exec.CommandContext(ctx, "go", "build",
		"-tags", "lambda.norpc",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags", "-s -w",
		"-o", binary,
		o.Package)
	cmd.Dir = root
	// The microarchitecture levels are pinned so that a developer's GOAMD64 or
	// GOARM64 can neither produce a binary Lambda's CPUs cannot run nor change
	// the artifact's bytes.
	cmd.Env = append(os.Environ(),
		"GOOS=linux",
		"GOARCH="+o.GOARCH,
		"CGO_ENABLED=0",
		"GOAMD64=v1",
		"GOARM64=v8.0",
	)
	if _, err := run(cmd); err != nil {
		return fmt.Errorf("build %s for linux/%s: %w", o.Package, o.GOARCH, err)
	}
	return nil
}

// run returns the command's stdout; a failure carries its stderr, which is
// where go explains what went wrong.
func run(cmd *exec.Cmd) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	return stdout.String(), nil
}
