package s3local

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Layout under the data directory:
//
//	tmp/                        files being written; emptied at start
//	buckets/<name>/bucket.json  bucket settings, written last at creation
//	buckets/<name>/index/<h>    one key's versions; h = hex SHA-256 of the key
//	buckets/<name>/data/<id>    one version's bytes; id is random
//
// Index files are named by a hash because keys may hold any character and
// be up to 1024 bytes, longer than file systems allow in one name.
const (
	tmpDir      = "tmp"
	bucketsDir  = "buckets"
	bucketFile  = "bucket.json"
	indexDir    = "index"
	dataDir     = "data"
	fileMode    = 0o600
	dirMode     = 0o700
	indexSuffix = ".json"
)

func indexName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]) + indexSuffix
}

// writeFileAtomic replaces path with data so that readers and a crash see
// either the old content or the new one.
func (s *Server) writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), "w-*")
	if err != nil {
		return err
	}
	if err := finishTemp(f, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}

// finishTemp writes to f, syncs and closes it; on failure it removes f, so a
// temporary file either holds complete, durable data or is gone.
func finishTemp(f *os.File, write func(io.Writer) error) error {
	err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}

// load reads every bucket under s.dir into memory and removes what an
// interrupted write left behind.
func (s *Server) load() error {
	if err := os.RemoveAll(filepath.Join(s.dir, tmpDir)); err != nil {
		return err
	}
	for _, d := range []string{tmpDir, bucketsDir} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), dirMode); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, bucketsDir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || validateBucketName(e.Name()) != nil {
			continue
		}
		b, err := s.loadBucket(e.Name())
		if err != nil {
			return fmt.Errorf("bucket %s: %w", e.Name(), err)
		}
		if b != nil {
			s.buckets[b.name] = b
		}
	}
	return nil
}

// loadBucket returns nil for a directory whose creation never finished.
func (s *Server) loadBucket(name string) (*bucket, error) {
	b := newBucket(s, name)
	raw, err := os.ReadFile(filepath.Join(b.dir, bucketFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &b.settings); err != nil {
		return nil, fmt.Errorf("%s: %w", bucketFile, err)
	}
	indexes, err := os.ReadDir(filepath.Join(b.dir, indexDir))
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, e := range indexes {
		raw, err := os.ReadFile(filepath.Join(b.dir, indexDir, e.Name()))
		if err != nil {
			return nil, err
		}
		var o object
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, fmt.Errorf("index %s: %w", e.Name(), err)
		}
		if e.Name() != indexName(o.Key) || len(o.Versions) == 0 {
			return nil, fmt.Errorf("index %s: does not describe key %q", e.Name(), o.Key)
		}
		for _, v := range o.Versions {
			if v.DeleteMarker != (v.Blob == "") || (v.Blob != "" && !isID(v.Blob)) {
				return nil, fmt.Errorf("index %s: version %q has a broken data reference", e.Name(), v.ID)
			}
			used[v.Blob] = true
		}
		b.objects[o.Key] = o.Versions
	}
	return b, b.removeUnusedBlobs(used)
}

// removeUnusedBlobs deletes object data no index refers to: what a crash
// between writing the data and its index left behind.
func (b *bucket) removeUnusedBlobs(used map[string]bool) error {
	blobs, err := os.ReadDir(filepath.Join(b.dir, dataDir))
	if err != nil {
		return err
	}
	for _, e := range blobs {
		if !used[e.Name()] {
			if err := os.Remove(filepath.Join(b.dir, dataDir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// createBucketFiles makes the bucket's directories, then its settings file,
// so that a bucket exists on disk only once it is complete.
func (b *bucket) createBucketFiles() error {
	for _, d := range []string{indexDir, dataDir} {
		if err := os.MkdirAll(filepath.Join(b.dir, d), dirMode); err != nil {
			return err
		}
	}
	return b.saveSettings(b.settings)
}

func (b *bucket) saveSettings(settings bucketSettings) error {
	raw, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	return b.server.writeFileAtomic(filepath.Join(b.dir, bucketFile), raw)
}

// saveVersions makes versions the durable state of key; none removes the key.
func (b *bucket) saveVersions(key string, versions []*version) error {
	path := filepath.Join(b.dir, indexDir, indexName(key))
	if len(versions) == 0 {
		err := os.Remove(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	raw, err := json.Marshal(object{Key: key, Versions: versions})
	if err != nil {
		return err
	}
	return b.server.writeFileAtomic(path, raw)
}

func (b *bucket) blobPath(id string) string {
	return filepath.Join(b.dir, dataDir, id)
}

// removeBlob deletes a version's data after its index no longer refers to
// it. A failure only leaves an unused file that the next start removes.
func (b *bucket) removeBlob(id string) {
	if id != "" {
		_ = os.Remove(b.blobPath(id))
	}
}
