package minio_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// A taken port is reported as such before any server is started, so the
// local command can tell the user to choose another address.
func TestStartReportsATakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = minio.Start(context.Background(), minio.Config{Binary: "/nonexistent/minio", Addr: ln.Addr().String(), Dir: t.TempDir()})
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Start on a taken port: %v, want EADDRINUSE naming %s", err, ln.Addr())
	}
}

// A stop asked for while the server starts (Ctrl-C during `make local`)
// ends the wait at once and leaves no server behind.
func TestStartEndsWithItsContext(t *testing.T) {
	bin := miniotest.Binary(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	start := time.Now()
	_, err := minio.Start(ctx, minio.Config{
		Binary: bin, Addr: "127.0.0.1:0", Dir: dir,
		Root: minio.Credentials{AccessKey: "minioadmin", SecretKey: "minioadmin"},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Start with a cancelled context: %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 15*time.Second {
		t.Errorf("Start took %s to give up", elapsed)
	}
}
