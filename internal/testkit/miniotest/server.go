// Package miniotest runs one real MinIO server per test binary, so tests of
// S3 writes exercise real conditional writes, versioning and server-side
// encryption instead of a fake that only agrees with our own assumptions.
//
// A test binary that uses it calls Main from TestMain; tests call Start.
package miniotest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// Server is a running MinIO server. The fields are what a client needs to
// reach it; KMSKeyName is the one KMS key the server knows, for SSE-KMS.
type Server struct {
	Endpoint   string // http://127.0.0.1:<port>
	AccessKey  string
	SecretKey  string
	Region     string
	KMSKeyName string

	proc *process
}

var (
	mainRunning atomic.Bool

	startOnce sync.Once
	shared    *Server
	startErr  error
)

// Main runs the tests of a package and then stops the server if a test
// started one. Call it from TestMain:
//
//	func TestMain(m *testing.M) { miniotest.Main(m) }
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main for a TestMain that has its own cleanup to do afterwards: it
// returns the exit code instead of exiting.
func Run(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()
	if shared != nil {
		if code != 0 {
			shared.proc.showLog(os.Stderr)
		}
		shared.proc.stop()
	}
	return code
}

// Start returns the server of this test binary, starting it on first use.
// Under -short, or when the binary is missing outside CI, the test is
// skipped; in CI (CI=true) a missing binary fails the test, so CI can never
// pass by silently skipping what it is there to check.
func Start(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a MinIO server; skipped under -short")
	}
	if !mainRunning.Load() {
		t.Fatal("miniotest: call miniotest.Main from TestMain, so the server is stopped after the tests")
	}
	bin, err := binary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("miniotest: %v", err)
		}
		t.Skipf("miniotest: %v (run `make minio`)", err)
	}
	startOnce.Do(func() { shared, startErr = start(bin) })
	if startErr != nil {
		t.Fatalf("miniotest: %v", startErr)
	}
	return shared
}

// binary finds the MinIO executable: $MINIO_BINARY, else where `make minio`
// puts it.
func binary() (string, error) {
	path := os.Getenv("MINIO_BINARY")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("locate MinIO binary: %w", err)
		}
		path = home + "/.cache/passwordgen/bin/minio"
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("no MinIO binary at %s", path)
	case err != nil:
		return "", fmt.Errorf("MinIO binary: %w", err)
	case info.IsDir() || info.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("MinIO binary %s is not executable", path)
	}
	return path, nil
}
