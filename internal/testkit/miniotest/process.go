package miniotest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/passwordgen/passwordgen/internal/local/minio"
)

const (
	region     = "us-east-1"
	kmsKeyName = "miniotest-key"
)

// start runs a throwaway server: its files in a new temporary directory, a
// free loopback port, and credentials and a KMS key no other server has.
func start(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "miniotest-")
	if err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	proc, err := minio.Start(context.Background(), minio.Config{
		Binary: bin,
		Addr:   "127.0.0.1:0",
		Dir:    dir,
		// MinIO allows access keys of at most 20 characters.
		Root:         minio.Credentials{AccessKey: rand.Text()[:20], SecretKey: rand.Text()},
		KMSSecretKey: kmsKeyName + ":" + base64.StdEncoding.EncodeToString(randomBytes(32)),
		Region:       region,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Server{
		Endpoint:   proc.Endpoint,
		AccessKey:  proc.Root.AccessKey,
		SecretKey:  proc.Root.SecretKey,
		Region:     region,
		KMSKeyName: kmsKeyName,
		proc:       proc,
		dir:        dir,
	}, nil
}

// stop ends the server and removes its files.
func (s *Server) stop() {
	s.proc.Stop()
	os.RemoveAll(s.dir)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return b
}
