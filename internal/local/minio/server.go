package minio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

const (
	// readyTimeout is generous because a cold machine may need seconds to
	// map a 150 MB binary; a healthy start takes one or two.
	readyTimeout = 60 * time.Second
	// stopTimeout bounds the orderly shutdown; MinIO's takes well under a
	// second on loopback.
	stopTimeout = 10 * time.Second
	// logTail bounds how much of the server log an error carries.
	logTail = 16 << 10
)

// Config is one server to start.
type Config struct {
	Binary string // from Ensure or Cached
	// Addr is the host:port to serve S3 on; port 0 picks a free one.
	Addr string
	// Dir holds everything the server writes: the objects and its own
	// state under data/, its certs/ directory and minio.log.
	Dir  string
	Root Credentials // the administrator: at least 3 and 8 characters
	// KMSSecretKey is MinIO's built-in KMS key, "<name>:<base64 of 32
	// bytes>": objects stored with SSE-KMS under <name> can be read only
	// by a server given the same value.
	KMSSecretKey string
	Region       string
}

// Credentials are an access key and its secret.
type Credentials struct{ AccessKey, SecretKey string }

// Server is a running MinIO server.
type Server struct {
	Addr     net.Addr // where it listens
	Endpoint string   // http://<Addr>, for clients on this machine
	Root     Credentials
	Region   string

	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error // valid once exited is closed
}

// Start starts a server and waits until it serves S3 requests, or ctx ends
// (a Ctrl-C during a slow start). Stop it with Stop; it also dies with this
// process (on Linux).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	addr, err := reserve(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	logFile, err := os.Create(filepath.Join(cfg.Dir, "minio.log"))
	if err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	defer logFile.Close() // the child has its own copy once started

	cmd := exec.Command(cfg.Binary, "server", "--quiet", "--anonymous",
		"--address", addr.String(),
		"--certs-dir", filepath.Join(cfg.Dir, "certs"),
		dataDir(cfg.Dir))
	// A clean environment: a developer's own MINIO_* or AWS_* settings must
	// not change the server, nor its HOME collect files of ours.
	cmd.Env = []string{
		"HOME=" + cfg.Dir,
		"MINIO_ROOT_USER=" + cfg.Root.AccessKey,
		"MINIO_ROOT_PASSWORD=" + cfg.Root.SecretKey,
		"MINIO_KMS_SECRET_KEY=" + cfg.KMSSecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_SITE_REGION=" + cfg.Region,
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr()

	s := &Server{
		Addr:     addr,
		Endpoint: "http://" + addr.String(),
		Root:     cfg.Root,
		Region:   cfg.Region,
		cmd:      cmd,
		logPath:  logFile.Name(),
		exited:   make(chan struct{}),
	}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits, not the process; holding this thread until the
		// child is gone keeps the Go runtime from retiring it early.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// dataDir is where the server keeps the objects and its own state.
func dataDir(dir string) string { return filepath.Join(dir, "data") }

// Stored reports whether a server has stored anything in dir. A data
// directory it cannot read is an error, not "nothing stored": a caller that
// makes a new KMS key for an empty store must not make one over data.
func Stored(dir string) (bool, error) {
	entries, err := os.ReadDir(dataDir(dir))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look for stored data: %w", err)
	}
	return len(entries) > 0, nil
}

// reserve resolves addr to the address MinIO is to listen on, reporting a
// port already taken as the listen error it is (syscall.EADDRINUSE), not as
// a server that died. Port 0 becomes a free port. Another process could
// take the port before MinIO binds it; the server's log then says so.
func reserve(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	return ln.Addr(), nil
}

// waitReady polls until the server serves S3 requests, exits, or
// readyTimeout passes. The cluster check, not /minio/health/live: liveness
// answers 200 while the object layer and IAM are still initialising, and
// requests then fail with 503 XMinioServerNotInitialized.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(ctx, s.Endpoint) {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("MinIO exited before it was ready (%v):\n%s", s.waitErr, s.LogTail())
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return fmt.Errorf("start MinIO: %w", ctx.Err())
			}
			return fmt.Errorf("MinIO not ready after %s:\n%s", readyTimeout, s.LogTail())
		case <-tick.C:
		}
	}
}

func ready(ctx context.Context, endpoint string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/minio/health/cluster", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Exited is closed when the server process has ended, by Stop or not.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Err is why the server ended; valid once Exited is closed.
func (s *Server) Err() error { return s.waitErr }

// Stop shuts the server down in order, as on Ctrl-C, so that what it has
// acknowledged is on disk, and kills it if that takes longer than
// stopTimeout. It returns once the process is gone.
func (s *Server) Stop() {
	// Should the signal fail, the process is gone already or the kill
	// below ends it.
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// LogTail returns the end of the server's log, for error messages.
func (s *Server) LogTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > logTail {
		b = b[len(b)-logTail:]
	}
	return string(b)
}
