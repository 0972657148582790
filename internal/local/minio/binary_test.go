package minio_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

func TestPathIsTheCacheUnlessMoved(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(minio.BinaryEnv, "")
	if got, err := minio.Path(); err != nil || got != filepath.Join(home, ".cache/passwordgen/bin/minio") {
		t.Errorf("Path() = %q, %v; want it under $HOME/.cache/passwordgen/bin", got, err)
	}
	t.Chdir(home)
	t.Setenv(minio.BinaryEnv, "bin/minio")
	if got, err := minio.Path(); err != nil || got != filepath.Join(home, "bin/minio") {
		t.Errorf("Path() with %s relative = %q, %v; want it resolved against the working directory", minio.BinaryEnv, got, err)
	}
}

func TestCachedTakesOnlyThePinnedVersion(t *testing.T) {
	for _, tt := range []struct {
		name, binary, want string
	}{
		{"missing", filepath.Join(t.TempDir(), "minio"), "no MinIO binary at"},
		// This test binary records its own module, not MinIO's.
		{"another program", os.Args[0], "want " + minio.Module + "@" + minio.Version},
		{"not a program", script(t, t.TempDir(), "minio", ""), "MinIO binary"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(minio.BinaryEnv, tt.binary)
			if _, err := minio.Cached(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Cached() error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// fakeGo puts a `go` first on PATH that runs body, with $REAL_MINIO set to
// the pinned build, and returns the file its arguments are logged to.
func fakeGo(t *testing.T, body string) (calls string) {
	t.Helper()
	dir := t.TempDir()
	calls = filepath.Join(dir, "calls")
	script(t, dir, "go", "echo \"$@\" >> "+calls+"\n"+body)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}

func TestEnsureBuildsOnlyWhenTheCacheIsNotThePinnedVersion(t *testing.T) {
	t.Setenv("REAL_MINIO", miniotest.Binary(t))
	calls := fakeGo(t, `cp "$REAL_MINIO" "$GOBIN/minio"`)
	target := filepath.Join(t.TempDir(), "cache", "minio-server")
	t.Setenv(minio.BinaryEnv, target)

	var progress bytes.Buffer
	got, err := minio.Ensure(context.Background(), &progress)
	if err != nil || got != target {
		t.Fatalf("Ensure() = %q, %v; want %q", got, err, target)
	}
	if want := "building into " + target + "; the first build takes 3-5 minutes"; !strings.Contains(progress.String(), want) {
		t.Errorf("progress %q, want a line saying %q", progress.String(), want)
	}
	if b, _ := os.ReadFile(calls); string(b) != "install "+minio.Module+"@"+minio.Version+"\n" {
		t.Errorf("go was run as %q, want one go install of the pinned version", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(target), ".build-*")); len(left) > 0 {
		t.Errorf("build directories left behind: %v", left)
	}

	// Now cached: nothing is built or said.
	progress.Reset()
	os.Remove(calls)
	if got, err := minio.Ensure(context.Background(), &progress); err != nil || got != target {
		t.Fatalf("second Ensure() = %q, %v", got, err)
	}
	if _, err := os.Stat(calls); err == nil || progress.Len() > 0 {
		t.Errorf("a cached build was built again (progress %q)", progress.String())
	}
}

func TestEnsureReportsAFailedBuild(t *testing.T) {
	fakeGo(t, "echo 'go: module lookup disabled' >&2; exit 1")
	target := filepath.Join(t.TempDir(), "minio")
	t.Setenv(minio.BinaryEnv, target)
	_, err := minio.Ensure(context.Background(), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "go: module lookup disabled") {
		t.Errorf("Ensure() error %v, want it to carry go's output", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("a failed build left a binary in the cache")
	}
}

// script writes a shell script named name into dir and returns its path.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}
