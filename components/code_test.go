package components

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"
)

// writeZip writes a zip holding one file per entry, with the given modes.
func writeZip(t *testing.T, name string, entries map[string]os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(f)
	for entry, mode := range entries {
		h := &zip.FileHeader{Name: entry, Method: zip.Deflate}
		h.SetMode(mode)
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte("#!/bin/sh\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrebuiltZipIsShippedAsIs(t *testing.T) {
	path := writeZip(t, "function.zip", map[string]os.FileMode{"bootstrap": 0o755})
	m, _, err := deploy(testName, &PasswordGeneratorArgs{CodeZip: path})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	fn, _ := m.Named(testName + "-function")
	code, ok := fn.Inputs["code"].(*archive.Archive)
	if !ok {
		t.Fatalf("code = %#v, want an archive", fn.Inputs["code"])
	}
	if code.Path != path || code.Assets != nil {
		t.Errorf("code archive = path %q, assets %v; want the file %q itself", code.Path, code.Assets, path)
	}
}

func TestUnusablePrebuiltZipIsRejected(t *testing.T) {
	cases := []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"missing file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope.zip") }, "no such file"},
		{"not a zip name", func(t *testing.T) string {
			return writeZip(t, "function.tar", map[string]os.FileMode{"bootstrap": 0o755})
		}, "must end in .zip"},
		{"not a zip", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "function.zip")
			if err := os.WriteFile(p, []byte("not a zip"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}, "not a valid zip"},
		{"no bootstrap", func(t *testing.T) string {
			return writeZip(t, "function.zip", map[string]os.FileMode{"main": 0o755})
		}, "no bootstrap at the root"},
		{"bootstrap in a folder", func(t *testing.T) string {
			return writeZip(t, "function.zip", map[string]os.FileMode{"bin/bootstrap": 0o755})
		}, "no bootstrap at the root"},
		{"bootstrap not executable", func(t *testing.T) string {
			return writeZip(t, "function.zip", map[string]os.FileMode{"bootstrap": 0o644})
		}, "not an executable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _, err := deploy(testName, &PasswordGeneratorArgs{CodeZip: tc.path(t)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("deploy error = %v, want one mentioning %q", err, tc.want)
			}
			if rs := m.Resources(); len(rs) != 0 {
				t.Errorf("%d resources registered, want none", len(rs))
			}
		})
	}
}

// TestBuildTargetsTheFunctionArchitecture compiles the real handler the way
// `pulumi up` does and checks the bootstrap Lambda would run.
func TestBuildTargetsTheFunctionArchitecture(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the handler")
	}
	for arch, machine := range map[string]elf.Machine{"arm64": elf.EM_AARCH64, "x86_64": elf.EM_X86_64} {
		t.Run(arch, func(t *testing.T) {
			s, err := resolve(testName, &PasswordGeneratorArgs{Architecture: arch, BuildDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			a, err := buildZip(context.Background(), s)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if !strings.HasPrefix(a.Path(), s.buildDir) || !strings.HasSuffix(a.Path(), ".zip") {
				t.Fatalf("archive %q, want a .zip in %s", a.Path(), s.buildDir)
			}
			r, err := zip.OpenReader(a.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if len(r.File) != 1 || r.File[0].Name != "bootstrap" || r.File[0].Mode()&0o111 == 0 {
				t.Fatalf("zip holds %v, want one executable bootstrap", r.File)
			}
			checkELF(t, r.File[0], machine)
		})
	}
}

func checkELF(t *testing.T, f *zip.File, machine elf.Machine) {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	bin, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("bootstrap is not an ELF binary: %v", err)
	}
	if exe.Machine != machine || exe.OSABI != elf.ELFOSABI_NONE && exe.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("bootstrap is %v/%v, want %v for Linux", exe.Machine, exe.OSABI, machine)
	}
}
