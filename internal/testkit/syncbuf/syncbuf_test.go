package syncbuf

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestConcurrentWritesAllArrive(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { fmt.Fprintf(&b, "{\"n\":%d}\n", i) })
	}
	wg.Wait()
	lines, err := JSONLines[map[string]int](&b)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, l := range lines {
		seen[l["n"]] = true
	}
	if len(lines) != 50 || len(seen) != 50 {
		t.Errorf("%d lines, %d distinct, want 50", len(lines), len(seen))
	}
}

func TestJSONLinesNamesTheBadLine(t *testing.T) {
	var b Buffer
	b.Write([]byte("{\"a\":1}\nnot json\n"))
	if _, err := JSONLines[map[string]int](&b); err == nil || !strings.Contains(err.Error(), "not json") {
		t.Errorf("error %v, want one naming the line", err)
	}
}
