package rotation_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/rotation"
)

func TestAt(t *testing.T) {
	now := time.Date(2026, 11, 30, 4, 0, 0, 700_000_000, time.UTC)
	tests := []struct {
		name      string
		scheduled string
		trust     bool
		want      string
		wantErr   string
	}{
		{"no scheduled time: now, to the second", "", false, "2026-11-30T04:00:00Z", ""},
		{"a past scheduled time", "2026-11-30T03:00:00Z", false, "2026-11-30T03:00:00Z", ""},
		{"another zone", "2026-11-30T05:00:00+02:00", false, "2026-11-30T03:00:00Z", ""},
		{"a future time is clamped to now", "2026-12-31T00:00:00Z", false, "2026-11-30T04:00:00Z", ""},
		{"a future time, trusted (local stack)", "2026-12-31T00:00:00Z", true, "2026-12-31T00:00:00Z", ""},
		{"not a time", "tomorrow", false, "", `scheduled_time "tomorrow": want an RFC 3339 time`},
		{"Scheduler's placeholder, unsubstituted", "<aws.scheduler.scheduled-time>", false, "", "want an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rotation.Event{ScheduledTime: tt.scheduled}.At(now, tt.trust)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("At = %v, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Format(time.RFC3339) != tt.want || got.Location() != time.UTC {
				t.Errorf("At = %v, %v; want %s UTC", got, err, tt.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	daysBefore := func(d float64) time.Time { return at.Add(-time.Duration(d * float64(24*time.Hour))) }
	tests := []struct {
		name         string
		tags         map[string]string
		lastModified time.Time
		want         rotation.Verdict
		wantErr      string
	}{
		{"no rotation tag: never due", map[string]string{"expires_in_days": "7"}, daysBefore(400), rotation.Verdict{}, ""},
		{"not a period old yet", map[string]string{"rotate_every_days": "30"}, daysBefore(29.9), rotation.Verdict{PeriodDays: 30}, ""},
		{"exactly a period old", map[string]string{"rotate_every_days": "30"}, daysBefore(30), rotation.Verdict{PeriodDays: 30, Due: true}, ""},
		{"older", map[string]string{"rotate_every_days": "1"}, daysBefore(3), rotation.Verdict{PeriodDays: 1, Due: true}, ""},
		{"rotated_at later than LastModified counts (a trusted future run)",
			map[string]string{"rotate_every_days": "1", "rotated_at": at.Format(time.RFC3339)}, daysBefore(5), rotation.Verdict{PeriodDays: 1}, ""},
		{"rotated_at long before LastModified (a restored copy): LastModified counts",
			map[string]string{"rotate_every_days": "1", "rotated_at": daysBefore(9).Format(time.RFC3339)}, daysBefore(0.5), rotation.Verdict{PeriodDays: 1}, ""},
		{"written by yesterday's run, minutes after its time: due today",
			map[string]string{"rotate_every_days": "1", "rotated_at": daysBefore(1).Format(time.RFC3339)}, daysBefore(1).Add(7 * time.Minute), rotation.Verdict{PeriodDays: 1, Due: true}, ""},
		{"written by yesterday's run after an hour of retries: due today",
			map[string]string{"rotate_every_days": "1", "rotated_at": daysBefore(1).Format(time.RFC3339)}, daysBefore(1).Add(70 * time.Minute), rotation.Verdict{PeriodDays: 1, Due: true}, ""},
		// The window's edge: 12 hours after rotated_at is still the run
		// that wrote it; a second later, LastModified counts.
		{"written 12 hours after yesterday's run time: counts from that time, due today",
			map[string]string{"rotate_every_days": "1", "rotated_at": daysBefore(1).Format(time.RFC3339)}, daysBefore(1).Add(12 * time.Hour), rotation.Verdict{PeriodDays: 1, Due: true}, ""},
		{"written 12 hours and a second after: counts from LastModified, not yet due",
			map[string]string{"rotate_every_days": "1", "rotated_at": daysBefore(1).Format(time.RFC3339)}, daysBefore(1).Add(12*time.Hour + time.Second), rotation.Verdict{PeriodDays: 1}, ""},
		{"rerun of today's run: not due",
			map[string]string{"rotate_every_days": "1", "rotated_at": at.Format(time.RFC3339)}, at.Add(3 * time.Minute), rotation.Verdict{PeriodDays: 1}, ""},
		{"rotated_at a period ago", map[string]string{"rotate_every_days": "7", "rotated_at": daysBefore(7).Format(time.RFC3339)}, daysBefore(8),
			rotation.Verdict{PeriodDays: 7, Due: true}, ""},
		{"a period of zero", map[string]string{"rotate_every_days": "0"}, daysBefore(9), rotation.Verdict{}, "rotate_every_days=\"0\": want whole days from 1 to 3650"},
		{"a period beyond the request rules", map[string]string{"rotate_every_days": "3651"}, daysBefore(9), rotation.Verdict{}, "want whole days"},
		{"a fractional period", map[string]string{"rotate_every_days": "1.5"}, daysBefore(9), rotation.Verdict{}, "want whole days"},
		{"rotated_at not a time", map[string]string{"rotate_every_days": "1", "rotated_at": "yesterday"}, daysBefore(9), rotation.Verdict{}, "rotated_at=\"yesterday\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rotation.Judge(tt.tags, tt.lastModified, at)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Judge = %+v, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Judge = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestNextTagsCarryTheParameters: the new version carries the same
// parameters and period, the run's time and the version it replaces, all
// within S3's tag limits.
func TestNextTagsCarryTheParameters(t *testing.T) {
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.FixedZone("CET", 3600))
	params := []byte(`{"type":"password","length":64,"symbols":"!@#$%^&*()-_=+[]{}<>?"}`)
	tags, err := rotation.NextTags(params, 30, at, "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
	if err != nil {
		t.Fatal(err)
	}
	got, err := objecttags.DecodeParams(tags)
	if err != nil || string(got) != string(params) {
		t.Errorf("parameters %s, %v; want %s", got, err, params)
	}
	want := map[string]string{"rotate_every_days": "30", "rotated_at": "2026-11-30T03:00:00Z", "rotated_from": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}
	for k, v := range want {
		if tags[k] != v {
			t.Errorf("tag %s = %q, want %q", k, tags[k], v)
		}
	}
	if _, err := objecttags.Header(tags); err != nil {
		t.Errorf("S3 would refuse the tags: %v", err)
	}

	unnamed, err := rotation.NextTags(params, 30, at, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := unnamed["rotated_from"]; ok || !maps.Equal(without(tags, "rotated_from"), unnamed) {
		t.Errorf("without a version to name: %v", unnamed)
	}
}

func without(m map[string]string, key string) map[string]string {
	out := maps.Clone(m)
	delete(out, key)
	return out
}
