package httpapi

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxVerifiedTokens bounds the verified-token cache of one key set: a
// client reuses its token until it expires, so each caller needs an entry
// or two, and each entry is about a kilobyte.
const maxVerifiedTokens = 1024

// tokenCache holds the tokens a key set's keys verified, found by the
// SHA-256 of the token's exact bytes, so that a client's next request with
// the same token skips the parsing, the RSA signature and the claims. It
// holds only what a token's bytes and the keys decide (signature, iss,
// aud, the claims); every request still checks the times (see get) and the
// route's scopes.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]*verified
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, entries: make(map[[sha256.Size]byte]*verified)}
}

// get returns the token whose SHA-256 is sum if it is still valid at now.
// One that is not (past its exp) is forgotten, so the caller verifies it
// again and refuses it with the very answer it gives a token it never saw.
func (c *tokenCache) get(sum [sha256.Size]byte, now time.Time) (*verified, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[sum]
	if ok && v.invalidAt(now) != "" {
		delete(c.entries, sum)
		return nil, false
	}
	return v, ok
}

// put remembers a verified token. When the cache is full, an arbitrary
// entry makes room: Go randomizes the order of a map's iteration.
func (c *tokenCache) put(sum [sha256.Size]byte, v *verified) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[sum]; !ok && len(c.entries) >= c.max {
		for old := range c.entries {
			delete(c.entries, old)
			break
		}
	}
	c.entries[sum] = v
}
