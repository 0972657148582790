package stack

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/rotation"
)

// rotatorName is the rotator's name on the Invoke API.
const rotatorName = "password-rotator"

// rotatorTimeout is the deployed rotator's timeout: a run stops before it,
// and the next one continues.
const rotatorTimeout = 5 * time.Minute

// schedulerPayload is what EventBridge Scheduler sends the rotator for a
// run scheduled at t: the schedule's input with the context attribute
// replaced.
func schedulerPayload(t time.Time) []byte {
	return []byte(strings.Replace(rotation.SchedulerInput, "<aws.scheduler.scheduled-time>", t.UTC().Truncate(time.Second).Format(time.RFC3339), 1))
}

// schedule runs the rotator every interval until ctx ends, as the
// deployed schedule does, with Scheduler's payload; the returned wait
// blocks until it has stopped. A tick that comes while a run is still
// going is dropped, where Scheduler would start another run: both are
// safe, every write being conditional. Each run's counts go to log; the
// rotator's own lines go to the functions' log.
func schedule(ctx context.Context, every time.Duration, rotator lambdaruntime.Invoker, log *slog.Logger) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case tick := <-ticker.C:
				res, err := rotator.Invoke(ctx, schedulerPayload(tick))
				logRun(log, res, err)
			}
		}
	})
	return wg.Wait
}

// logRun logs a scheduled run's outcome: its counts, or why it failed.
// The rotator's answer holds counts only, never a password.
func logRun(log *slog.Logger, res lambdaruntime.Result, err error) {
	var report rotation.Report
	switch {
	case err != nil:
		// The stack is stopping: the run is cut short, and the next one
		// continues.
		log.Info("scheduled rotation not finished", "function", rotatorName, "error", err.Error())
	case res.FunctionError != "":
		log.Error("scheduled rotation failed", "function", rotatorName, "request_id", res.RequestID, "error", string(res.Payload))
	case json.Unmarshal(res.Payload, &report) != nil:
		log.Error("scheduled rotation answered no report", "function", rotatorName, "request_id", res.RequestID)
	default:
		log.Info("scheduled rotation", "function", rotatorName, "request_id", res.RequestID,
			"scheduled_time", report.ScheduledTime, "checked", report.Checked, "due", report.Due, "rotated", report.Rotated,
			"skipped", report.Skipped, "left", report.Left, "failed", report.Failed, "complete", report.Complete)
	}
}
