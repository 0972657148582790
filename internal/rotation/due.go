package rotation

import (
	"fmt"
	"strconv"
	"time"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/request"
)

const day = 24 * time.Hour

// minPeriod is the shortest rotation period a request may set.
const minPeriod = day

// runWindow bounds how long after its scheduled time a run writes: the
// schedule's flexible window (15 minutes), Scheduler's hour of retries,
// Lambda's retries of a failed run and the 300-second run itself all fit
// well inside it. A version written that soon after its rotated_at was
// written by that run.
const runWindow = 12 * time.Hour

// skipWithin is how recently a version may have been modified and still be
// due: its effective time is at least LastModified - runWindow, and a due
// one is at least minPeriod old. A run need not read the tags of versions
// modified later than that.
const skipWithin = minPeriod - runWindow

// At is the time a run is judged as of: the event's scheduled time, or now
// when it has none, to the second (the precision of the rotated_at tag).
// Unless trust is set (the local stack only), a scheduled time later than
// now is taken as now, so that no invoker can make passwords due early.
func (e Event) At(now time.Time, trust bool) (time.Time, error) {
	now = now.UTC().Truncate(time.Second)
	if e.ScheduledTime == "" {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339, e.ScheduledTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("scheduled_time %q: want an RFC 3339 time, such as 2026-11-30T04:00:00Z", e.ScheduledTime)
	}
	t = t.UTC().Truncate(time.Second)
	if !trust && t.After(now) {
		return now, nil
	}
	return t, nil
}

// Verdict is what a version's tags say about it as of a run's time.
type Verdict struct {
	// PeriodDays is the rotation period, 0 for a version stored without
	// one, which is never rotated.
	PeriodDays int
	// Due is true when the version's effective time is at least one
	// period before the run's time. The effective time is the later of its
	// LastModified and its rotated_at tag, except that a version written
	// within runWindow after its rotated_at counts from rotated_at: the
	// run of that time wrote it, a little after its scheduled time, and
	// that delay must not postpone the next rotation by a whole schedule
	// interval (with a daily schedule, a daily password would otherwise
	// rotate every other day). A rerun of the same time still finds it not
	// due, and a version copied later with old tags (a restore) counts
	// from its copy.
	Due bool
}

// Judge reads a current version's tags: whether it rotates, and whether it
// is due at at. Tags that a rotation cannot have written (a period out of
// range, a rotated_at that is not a time) are an error: the version is
// left alone rather than rotated on a guess.
func Judge(tags map[string]string, lastModified, at time.Time) (Verdict, error) {
	v, ok := tags[objecttags.KeyRotateEveryDays]
	if !ok {
		return Verdict{}, nil
	}
	period, err := strconv.Atoi(v)
	if err != nil || period < 1 || period > request.MaxRotateEveryDays {
		return Verdict{}, fmt.Errorf("tag %s=%q: want whole days from 1 to %d", objecttags.KeyRotateEveryDays, v, request.MaxRotateEveryDays)
	}
	effective := lastModified
	if v, ok := tags[objecttags.KeyRotatedAt]; ok {
		rotatedAt, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return Verdict{}, fmt.Errorf("tag %s=%q: want an RFC 3339 time", objecttags.KeyRotatedAt, v)
		}
		if !lastModified.After(rotatedAt.Add(runWindow)) {
			effective = rotatedAt
		}
	}
	return Verdict{PeriodDays: period, Due: !effective.After(at.Add(-time.Duration(period) * day))}, nil
}

// NextTags are the tags of the version that replaces a due one: the same
// generation parameters and period, the run's time as rotated_at and, when
// S3 named it, the replaced version as rotated_from.
func NextTags(params []byte, periodDays int, at time.Time, from string) (map[string]string, error) {
	tags, err := objecttags.Rotation(params, periodDays)
	if err != nil {
		return nil, err
	}
	tags[objecttags.KeyRotatedAt] = at.UTC().Format(time.RFC3339)
	if from != "" {
		tags[objecttags.KeyRotatedFrom] = from
	}
	return tags, nil
}
