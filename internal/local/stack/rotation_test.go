package stack

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/rotation"
	"github.com/passwordgen/passwordgen/internal/testkit/syncbuf"
)

// recorder is a rotator that answers every run with a report.
type recorder struct {
	mu       sync.Mutex
	payloads []string
}

func (r *recorder) Invoke(_ context.Context, payload []byte) (lambdaruntime.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.payloads = append(r.payloads, string(payload))
	return lambdaruntime.Result{RequestID: "r", Payload: []byte(`{"scheduled_time":"2026-11-30T04:00:00Z","checked":3,"due":1,"rotated":1,"complete":true}`)}, nil
}

// TestScheduleSendsSchedulersPayload: the local schedule invokes the
// rotator at every tick with the payload Scheduler sends, the tick's time
// to the second, logs each run's counts, and stops with the stack.
func TestScheduleSendsSchedulersPayload(t *testing.T) {
	rotator := &recorder{}
	var log syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	wait := schedule(ctx, 20*time.Millisecond, rotator, slog.New(slog.NewTextHandler(&log, nil)))
	for deadline := time.Now().Add(30 * time.Second); ; {
		rotator.mu.Lock()
		n := len(rotator.payloads)
		rotator.mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			wait()
			t.Fatalf("%d runs in 30 s of a schedule every 20 ms", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wait()
	for _, p := range rotator.payloads {
		var ev rotation.Event
		dec := json.NewDecoder(strings.NewReader(p))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("payload %s: %v", p, err)
		}
		at, err := time.Parse(time.RFC3339, ev.ScheduledTime)
		if err != nil || at.Before(start.Truncate(time.Second)) || at.After(time.Now()) || at.Location() != time.UTC {
			t.Errorf("payload %s: want the tick's time, UTC", p)
		}
	}
	if !strings.Contains(log.String(), "msg=\"scheduled rotation\" function=password-rotator request_id=r scheduled_time=2026-11-30T04:00:00Z checked=3 due=1 rotated=1") {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestLogRunSaysWhyARunFailed(t *testing.T) {
	var log syncbuf.Buffer
	l := slog.New(slog.NewTextHandler(&log, nil))
	logRun(l, lambdaruntime.Result{RequestID: "r1", FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"rotation as of 2026-11-30T04:00:00Z: 1 failed, see the log; checked 3, due 2, rotated 1, skipped 0, left 0, failed 1"}`)}, nil)
	logRun(l, lambdaruntime.Result{}, context.Canceled)
	for _, want := range []string{`level=ERROR msg="scheduled rotation failed"`, "1 failed, see the log; checked 3", `msg="scheduled rotation not finished"`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}
