package miniotest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

const (
	region     = "us-east-1"
	kmsKeyName = "miniotest-key"

	// readyTimeout is generous because a cold CI machine may need seconds
	// to map a 150 MB binary; a healthy start takes one or two.
	readyTimeout = 60 * time.Second

	// logTail bounds how much of the server log a failure prints.
	logTail = 16 << 10
)

// process is the MinIO child process and the files it owns.
type process struct {
	cmd     *exec.Cmd
	dir     string // data, certs and log; removed by stop
	logPath string
	exited  chan struct{}
	waitErr error // valid once exited is closed
}

func start(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "miniotest-")
	if err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	srv, err := launch(bin, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return srv, nil
}

func launch(bin, dir string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	srv := &Server{
		Endpoint:   "http://" + addr,
		AccessKey:  randomHex(10),
		SecretKey:  randomHex(20),
		Region:     region,
		KMSKeyName: kmsKeyName,
	}
	logFile, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	defer logFile.Close()

	cmd := exec.Command(bin, "server", "--quiet", "--anonymous",
		"--address", addr,
		"--certs-dir", filepath.Join(dir, "certs"),
		filepath.Join(dir, "data"))
	// A clean environment: a developer's own MINIO_* or AWS_* settings
	// must not change the server the tests see.
	cmd.Env = []string{
		"HOME=" + dir,
		"MINIO_ROOT_USER=" + srv.AccessKey,
		"MINIO_ROOT_PASSWORD=" + srv.SecretKey,
		"MINIO_KMS_SECRET_KEY=" + kmsKeyName + ":" + base64.StdEncoding.EncodeToString(randomBytes(32)),
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_SITE_REGION=" + region,
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	setParentDeathSignal(cmd)

	p := &process{cmd: cmd, dir: dir, logPath: logFile.Name(), exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits, not the process; holding this thread until the
		// child is gone keeps the runtime from retiring it early.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	srv.proc = p
	if err := p.waitReady(srv.Endpoint); err != nil {
		p.stop()
		return nil, err
	}
	return srv, nil
}

// waitReady polls until the server serves S3 requests, exits, or
// readyTimeout passes. The cluster check, not /minio/health/live: liveness
// answers 200 while the object layer and IAM are still initialising, and
// requests then fail with 503 XMinioServerNotInitialized.
func (p *process) waitReady(endpoint string) error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(ctx, endpoint) {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("MinIO exited before it was ready (%v):\n%s", p.waitErr, p.tail())
		case <-ctx.Done():
			return fmt.Errorf("MinIO not ready after %s:\n%s", readyTimeout, p.tail())
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

// stop kills the server and removes its files. The data is throwaway, so
// there is nothing to shut down gracefully.
func (p *process) stop() {
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		fmt.Fprintf(os.Stderr, "miniotest: kill MinIO: %v\n", err)
	}
	<-p.exited
	os.RemoveAll(p.dir)
}

func (p *process) showLog(w io.Writer) {
	fmt.Fprintf(w, "miniotest: MinIO log (%s):\n%s\n", p.logPath, p.tail())
}

// tail returns the end of the server log.
func (p *process) tail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > logTail {
		b = b[len(b)-logTail:]
	}
	return string(b)
}

// freeAddr asks the kernel for a free loopback port. Another process could
// take it before MinIO binds; on a test machine that window is negligible.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }
