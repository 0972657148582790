package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/store"
)

// Store is what a run asks of S3: listings, tag reads and conditional
// writes, never a read of a password. *store.Store is one.
type Store interface {
	ListCurrent(ctx context.Context, prefix, token string, max int32) (store.Page[store.Current], error)
	Tags(ctx context.Context, key string) (store.Tagging, error)
	Put(ctx context.Context, key string, body []byte, opts store.PutOptions) (versionID string, err error)
}

// Renewal is what the next version of a due password is made from.
type Renewal struct {
	Key string
	// Params are the generation parameters the version was stored with,
	// compact JSON (request.Request.GenerationJSON).
	Params     []byte
	PeriodDays int
	// From is the version being replaced, "" when S3 did not name it.
	From string
}

// ErrRefused marks a renewal that the organization policy or the limits in
// force no longer allow: the password is left as it is, and logged.
var ErrRefused = errors.New("its parameters are no longer allowed")

// Defaults of a Runner.
const (
	// DefaultWorkers is how many passwords a run handles at once. Each
	// worker has one S3 request in flight at a time, so eight, with the
	// listing's one, stay under the SDK's ten idle connections per host
	// and every request reuses one. At 20-50 ms per request on S3 that is
	// 80-200 passwords a second (a tag read and a write each), some 10,000
	// a minute, far below S3's 3,500 writes a second per prefix and KMS's
	// request quota, so the generator, sharing both, is never throttled
	// by a run; and a 300-second run covers tens of thousands.
	DefaultWorkers = 8
	// DefaultMargin is kept free before the deadline of a run's context:
	// no password is started after that, so the ones in flight (a tag
	// read and a write, which the store bounds at 5 s each, and a
	// generation) finish and the run reports instead of being killed.
	DefaultMargin = 11 * time.Second
)

// pageSize is S3's largest listing page.
const pageSize = 1000

// Runner rotates the due passwords under a prefix.
type Runner struct {
	Store  Store
	Prefix string
	// Renew returns the record of the version that replaces a due one,
	// made with the same parameters under the rules in force now. An error
	// wrapping ErrRefused leaves the password as it is; another counts as
	// a failure.
	Renew   func(Renewal) ([]byte, error)
	Workers int           // 0 means DefaultWorkers
	Margin  time.Duration // 0 means DefaultMargin
	// Log receives a line for each due password: the name, the version
	// replaced and the one written, how it ended; never the password.
	Log *slog.Logger
}

// Report is what a run did.
type Report struct {
	// ScheduledTime is the time the run was judged as of.
	ScheduledTime string `json:"scheduled_time"`
	// Checked counts the current versions judged.
	Checked int `json:"checked"`
	// Due counts those found due; each was rotated, skipped, left or
	// failed.
	Due     int `json:"due"`
	Rotated int `json:"rotated"`
	// Skipped counts passwords changed (or deleted) since they were
	// listed: the newer write wins, and the next run judges it.
	Skipped int `json:"skipped"`
	// Left counts passwords left as they are because their rotation tags
	// are not ones a rotation could use, or the organization policy or
	// limits in force no longer allow their parameters.
	Left int `json:"left"`
	// Failed counts versions whose tags could not be read, or whose new
	// version could not be written; the next run tries them again.
	Failed int `json:"failed"`
	// Complete is false when the run stopped before judging every
	// version, at its deadline or because the listing failed; the next
	// run covers the rest.
	Complete bool `json:"complete"`
}

func (r *Report) add(o Report) {
	r.Checked += o.Checked
	r.Due += o.Due
	r.Rotated += o.Rotated
	r.Skipped += o.Skipped
	r.Left += o.Left
	r.Failed += o.Failed
}

// Run judges every current version under the prefix as of at, and rotates
// those due, with Workers at a time. It starts no password after ctx's
// deadline less Margin; passwords in flight then finish under ctx. A rerun
// with the same at finds what this run rotated no longer due, so a run cut
// short anywhere, and run again, writes one new version per due password.
// The error is the listing's, should it fail; the report is valid with it.
func (r Runner) Run(ctx context.Context, at time.Time) (Report, error) {
	workers, margin := r.Workers, r.Margin
	if workers <= 0 {
		workers = DefaultWorkers
	}
	if margin <= 0 {
		margin = DefaultMargin
	}
	stop, cancel := ctx, context.CancelFunc(func() {})
	if deadline, ok := ctx.Deadline(); ok {
		stop, cancel = context.WithDeadline(ctx, deadline.Add(-margin))
	}
	defer cancel()

	jobs := make(chan store.Current)
	reports := make([]Report, workers)
	var cut atomic.Bool // a listed version went unjudged
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for c := range jobs {
				if stop.Err() != nil {
					cut.Store(true)
					continue
				}
				r.one(ctx, c, at, &reports[i])
			}
		})
	}
	listed, err := r.list(stop, jobs)
	close(jobs)
	wg.Wait()

	report := Report{ScheduledTime: at.UTC().Format(time.RFC3339), Complete: listed && !cut.Load()}
	for _, o := range reports {
		report.add(o)
	}
	if err != nil && stop.Err() == nil {
		return report, err
	}
	return report, nil
}

// list hands every current version under the prefix to jobs until stop
// ends, and reports whether it got through them all. It asks for the next
// page while the workers take the current one, so they never wait for S3's
// listing, which takes about as long as a few hundred writes.
func (r Runner) list(stop context.Context, jobs chan<- store.Current) (bool, error) {
	type listed struct {
		page store.Page[store.Current]
		err  error
	}
	// Buffered, so that a fetch still running when the run stops ends
	// without a reader.
	next := make(chan listed, 1)
	fetch := func(token string) {
		go func() {
			page, err := r.Store.ListCurrent(stop, r.Prefix, token, pageSize)
			next <- listed{page, err}
		}()
	}
	fetch("")
	for {
		l := <-next
		if l.err != nil {
			return false, fmt.Errorf("listing: %w", l.err)
		}
		if l.page.Next != "" {
			fetch(l.page.Next)
		}
		for _, c := range l.page.Items {
			select {
			case jobs <- c:
			case <-stop.Done():
				return false, nil
			}
		}
		if l.page.Next == "" {
			return true, nil
		}
	}
}

// one judges one current version and rotates it if due, counting the
// outcome in tally.
func (r Runner) one(ctx context.Context, c store.Current, at time.Time, tally *Report) {
	tally.Checked++
	if c.LastModified.After(at.Add(-skipWithin)) {
		return
	}
	line := r.line(c.Key, at)
	tagging, err := r.Store.Tags(ctx, c.Key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Deleted since the listing: nothing to rotate.
		return
	case err != nil:
		tally.Failed++
		line.failed(ctx, "", err)
		return
	}
	from := tagging.VersionID
	verdict, err := Judge(tagging.Tags, c.LastModified, at)
	if err != nil {
		tally.Left++
		line.left(ctx, from, err)
		return
	}
	if !verdict.Due {
		return
	}
	tally.Due++
	params, err := objecttags.DecodeParams(tagging.Tags)
	if err == nil && params == nil {
		err = errors.New("its tags hold no generation parameters")
	}
	var tags map[string]string
	if err == nil {
		tags, err = NextTags(params, verdict.PeriodDays, at, from)
	}
	if err != nil {
		// Tags the generator did not write: left alone rather than
		// rotated on a guess.
		tally.Left++
		line.left(ctx, from, err)
		return
	}
	body, err := r.Renew(Renewal{Key: c.Key, Params: params, PeriodDays: verdict.PeriodDays, From: from})
	switch {
	case errors.Is(err, ErrRefused):
		tally.Left++
		line.left(ctx, from, err)
		return
	case err != nil:
		tally.Failed++
		line.failed(ctx, from, err)
		return
	}
	version, err := r.Store.Put(ctx, c.Key, body, store.PutOptions{IfMatch: c.ETag, Tags: tags})
	switch {
	case errors.Is(err, store.ErrChanged):
		tally.Skipped++
		line.log(ctx, slog.LevelWarn, "password changed since it was listed; not rotated", "skipped", from, "", nil)
	case err != nil:
		tally.Failed++
		line.failed(ctx, from, err)
	default:
		tally.Rotated++
		line.log(ctx, slog.LevelInfo, "password rotated", "rotated", from, version, nil)
	}
}

// logLine is the log line of one due password.
type logLine struct {
	logger    *slog.Logger
	name, key string
	at        string
}

func (r Runner) line(key string, at time.Time) logLine {
	name := strings.TrimSuffix(strings.TrimPrefix(key, r.Prefix), ".json")
	return logLine{logger: r.Log, name: name, key: key, at: at.UTC().Format(time.RFC3339)}
}

func (l logLine) left(ctx context.Context, from string, err error) {
	l.log(ctx, slog.LevelWarn, "password left as it is", "left", from, "", err)
}

func (l logLine) failed(ctx context.Context, from string, err error) {
	l.log(ctx, slog.LevelError, "rotation failed", "failed", from, "", err)
}

// log writes the line: the caller is always the rotator, the versions are
// the one replaced (rotated_from) and the one written (version_id).
func (l logLine) log(ctx context.Context, level slog.Level, msg, outcome, from, version string, err error) {
	if l.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("caller", CreatedBy),
		slog.String("outcome", outcome),
		slog.String("name", l.name),
		slog.String("key", l.key),
		slog.String("rotated_from", from),
		slog.String("version_id", version),
		slog.String("scheduled_time", l.at),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.logger.LogAttrs(ctx, level, msg, attrs...)
}

// CreatedBy names the rotator as the author of the versions it writes, in
// their records and in its log lines.
const CreatedBy = "rotator"
