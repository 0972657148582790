// Package miniotest runs one real MinIO server per test binary, so tests of
// S3 writes exercise real conditional writes, versioning and server-side
// encryption instead of a fake that only agrees with our own assumptions.
// It is the test side of internal/local/minio: a throwaway server in a
// temporary directory, on a free port, with random credentials.
//
// A test binary that uses it calls Main from TestMain; tests call Start.
package miniotest

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/passwordgen/passwordgen/internal/local/minio"
)

// Server is a running MinIO server. The fields are what a client needs to
// reach it; KMSKeyName is the one KMS key the server knows, for SSE-KMS.
type Server struct {
	Endpoint   string // http://127.0.0.1:<port>
	AccessKey  string
	SecretKey  string
	Region     string
	KMSKeyName string

	proc *minio.Server
	dir  string // everything the server wrote; removed by stop
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
			fmt.Fprintf(os.Stderr, "miniotest: MinIO log:\n%s\n", shared.proc.LogTail())
		}
		shared.stop()
	}
	return code
}

// Start returns the server of this test binary, starting it on first use.
// It skips or fails the test as Binary does.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	if !mainRunning.Load() {
		t.Fatal("miniotest: call miniotest.Main from TestMain, so the server is stopped after the tests")
	}
	startOnce.Do(func() { shared, startErr = start(bin) })
	if startErr != nil {
		t.Fatalf("miniotest: %v", startErr)
	}
	return shared
}

// Binary returns the cached build of the pinned MinIO, for tests that start
// a server of their own. Under -short, or outside CI when the build is
// missing or another version, the test is skipped; in CI (CI=true) that
// fails the test, so CI can never pass by silently skipping what it is
// there to check. Tests never build MinIO themselves: a build takes minutes
// (`make minio` does it once).
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a MinIO server; skipped under -short")
	}
	bin, err := minio.Cached()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("miniotest: %v (run `make minio`)", err)
		}
		t.Skipf("miniotest: %v (run `make minio`)", err)
	}
	return bin
}
