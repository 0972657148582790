package lambdabuild_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/passwordgen/passwordgen/internal/lambdabuild"
	"github.com/passwordgen/passwordgen/internal/testkit/modproxy"
)

const (
	fnPackage     = "github.com/passwordgen/passwordgen/internal/lambdabuild/testdata/fn"
	brokenPackage = "github.com/passwordgen/passwordgen/internal/lambdabuild/testdata/broken"
)

func build(t *testing.T, o lambdabuild.Options) lambdabuild.Artifact {
	t.Helper()
	if o.OutDir == "" {
		o.OutDir = t.TempDir()
	}
	a, err := lambdabuild.Build(context.Background(), o)
	if err != nil {
		t.Fatalf("Build(%+v): %v", o, err)
	}
	return a
}

func TestBuildTargetsLambdaArchitecture(t *testing.T) {
	tests := []struct {
		goarch  string
		machine elf.Machine
	}{
		{"", elf.EM_AARCH64}, // Lambda's cheaper architecture is the default
		{"arm64", elf.EM_AARCH64},
		{"amd64", elf.EM_X86_64},
	}
	for _, tt := range tests {
		t.Run("GOARCH="+tt.goarch, func(t *testing.T) {
			a := build(t, lambdabuild.Options{Package: fnPackage, GOARCH: tt.goarch})
			f, err := elf.Open(a.Binary)
			if err != nil {
				t.Fatalf("bootstrap is not an ELF executable: %v", err)
			}
			defer f.Close()
			if f.Machine != tt.machine {
				t.Errorf("machine = %v, want %v", f.Machine, tt.machine)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("bootstrap needs a dynamic loader; want a static binary (CGO_ENABLED=0)")
				}
			}
			if f.Section(".symtab") != nil {
				t.Error("bootstrap has a symbol table; want it stripped (-s)")
			}
		})
	}
}

func TestBuildZipHoldsOnlyExecutableBootstrap(t *testing.T) {
	a := build(t, lambdabuild.Options{Package: fnPackage, GOARCH: runtime.GOARCH})
	if filepath.Base(a.Binary) != "bootstrap" || filepath.Base(a.Zip) != "function.zip" {
		t.Fatalf("artifact paths = %s, %s", a.Binary, a.Zip)
	}

	zr, err := zip.OpenReader(a.Zip)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("zip has %d entries, want exactly 1", len(zr.File))
	}
	entry := zr.File[0]
	if entry.Name != "bootstrap" {
		t.Errorf("entry name = %q, want bootstrap", entry.Name)
	}
	if mode := entry.Mode(); !mode.IsRegular() || mode.Perm() != 0o755 {
		t.Errorf("entry mode = %v, want -rwxr-xr-x", mode)
	}
	if entry.Method != zip.Deflate {
		t.Errorf("entry method = %d, want Deflate", entry.Method)
	}
	rc, err := entry.Open()
	if err != nil {
		t.Fatal(err)
	}
	packed, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	binary, err := os.ReadFile(a.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(packed, binary) {
		t.Error("zipped bootstrap differs from the built binary")
	}

	zipped, err := os.ReadFile(a.Zip)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(zipped); a.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("SHA256 = %s, want the digest of %s", a.SHA256, a.Zip)
	}

	if runtime.GOOS == "linux" {
		out, err := exec.Command(a.Binary).Output()
		if err != nil || strings.TrimSpace(string(out)) != "lambdabuild test binary" {
			t.Errorf("running bootstrap: output %q, error %v", out, err)
		}
	}
}

// TestBuildIsReproducible builds twice as two machines would: the second
// time from another directory, with empty build and module caches filled
// offline from the first one's module cache, and with every variable that
// would change the binary if it reached the compiler or linker. The zips
// must be equal, and the binary built by the toolchain go.mod pins.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the standard library from an empty build cache")
	}
	first := build(t, lambdabuild.Options{Package: fnPackage})

	t.Chdir(filepath.Join("testdata", "fn"))
	for k, v := range map[string]string{
		"GOCACHE":      t.TempDir(),
		"GOPATH":       t.TempDir(),
		"GOMODCACHE":   modproxy.EmptyCache(t),
		"GOPROXY":      modproxy.Cache(t),
		"GOFLAGS":      "-gcflags=all=-N",
		"GOEXPERIMENT": "jsonv2",
		"GOFIPS140":    "latest",
		"GOAMD64":      "v3",
		"GOARM64":      "v9.0",
		"CGO_ENABLED":  "1",
		"GOTOOLCHAIN":  "local",
	} {
		t.Setenv(k, v)
	}
	second := build(t, lambdabuild.Options{Package: fnPackage})
	if first.SHA256 != second.SHA256 {
		t.Errorf("two builds of the same source: SHA256 %s then %s", first.SHA256, second.SHA256)
	}

	info, err := buildinfo.ReadFile(second.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if pin := pinnedToolchain(t); info.GoVersion != pin {
		t.Errorf("bootstrap built by %s, want %s, the toolchain go.mod pins", info.GoVersion, pin)
	}
}

// goEnv is one go setting of this test process.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// pinnedToolchain is the toolchain line of the repository's go.mod.
func pinnedToolchain(t *testing.T) string {
	t.Helper()
	path := goEnv(t, "GOMOD")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil || f.Toolchain == nil {
		t.Fatalf("%s has no toolchain line (%v)", path, err)
	}
	return f.Toolchain.Name
}

func TestBuildWorksFromAnyDirectoryOfTheModule(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, "internal", "lambdabuild", "testdata", "fn")} {
		t.Run(dir, func(t *testing.T) {
			t.Chdir(dir)
			build(t, lambdabuild.Options{Package: fnPackage, GOARCH: runtime.GOARCH})
		})
	}
}

func TestBuildFailures(t *testing.T) {
	out := t.TempDir() // no failing build may write here, so the cases share it
	tests := []struct {
		name    string
		dir     string // working directory; "" keeps the package directory
		opts    lambdabuild.Options
		wantErr string
	}{
		{
			name:    "compile error carries the compiler's message",
			opts:    lambdabuild.Options{Package: brokenPackage, OutDir: out},
			wantErr: `cannot use "forty-two"`,
		},
		{
			name:    "missing package",
			opts:    lambdabuild.Options{Package: "github.com/passwordgen/passwordgen/internal/lambdabuild/testdata/absent", OutDir: out},
			wantErr: "testdata/absent",
		},
		{
			name:    "module the working directory's module does not require",
			opts:    lambdabuild.Options{Package: "example.com/elsewhere/cmd/fn", OutDir: out},
			wantErr: "it must require example.com/elsewhere/cmd/fn's module",
		},
		{
			name:    "not a main package",
			opts:    lambdabuild.Options{Package: "github.com/passwordgen/passwordgen/internal/naming", OutDir: out},
			wantErr: "it is package naming, not a main package",
		},
		{
			name:    "standard library",
			opts:    lambdabuild.Options{Package: "fmt", OutDir: out},
			wantErr: "not in a module",
		},
		{
			name:    "directory instead of import path",
			opts:    lambdabuild.Options{Package: "./handler", OutDir: out},
			wantErr: "give an import path, such as github.com/passwordgen/passwordgen/handler",
		},
		{
			name:    "outside any module",
			dir:     t.TempDir(),
			opts:    lambdabuild.Options{Package: fnPackage, OutDir: out},
			wantErr: "not inside a Go module",
		},
		{
			name:    "Lambda's name for amd64 is not a GOARCH",
			opts:    lambdabuild.Options{Package: fnPackage, GOARCH: "x86_64", OutDir: out},
			wantErr: `GOARCH "x86_64"`,
		},
		{
			name:    "architecture Lambda does not run",
			opts:    lambdabuild.Options{Package: fnPackage, GOARCH: "riscv64", OutDir: out},
			wantErr: `GOARCH "riscv64"`,
		},
		{
			name:    "no output directory",
			opts:    lambdabuild.Options{Package: fnPackage, OutDir: ""},
			wantErr: "no OutDir given",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.dir != "" {
				t.Chdir(tt.dir)
			}
			_, err := lambdabuild.Build(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Build error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestBuildRejectsUnsupportedGOARCHBeforeWriting(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	_, err := lambdabuild.Build(context.Background(), lambdabuild.Options{Package: fnPackage, GOARCH: "386", OutDir: out})
	if err == nil {
		t.Fatal("Build accepted GOARCH 386")
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Errorf("output directory exists after a rejected GOARCH (stat: %v)", statErr)
	}
}

func TestOnceBuildsOnceAndRemovesItsDirectory(t *testing.T) {
	once := lambdabuild.Once{Options: lambdabuild.Options{Package: fnPackage, GOARCH: runtime.GOARCH}}
	first, err := once.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(first.Binary)
	if err != nil {
		t.Fatal(err)
	}
	second, err := once.Build(context.Background())
	if err != nil || second != first {
		t.Fatalf("second Build = %+v, %v; want the first result %+v", second, err, first)
	}
	if after, err := os.Stat(first.Binary); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Fatal("the second Build rebuilt the binary")
	}
	if err := once.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(first.Binary)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("build directory still there after Remove: %v", err)
	}
}
