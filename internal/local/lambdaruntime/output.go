package lambdaruntime

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

const (
	// maxLine bounds a line held back waiting for its newline; CloudWatch
	// splits log events at 256 KiB as well.
	maxLine = 256 << 10
	// tailSize is how much recent output an InitError carries.
	tailSize = 4 << 10
)

// sink is the configured log writer, shared by all processes.
type sink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *sink) newOutput() *output { return &output{sink: s} }

// write ignores the writer's errors: a broken log destination must not
// break the function, which would get EPIPE on its own stdout.
func (s *sink) write(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(line)
}

// output is one process's stdout and stderr (exec serialises its writes,
// since both streams share it). It passes whole lines to the sink and keeps
// the last few KiB.
type output struct {
	sink    *sink
	mu      sync.Mutex // against tail and flush, called from other goroutines
	partial []byte
	recent  []byte
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recent = append(o.recent, b...)
	if extra := len(o.recent) - tailSize; extra > 0 {
		o.recent = append(o.recent[:0], o.recent[extra:]...)
	}
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			o.partial = append(o.partial, b...)
			if len(o.partial) >= maxLine {
				o.flushLocked()
			}
			break
		}
		if len(o.partial) > 0 {
			o.partial = append(o.partial, b[:i+1]...)
			o.sink.write(o.partial)
			o.partial = o.partial[:0]
		} else {
			o.sink.write(b[:i+1])
		}
		b = b[i+1:]
	}
	return n, nil
}

// flush passes on a last line that lacks its newline.
func (o *output) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

func (o *output) flushLocked() {
	if len(o.partial) > 0 {
		o.sink.write(append(o.partial, '\n'))
		o.partial = o.partial[:0]
	}
}

func (o *output) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.TrimSpace(string(o.recent))
}
