package s3local

import (
	"path/filepath"
	"sync"
	"time"
)

// S3's bucket versioning states. A bucket starts with neither, and once
// versioned can only be suspended, never return to unversioned.
const (
	versioningEnabled   = "Enabled"
	versioningSuspended = "Suspended"
)

type bucketSettings struct {
	Created    time.Time `json:"created"`
	Versioning string    `json:"versioning,omitempty"`
}

// version is one stored version of a key. Versions are never changed once
// created, so a reader may keep one after releasing the bucket's lock.
type version struct {
	ID           string    `json:"id"`
	DeleteMarker bool      `json:"delete_marker,omitempty"`
	Blob         string    `json:"blob,omitempty"`
	LastModified time.Time `json:"last_modified"`
	ETag         string    `json:"etag,omitempty"`
	Size         int64     `json:"size"`
	// Header holds what a GET or HEAD echoes: content headers, user
	// metadata, server-side encryption.
	Header            map[string]string `json:"header,omitempty"`
	ChecksumAlgorithm string            `json:"checksum_algorithm,omitempty"`
	Checksum          string            `json:"checksum,omitempty"`
}

// object is the on-disk index of one key.
type object struct {
	Key      string     `json:"key"`
	Versions []*version `json:"versions"`
}

type bucket struct {
	server *Server
	name   string
	dir    string

	// mu serialises every change to the bucket, in memory and on disk;
	// that is what makes If-None-Match atomic.
	mu       sync.Mutex
	settings bucketSettings
	// objects maps each key to its versions, newest first.
	objects map[string][]*version
}

func newBucket(s *Server, name string) *bucket {
	return &bucket{
		server:  s,
		name:    name,
		dir:     filepath.Join(s.dir, bucketsDir, name),
		objects: map[string][]*version{},
	}
}

// everVersioned reports whether version ids are visible to clients: S3
// omits them for buckets that never had versioning enabled.
func (b *bucket) everVersioned() bool { return b.settings.Versioning != "" }

// newVersionID is the id of the next write: unique while versioning is
// enabled, otherwise the null version that each write replaces.
func (b *bucket) newVersionID() string {
	if b.settings.Versioning == versioningEnabled {
		return newID()
	}
	return nullVersion
}

// latest returns the newest version of key, possibly a delete marker.
func (b *bucket) latest(key string) *version {
	if vs := b.objects[key]; len(vs) > 0 {
		return vs[0]
	}
	return nil
}

// current returns what a GET without a version id reads, or nil.
func (b *bucket) current(key string) *version {
	if v := b.latest(key); v != nil && !v.DeleteMarker {
		return v
	}
	return nil
}

// withNewest returns key's versions with v added as the newest, and the
// version v displaces: a write with the null id replaces the null version.
func (b *bucket) withNewest(key string, v *version) (versions []*version, replaced *version) {
	old := b.objects[key]
	versions = make([]*version, 0, len(old)+1)
	versions = append(versions, v)
	for _, o := range old {
		if o.ID == nullVersion && v.ID == nullVersion {
			replaced = o
			continue
		}
		versions = append(versions, o)
	}
	return versions, replaced
}

// commit makes versions the state of key, on disk first, so memory never
// shows what a crash could lose.
func (b *bucket) commit(key string, versions []*version) error {
	if err := b.saveVersions(key, versions); err != nil {
		return err
	}
	if len(versions) == 0 {
		delete(b.objects, key)
	} else {
		b.objects[key] = versions
	}
	return nil
}
