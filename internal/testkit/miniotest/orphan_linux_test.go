package miniotest_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// childMode makes this test binary, run by TestNoServerOutlivesItsTests,
// start a server, report its process and then end the way the mode says.
const childMode = "MINIOTEST_CHILD_MODE"

func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childMode)
	if mode == "" {
		t.Skip("helper for TestNoServerOutlivesItsTests")
	}
	srv := miniotest.Start(t)
	fmt.Printf("minio-pid=%d\n", serverPID(t, srv))
	if mode == "panic" {
		panic("test binary dies without cleanup")
	}
}

// TestNoServerOutlivesItsTests runs a test binary that starts a server and
// then either finishes normally or panics: either way the server must be
// gone afterwards.
func TestNoServerOutlivesItsTests(t *testing.T) {
	miniotest.Start(t) // skips or fails exactly when a child could not start one
	for _, mode := range []string{"normal", "panic"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
			// A child that panics cannot remove its server's files: keep
			// them where this test's cleanup removes them.
			cmd.Env = append(os.Environ(), childMode+"="+mode, "TMPDIR="+t.TempDir())
			out, err := cmd.Output()
			if mode == "normal" && err != nil {
				t.Fatalf("child test binary failed: %v\n%s", err, out)
			}
			pid := 0
			for line := range strings.Lines(string(out)) {
				fmt.Sscanf(line, "minio-pid=%d", &pid)
			}
			if pid == 0 {
				t.Fatalf("child reported no MinIO process:\n%s", out)
			}
			deadline := time.Now().Add(10 * time.Second)
			for alive(pid) {
				if time.Now().After(deadline) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("MinIO (pid %d) still running after its test binary exited", pid)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// serverPID finds the MinIO child of this process by its listening address,
// since the package rightly does not expose its process.
func serverPID(t *testing.T, srv *miniotest.Server) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(string(cmdline), addr) && ppid(pid) == os.Getpid() {
			return pid
		}
	}
	t.Fatalf("no child process serving %s", addr)
	return 0
}

func ppid(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		var p int
		if _, err := fmt.Sscanf(s.Text(), "PPid: %d", &p); err == nil {
			return p
		}
	}
	return 0
}

// alive reports whether pid is a running process; a zombie (exited, not yet
// reaped by whoever inherited it) counts as gone.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}
