// Package deadend provides endpoints that fail below HTTP, for tests that
// show a client gives up in time: one where nothing listens, and one that
// accepts connections and never answers, like a black-holed route.
package deadend

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Refused returns the URL of a local port nothing listens on, so every
// connection attempt is refused at once.
func Refused(t testing.TB) string {
	t.Helper()
	l := listen(t)
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// Stalled returns the URL of a local listener that accepts connections,
// reads whatever is sent and never answers. Its connections are closed when
// the test ends.
func Stalled(t testing.TB) string {
	t.Helper()
	l := listen(t)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			// Draining keeps a large request from blocking on a full
			// socket buffer, so the client waits for an answer, not a write.
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("deadend: listen: %v", err)
	}
	return l
}
