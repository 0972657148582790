package orgpolicy

import "sync"

// cache is a map bounded by the memory its values hold, for the warm
// function. When a value does not fit, arbitrary entries make room (Go
// randomizes map iteration), which keeps every operation cheap and needs
// no bookkeeping on hits; requests in a deployment repeat a few shapes, so
// which ones go matters little.
type cache[K comparable, V any] struct {
	mu    sync.Mutex
	m     map[K]V
	used  int
	limit int
	size  func(V) int
}

func newCache[K comparable, V any](limit int, size func(V) int) *cache[K, V] {
	return &cache[K, V]{m: map[K]V{}, limit: limit, size: size}
}

func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// put stores v unless it alone exceeds the limit.
func (c *cache[K, V]) put(k K, v V) {
	n := c.size(v)
	if n > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		c.used -= c.size(old)
		delete(c.m, k)
	}
	for victim, old := range c.m {
		if c.used+n <= c.limit {
			break
		}
		c.used -= c.size(old)
		delete(c.m, victim)
	}
	c.m[k] = v
	c.used += n
}
