package orgpolicy

import "testing"

func TestCacheStaysWithinItsLimit(t *testing.T) {
	c := newCache[int, int](10, func(v int) int { return v })
	for k := range 100 {
		c.put(k, 1+k%4)
		if c.used > c.limit {
			t.Fatalf("after %d puts, %d used of %d", k+1, c.used, c.limit)
		}
		if v, ok := c.get(k); !ok || v != 1+k%4 {
			t.Fatalf("the value just put is missing")
		}
	}
	c.put(1000, 11)
	if _, ok := c.get(1000); ok {
		t.Error("a value larger than the whole cache was kept")
	}
	total := 0
	for _, v := range c.m {
		total += v
	}
	if total != c.used {
		t.Errorf("accounted %d, holds %d", c.used, total)
	}
}

func TestCacheReplacesAKey(t *testing.T) {
	c := newCache[string, int](10, func(v int) int { return v })
	c.put("a", 6)
	c.put("a", 7)
	if v, _ := c.get("a"); v != 7 || c.used != 7 {
		t.Errorf("value %d, used %d; want 7, 7", v, c.used)
	}
}
