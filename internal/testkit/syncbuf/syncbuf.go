// Package syncbuf is a bytes.Buffer that several goroutines may write while
// a test reads it: where tests collect the logs of concurrent processes,
// servers and requests.
package syncbuf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Buffer is safe for concurrent use; the zero value is empty and ready.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// JSONLines decodes each non-empty line written so far into a new T, as
// for JSON log lines; a line that does not decode is an error naming it.
func JSONLines[T any](b *Buffer) ([]T, error) {
	var out []T
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return nil, fmt.Errorf("log line %q: %w", line, err)
		}
		out = append(out, v)
	}
	return out, nil
}
