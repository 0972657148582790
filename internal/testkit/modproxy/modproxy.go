// Package modproxy gives tests that run the go command the module proxies
// and caches a fresh machine or a consumer of this module would have,
// offline: the machine's module cache served as a proxy, an empty module
// cache, and a module directory published as a version.
package modproxy

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// Cache returns a GOPROXY that serves every module version this machine's
// module cache has downloaded, without the network.
func Cache(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	return fileURL(filepath.Join(strings.TrimSpace(string(out)), "cache", "download"))
}

// EmptyCache returns a new directory to use as GOMODCACHE, removed at the
// end of the test although Go makes a module cache read-only.
func EmptyCache(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	// Registered after TempDir's own cleanup, so it runs before it.
	t.Cleanup(func() {
		cmd := exec.Command("go", "clean", "-modcache")
		cmd.Env = append(os.Environ(), "GOMODCACHE="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go clean -modcache: %v: %s", err, out)
		}
	})
	return dir
}

// Publish serves the module in dir as path@version from a new proxy, and
// returns that GOPROXY and the go.sum lines a module requiring it holds.
func Publish(t testing.TB, dir, path, version string) (proxy, goSum string) {
	t.Helper()
	root := t.TempDir()
	versions := filepath.Join(root, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	if err := modzip.CreateFromDir(&zipped, module.Version{Path: path, Version: version}, dir); err != nil {
		t.Fatalf("zip %s: %v", dir, err)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2026-01-01T00:00:00Z"}`),
		version + ".mod":  gomod,
		version + ".zip":  zipped.Bytes(),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(versions, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zipSum, err := dirhash.HashZip(filepath.Join(versions, version+".zip"), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	modSum, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gomod)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fileURL(root), path + " " + version + " " + zipSum + "\n" + path + " " + version + "/go.mod " + modSum + "\n"
}

func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }
