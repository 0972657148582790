// Package minio owns the MinIO server that stands in for S3 on this machine:
// the one pinned version, the cached build of it, and the server process,
// for the local stack (`make local`) and the integration tests alike. MinIO
// is the maintained, full-fidelity choice: versioning, conditional writes,
// object tags, lifecycle rules, SSE-KMS and IAM policies all behave as the
// stack relies on, and none of it is code of ours to keep faithful.
package minio

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The pinned server, the one place it is named: `make minio`, `make local`
// and the tests all build or expect exactly this module version. The
// upstream repository is archived; the module proxy still serves it.
const (
	Module  = "github.com/minio/minio"
	Version = "v0.0.0-20260212201848-7aac2a2c5b7c"
)

// BinaryEnv names the variable that moves the cached build elsewhere.
const BinaryEnv = "MINIO_BINARY"

// Path is where the pinned build is cached: $MINIO_BINARY, else
// $HOME/.cache/passwordgen/bin/minio.
func Path() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		return filepath.Abs(p)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locate the MinIO binary (set %s): %w", BinaryEnv, err)
	}
	return filepath.Join(home, ".cache", "passwordgen", "bin", "minio"), nil
}

// Cached returns the path of the cached build if it is the pinned version.
func Cached() (string, error) {
	path, err := Path()
	if err != nil {
		return "", err
	}
	if err := check(path); err != nil {
		return "", err
	}
	return path, nil
}

// check reports whether path is the pinned build. The version comes from the
// build information the Go toolchain records in the binary, so a binary
// built from another version is never taken for it.
func check(path string) error {
	info, err := buildinfo.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("no MinIO binary at %s", path)
	case err != nil:
		return fmt.Errorf("MinIO binary %s: %w", path, err)
	case info.Main.Path != Module || info.Main.Version != Version:
		return fmt.Errorf("MinIO binary %s is %s@%s, want %s@%s", path, info.Main.Path, info.Main.Version, Module, Version)
	}
	return nil
}

// Ensure returns the path of the pinned build, building it first if the
// cache holds none or another version. A build takes minutes, so it says
// so on progress before it starts. The new binary replaces the old in one
// rename: a server starting meanwhile runs either one, never half of one.
func Ensure(ctx context.Context, progress io.Writer) (string, error) {
	path, err := Path()
	if err != nil {
		return "", err
	}
	if check(path) == nil {
		return path, nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build MinIO: %w", err)
	}
	gobin, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", fmt.Errorf("build MinIO: %w", err)
	}
	defer os.RemoveAll(gobin)

	fmt.Fprintf(progress, "minio %s: building into %s; the first build takes 3-5 minutes, then it is cached\n", Version, path)
	cmd := exec.CommandContext(ctx, "go", "install", Module+"@"+Version)
	// Run outside any module, so that this checkout's go.mod plays no part.
	cmd.Dir = gobin
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	// The compilers go starts inherit its output pipe: without a bound, a
	// Ctrl-C would wait for them to finish on their own.
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build MinIO: go install %s@%s: %w\n%s", Module, Version, err, out)
	}
	if err := os.Rename(filepath.Join(gobin, "minio"), path); err != nil {
		return "", fmt.Errorf("build MinIO: %w", err)
	}
	if err := check(path); err != nil {
		return "", fmt.Errorf("build MinIO: %w", err)
	}
	return path, nil
}
