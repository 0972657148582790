package minio_test

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/passwordgen/passwordgen/internal/local/minio"
)

// A taken port is reported as such before any server is started, so the
// local command can tell the user to choose another address.
func TestStartReportsATakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = minio.Start(minio.Config{Binary: "/nonexistent/minio", Addr: ln.Addr().String(), Dir: t.TempDir()})
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Start on a taken port: %v, want EADDRINUSE naming %s", err, ln.Addr())
	}
}
