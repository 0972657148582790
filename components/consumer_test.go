package components

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/lambdabuild"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/modproxy"
)

const modulePath = "github.com/passwordgen/passwordgen"

// consumerProgram is a Pulumi program of another module that deploys the
// component with nil args. It documents the scenario: the test does not
// compile it, which would need the consumer's go.sum for Pulumi's whole
// dependency tree, something no offline `go mod tidy` can produce.
const consumerProgram = `package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/components"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := components.NewPasswordGenerator(ctx, "passwords", nil)
		return err
	})
}
`

// TestFunctionBuildsFromAnotherModule runs the component's real build from
// a Go module outside this repository, as `pulumi up` of a program that
// imports the component does: once with a replace directive to this
// checkout, once with this module fetched, as a published version, through
// a module proxy into the module cache. Neither consumer has the function's
// dependencies in its go.mod or go.sum. Each build must give a bootstrap
// that starts and answers, and the same zip as a build in this repository.
func TestFunctionBuildsFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the handler and starts it")
	}
	checkout, err := lambdabuild.ModuleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The host's architecture, so that the bootstrap can start here; nil
	// args would build arm64.
	args := &PasswordGeneratorArgs{Architecture: map[string]string{"amd64": "x86_64", "arm64": "arm64"}[runtime.GOARCH]}
	here := buildFunction(t, args)
	// The Go running this test, which this module's go line cannot exceed:
	// a module requiring it may declare no older one.
	goLine := strings.TrimPrefix(runtime.Version(), "go")

	t.Run("replace directive to this checkout", func(t *testing.T) {
		t.Chdir(consumerModule(t, goLine, "v0.0.0", "\nreplace "+modulePath+" => "+checkout+"\n", ""))
		checkBootstrap(t, buildFunction(t, args), here)
	})

	t.Run("published version in the module cache", func(t *testing.T) {
		published, goSum := modproxy.Publish(t, checkout, modulePath, "v0.0.1")
		// Everything but this module comes, offline, from the module cache
		// the repository's own builds filled.
		t.Setenv("GOPROXY", published+","+modproxy.Cache(t))
		t.Setenv("GOMODCACHE", modproxy.EmptyCache(t))
		t.Chdir(consumerModule(t, goLine, "v0.0.1", "", goSum))
		checkBootstrap(t, buildFunction(t, args), here)
	})
}

// buildFunction runs the component's build in the working directory and
// returns the zip's path.
func buildFunction(t *testing.T, args *PasswordGeneratorArgs) string {
	t.Helper()
	a := *args
	a.BuildDir = t.TempDir()
	s, err := resolve(testName, &a)
	if err != nil {
		t.Fatal(err)
	}
	archive, err := buildZip(context.Background(), s)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return archive.Path()
}

// consumerModule writes a module that requires this one at version, with
// extra go.mod lines and a go.sum, and imports the component.
func consumerModule(t *testing.T, goLine, version, extra, goSum string) string {
	t.Helper()
	dir := t.TempDir()
	gomod := "module example.com/infra\n\ngo " + goLine + "\n\nrequire " + modulePath + " " + version + "\n" + extra
	for name, content := range map[string]string{"go.mod": gomod, "go.sum": goSum, "main.go": consumerProgram} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkBootstrap checks that the zip holds a bootstrap that starts behind
// the Lambda Runtime API and answers an invocation, and that it is the same
// zip as want's.
func checkBootstrap(t *testing.T, zipPath, want string) {
	t.Helper()
	if got, want := fileSHA256(t, zipPath), fileSHA256(t, want); got != want {
		t.Errorf("zip SHA-256 %s, want %s as built in this repository", got, want)
	}
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	unzipBootstrap(t, zipPath, bootstrap)
	fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
		Binary: bootstrap,
		Env:    []string{"BUCKET_NAME=consumer-test"},
		Logs:   io.Discard,
	})
	if err != nil {
		t.Fatalf("start the bootstrap: %v", err)
	}
	defer fn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Answered without S3: the request is rejected before any write.
	res, err := fn.Invoke(ctx, []byte(`{"lenght": 20}`))
	if err != nil || !strings.Contains(string(res.Payload), `"statusCode":400`) || !strings.Contains(string(res.Payload), "length") {
		t.Fatalf("invocation = %s, %v; want a 400 suggesting length", res.Payload, err)
	}
}

// unzipBootstrap writes the zip's bootstrap to dst.
func unzipBootstrap(t *testing.T, zipPath, dst string) {
	t.Helper()
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	bin, err := fs.ReadFile(r, "bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, bin, 0o755); err != nil {
		t.Fatal(err)
	}
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
