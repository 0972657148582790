package rotation_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/store"
)

// memStore is a rotation.Store in memory, for what MinIO cannot be made to
// do: versions modified at a chosen time, and a watch on how many requests
// of the run are in flight at once.
type memStore struct {
	mu      sync.Mutex
	objects map[string]*memObject
	// tagErr fails the tag read of a key.
	tagErr map[string]error
	// hold, when set, is called inside every tag read and write, while
	// it counts as in flight.
	hold             func()
	inFlight, most   int
	tagReads, writes int
}

type memObject struct {
	etag         string
	lastModified time.Time
	tags         map[string]string
}

func newMemStore() *memStore {
	return &memStore{objects: map[string]*memObject{}, tagErr: map[string]error{}}
}

// add stores a password due for rotation as the generator tags it, with a
// period of periodDays, modified at lastModified; extra tags join them.
func (m *memStore) add(key string, periodDays int, lastModified time.Time, extra map[string]string) {
	tags, err := objecttags.EncodeParams([]byte(passwordParams))
	if err != nil {
		panic(err)
	}
	tags[objecttags.KeyRotateEveryDays] = strconv.Itoa(periodDays)
	for k, v := range extra {
		tags[k] = v
	}
	m.objects[key] = &memObject{etag: `"` + key + `-1"`, lastModified: lastModified, tags: tags}
}

func (m *memStore) enter() {
	m.mu.Lock()
	m.inFlight++
	m.most = max(m.most, m.inFlight)
	hold := m.hold
	m.mu.Unlock()
	if hold != nil {
		hold()
	}
}

func (m *memStore) leave() {
	m.mu.Lock()
	m.inFlight--
	m.mu.Unlock()
}

// ListCurrent pages through the keys in order; the token is the index of
// the page's first key.
func (m *memStore) ListCurrent(_ context.Context, prefix, token string, limit int32) (store.Page[store.Current], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	from := 0
	if token != "" {
		var err error
		if from, err = strconv.Atoi(token); err != nil {
			return store.Page[store.Current]{}, fmt.Errorf("token %q: %w", token, store.ErrBadToken)
		}
	}
	var page store.Page[store.Current]
	to := min(from+int(limit), len(keys))
	for _, k := range keys[from:to] {
		o := m.objects[k]
		page.Items = append(page.Items, store.Current{Key: k, ETag: o.etag, LastModified: o.lastModified})
	}
	if to < len(keys) {
		page.Next = strconv.Itoa(to)
	}
	return page, nil
}

func (m *memStore) Tags(_ context.Context, key string) (store.Tagging, error) {
	m.enter()
	defer m.leave()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tagReads++
	if err := m.tagErr[key]; err != nil {
		return store.Tagging{}, err
	}
	o, ok := m.objects[key]
	if !ok {
		return store.Tagging{}, fmt.Errorf("get tags of %s: %w", key, store.ErrNotFound)
	}
	return store.Tagging{VersionID: o.etag, Tags: o.tags}, nil
}

func (m *memStore) Put(_ context.Context, key string, _ []byte, opts store.PutOptions) (string, error) {
	m.enter()
	defer m.leave()
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok || opts.IfMatch != o.etag {
		return "", fmt.Errorf("store %s: %w", key, store.ErrChanged)
	}
	m.writes++
	o.etag = fmt.Sprintf(`"%s-%d"`, key, m.writes+1)
	o.lastModified = time.Now()
	o.tags = opts.Tags
	return o.etag, nil
}
