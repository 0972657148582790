package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/rotation"
)

// rotator is the scheduled function: it replaces every due password under
// the prefix with a new one of the same parameters, without reading any.
// It generates as the generator does, under the organization policy and
// limits in force at the time of the run.
type rotator struct {
	gen   *function // its config, policy, random source and clock
	store rotation.Store
	log   *slog.Logger
}

// rotateResponse is the rotator's answer: counts, never a password.
type rotateResponse struct {
	rotation.Report
	RequestID string `json:"request_id"`
}

// Invoke runs one rotation. A payload that is not a rotation.Event, a
// listing that fails and any password whose rotation failed make it a
// function error, so that Lambda retries the asynchronous invocation with
// the same scheduled time (a no-op for what is done) and then sends it to
// the on-failure destination. A run that stopped at its deadline is not a
// failure: the next one continues.
func (r *rotator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := time.Now()
	ctx, cancel := withDeadlineMargin(ctx)
	defer cancel()
	at, err := r.scheduledTime(payload)
	if err != nil {
		r.log.LogAttrs(ctx, slog.LevelError, "rotation not run", slog.String("caller", rotation.CreatedBy), slog.String("error", err.Error()))
		return nil, err
	}
	report, err := rotation.Runner{Store: r.store, Prefix: r.gen.config.KeyPrefix, Renew: r.renew, Log: r.log}.Run(ctx, at)
	r.logRun(ctx, report, err, time.Since(start))
	if err != nil || report.Failed > 0 {
		return nil, runFailure(report, err)
	}
	return json.Marshal(rotateResponse{Report: report, RequestID: requestID(ctx)})
}

// runFailure is the function error of a run that failed, with its counts,
// which is all the failure queue's record of it will hold. Failed counts
// versions whose tags could not be read as well as due passwords, so it
// is not a share of due.
func runFailure(report rotation.Report, err error) error {
	counts := fmt.Sprintf("checked %d, due %d, rotated %d, skipped %d, left %d, failed %d",
		report.Checked, report.Due, report.Rotated, report.Skipped, report.Left, report.Failed)
	if err != nil {
		return fmt.Errorf("rotation as of %s stopped: %w; %s so far", report.ScheduledTime, err, counts)
	}
	return fmt.Errorf("rotation as of %s: %d failed, see the log; %s", report.ScheduledTime, report.Failed, counts)
}

// scheduledTime reads the payload: Scheduler's {"scheduled_time": ...},
// or {} (or nothing) for now. An unknown field is refused, so that a typo
// in a hand-made payload does not silently run as of now.
func (r *rotator) scheduledTime(payload []byte) (time.Time, error) {
	var ev rotation.Event
	if len(bytes.TrimSpace(payload)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			return time.Time{}, fmt.Errorf(`payload: want {"scheduled_time": "<RFC 3339 time>"} or {}: %w`, err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return time.Time{}, errors.New(`payload: want {"scheduled_time": "<RFC 3339 time>"} or {}, and nothing after it`)
		}
	}
	return ev.At(r.gen.now(), r.gen.config.TrustScheduledTime)
}

// renew generates the record that replaces a due password: its stored
// parameters, read as a request under today's limits, and today's policy.
func (r *rotator) renew(due rotation.Renewal) ([]byte, error) {
	req, err := request.Parse(due.Params, r.gen.config.Limits)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", rotation.ErrRefused, err)
	}
	// The generator tags only what GenerationJSON holds. Anything about
	// where or how long a password is kept was tagged by another hand, and
	// would make the record say what the tags do not (an expires_at that
	// no lifecycle rule acts on).
	if req.Name != "" || req.Overwrite || req.DryRun || req.ExpiresInDays != 0 || req.RotateEveryDays != 0 {
		return nil, fmt.Errorf("%w: its tagged parameters hold more than generation parameters (name, overwrite, dry_run, expires_in_days or rotate_every_days)", rotation.ErrRefused)
	}
	gen, err := r.gen.generator(req)
	switch {
	case orgpolicy.IsTooLarge(err):
		// The deployer's to fix, as for the generator: a failure, not a
		// password to leave.
		return nil, fmt.Errorf("apply the organization policy: %w", err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", rotation.ErrRefused, err)
	}
	secret, err := gen.Generate(r.gen.random)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	rec := newRecord(secret, req, gen.EntropyBits(), r.gen.now(), rotation.CreatedBy)
	rec.RotateEveryDays, rec.RotatedFrom = due.PeriodDays, due.From
	return rec.encode(r.gen.random)
}

// logRun writes the run's summary line; each due password has its own.
func (r *rotator) logRun(ctx context.Context, report rotation.Report, err error, took time.Duration) {
	level, msg := slog.LevelInfo, "rotation run"
	switch {
	case err != nil || report.Failed > 0:
		level, msg = slog.LevelError, "rotation run failed"
	case !report.Complete:
		level, msg = slog.LevelWarn, "rotation run stopped at its deadline; the next run continues"
	}
	attrs := []slog.Attr{
		slog.String("caller", rotation.CreatedBy),
		slog.String("scheduled_time", report.ScheduledTime),
		slog.Int("checked", report.Checked),
		slog.Int("due", report.Due),
		slog.Int("rotated", report.Rotated),
		slog.Int("skipped", report.Skipped),
		slog.Int("left", report.Left),
		slog.Int("failed", report.Failed),
		slog.Bool("complete", report.Complete),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	r.log.LogAttrs(ctx, level, msg, attrs...)
}
