package s3local

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func put(t *testing.T, s *Server, path string, body io.Reader, header map[string]string) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodPut, path, body)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	if n, err := strconv.ParseInt(header["Content-Length"], 10, 64); err == nil {
		r.ContentLength = n
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Code
}

// versionedServer stores in dir and holds one versioned bucket, "bkt".
func versionedServer(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket("bkt", true); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRefusedWritesLeaveNothing: a PUT that fails for any reason, including
// a body that breaks off, leaves no file behind.
func TestRefusedWritesLeaveNothing(t *testing.T) {
	dir := t.TempDir()
	s := versionedServer(t, dir)
	broken := io.MultiReader(strings.NewReader("part"), iotest.ErrReader(io.ErrUnexpectedEOF))
	cases := []struct {
		body   io.Reader
		header map[string]string
		want   int
	}{
		{broken, map[string]string{"Content-Length": "100"}, http.StatusBadRequest},
		{strings.NewReader("data"), map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, http.StatusBadRequest},
		{strings.NewReader("data"), map[string]string{"x-amz-checksum-sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}, http.StatusBadRequest},
	}
	for i, c := range cases {
		if got := put(t, s, "/bkt/k", c.body, c.header); got != c.want {
			t.Errorf("case %d: status %d, want %d", i, got, c.want)
		}
	}
	if put(t, s, "/bkt/k", strings.NewReader("x"), map[string]string{"If-None-Match": "*"}) != http.StatusOK ||
		put(t, s, "/bkt/k", strings.NewReader("y"), map[string]string{"If-None-Match": "*"}) != http.StatusPreconditionFailed {
		t.Fatal("create-only PUTs did not answer 200 then 412")
	}
	if left := entries(t, filepath.Join(dir, tmpDir)); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
	if blobs := entries(t, filepath.Join(dir, bucketsDir, "bkt", dataDir)); len(blobs) != 1 {
		t.Errorf("data files %q, want the one stored version", blobs)
	}
}

// TestLoadRemovesCrashLeftovers: a restart after a crash mid-write finds
// the last complete state and none of the partial files.
func TestLoadRemovesCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	s := versionedServer(t, dir)
	if code := put(t, s, "/bkt/k", strings.NewReader("kept"), nil); code != http.StatusOK {
		t.Fatalf("PUT: %d", code)
	}
	// A crash while receiving a body, and one after the data file was
	// renamed into place but before its index was written.
	for _, f := range []string{filepath.Join(dir, tmpDir, "put-123"), filepath.Join(dir, bucketsDir, "bkt", dataDir, newID())} {
		if err := os.WriteFile(f, []byte("partial"), fileMode); err != nil {
			t.Fatal(err)
		}
	}
	// A crash while creating a bucket, before its settings were written.
	if err := os.MkdirAll(filepath.Join(dir, bucketsDir, "half", indexDir), dirMode); err != nil {
		t.Fatal(err)
	}

	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if left := entries(t, filepath.Join(dir, tmpDir)); len(left) != 0 {
		t.Errorf("temporary files survived a restart: %q", left)
	}
	if blobs := entries(t, filepath.Join(dir, bucketsDir, "bkt", dataDir)); len(blobs) != 1 {
		t.Errorf("data files after restart %q, want only the stored version", blobs)
	}
	if _, err := s.bucket("half"); err == nil {
		t.Error("a half-created bucket is visible")
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/bkt/k", nil))
	if w.Code != http.StatusOK || w.Body.String() != "kept" {
		t.Errorf("GET after restart: %d %q", w.Code, w.Body.String())
	}
}

// TestLoadRejectsDamagedIndex: a damaged index stops the store from
// starting instead of serving a bucket with silently missing keys.
func TestLoadRejectsDamagedIndex(t *testing.T) {
	dir := t.TempDir()
	s := versionedServer(t, dir)
	put(t, s, "/bkt/k", strings.NewReader("v"), nil)
	index := filepath.Join(dir, bucketsDir, "bkt", indexDir, indexName("k"))
	for _, damage := range []string{"{", `{"key":"other","versions":[{"id":"null"}]}`, `{"key":"k","versions":[{"id":"null","blob":"../../x"}]}`} {
		if err := os.WriteFile(index, []byte(damage), fileMode); err != nil {
			t.Fatal(err)
		}
		if _, err := New(dir); err == nil || !strings.Contains(err.Error(), "bkt") {
			t.Errorf("damaged index %s: New = %v, want an error naming the bucket", damage, err)
		}
	}
}
