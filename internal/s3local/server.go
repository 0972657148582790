package s3local

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Server is an S3-compatible store kept under one directory. It is an
// http.Handler; the caller chooses the listener (normally 127.0.0.1).
type Server struct {
	dir string

	mu      sync.RWMutex // guards buckets
	buckets map[string]*bucket
}

// New opens the store kept under dir, creating dir if needed, and removes
// whatever an interrupted write left there.
func New(dir string) (*Server, error) {
	if dir == "" {
		return nil, errors.New("s3local: data directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("s3local %s: %w", dir, err)
	}
	s := &Server{dir: abs, buckets: map[string]*bucket{}}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("s3local %s: %w", dir, err)
	}
	return s, nil
}

// CreateBucket makes sure bucket name exists, with versioning enabled if
// versioned is true. It is idempotent. versioned false leaves an existing
// bucket's versioning alone, since S3 cannot turn versioning off, only
// suspend it.
func (s *Server) CreateBucket(name string, versioned bool) error {
	b, _, err := s.createBucket(name)
	if err == nil && versioned {
		err = b.setVersioning(versioningEnabled)
	}
	if err != nil {
		return fmt.Errorf("s3local: create bucket %s: %w", name, err)
	}
	return nil
}

// createBucket returns bucket name, creating it unversioned if it does not
// exist yet.
func (s *Server) createBucket(name string) (b *bucket, created bool, err error) {
	if err := validateBucketName(name); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[name]; b != nil {
		return b, false, nil
	}
	b = newBucket(s, name)
	b.settings.Created = time.Now().UTC().Truncate(time.Millisecond)
	if err := b.createBucketFiles(); err != nil {
		return nil, false, err
	}
	s.buckets[name] = b
	return b, true, nil
}

func (s *Server) bucket(name string) (*bucket, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if b := s.buckets[name]; b != nil {
		return b, nil
	}
	return nil, errNoSuchBucket()
}

func (b *bucket) setVersioning(status string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.settings.Versioning == status {
		return nil
	}
	settings := b.settings
	settings.Versioning = status
	if err := b.saveSettings(settings); err != nil {
		return err
	}
	// Only the field that changed is written: ListBuckets reads Created
	// under the server's lock alone, not the bucket's.
	b.settings.Versioning = status
	return nil
}

// ServeHTTP answers one S3 REST request addressed path-style:
// /<bucket>/<key>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amz-request-id", newID()[:16])
	bucketName, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	op, err := selectOperation(r, bucketName, key)
	if err == nil {
		err = op.serve(s, w, r, bucketName, key)
	}
	if err != nil {
		writeError(w, r, err, bucketName, key)
	}
}
