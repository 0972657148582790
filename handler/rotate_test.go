package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/rotation"
	"github.com/passwordgen/passwordgen/internal/store"
)

// The requests the rotation tests store passwords with: every field a
// rotation must carry over, for both types.
var rotatedRequests = []string{
	`{}`,
	`{"length": 40, "symbols": "<>&%", "exclude_characters": "lo", "exclude_ambiguous": true, "min_numbers": 3, "min_symbols": 2, "include_uppercase": false}`,
	`{"length": 12, "include_symbols": false}`,
	`{"type": "passphrase", "words": 7, "separator": ".", "capitalize": true}`,
}

// newRotator is the rotator of a harness: the generator's configuration,
// policy, random source and clock.
func newRotator(h *harness) *rotator {
	return &rotator{gen: h.fn, log: h.fn.log}
}

// generated is what the generator stores for payload with
// rotate_every_days set to periodDays: the record, its bytes and its tags.
func generated(t *testing.T, payload string, periodDays int) (record, []byte, map[string]string) {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal([]byte(payload), &fields); err != nil {
		t.Fatal(err)
	}
	fields["rotate_every_days"] = periodDays
	withPeriod, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	if a := h.invoke(t, context.Background(), string(withPeriod)); a.StatusCode != 200 {
		t.Fatalf("store %s: %d %v", withPeriod, a.StatusCode, a.body)
	}
	put := h.store.puts[0]
	var rec record
	if err := json.Unmarshal(put.body, &rec); err != nil {
		t.Fatal(err)
	}
	return rec, put.body, put.Tags
}

// TestRenewalHasTheSameParameters: the record that replaces a password has
// its type, length and every parameter, a new secret, the period, the
// version it replaces and the rotator as its author.
func TestRenewalHasTheSameParameters(t *testing.T) {
	for _, payload := range rotatedRequests {
		t.Run(payload, func(t *testing.T) {
			old, _, tags := generated(t, payload, 30)
			params, err := objecttags.DecodeParams(tags)
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t)
			h.fn.random = rand.NewChaCha8([32]byte{8}) // not the stream the old one came from
			body, err := newRotator(h).renew(rotation.Renewal{Key: "passwords/x.json", Params: params, PeriodDays: 30, From: "v-old"})
			if err != nil {
				t.Fatal(err)
			}
			var rec record
			if err := json.Unmarshal(body, &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Password == old.Password || rec.Password == "" {
				t.Error("the new version holds no new secret")
			}
			if rec.Type != old.Type || rec.Length != old.Length && old.Type == request.TypePassword || rec.EntropyBits != old.EntropyBits {
				t.Errorf("type %s, length %d, entropy %v; want %s, %d, %v", rec.Type, rec.Length, rec.EntropyBits, old.Type, old.Length, old.EntropyBits)
			}
			gotParams, _ := json.Marshal(rec.Parameters)
			wantParams, _ := json.Marshal(old.Parameters)
			if !bytes.Equal(gotParams, wantParams) {
				t.Errorf("parameters %s, want %s", gotParams, wantParams)
			}
			if rec.CreatedBy != "rotator" || rec.RotateEveryDays != 30 || rec.RotatedFrom != "v-old" || rec.CreatedAt != fixedNow.Format(time.RFC3339) {
				t.Errorf("created_by %q, rotate_every_days %d, rotated_from %q, created_at %s", rec.CreatedBy, rec.RotateEveryDays, rec.RotatedFrom, rec.CreatedAt)
			}
		})
	}
}

// TestRenewalUnderTheRulesInForce: parameters that today's limits or
// organization policy refuse leave the password as it is (ErrRefused);
// a policy too large to apply is the deployer's failure, not a refusal.
func TestRenewalUnderTheRulesInForce(t *testing.T) {
	params := []byte(`{"type":"password","length":16}`)
	tests := []struct {
		name    string
		setup   func(h *harness)
		refused bool
		want    string
	}{
		{"the minimum length was raised", func(h *harness) { h.fn.config.Limits.MinLength = 20 }, true, "length"},
		{"the policy now wants more entropy", func(h *harness) { usePolicy(t, h, `{"minEntropyBits": 120}`) }, true, "120"},
		{"a policy too large for the request", func(h *harness) {
			var patterns []string
			for n := 900; n < 925; n++ {
				patterns = append(patterns, fmt.Sprintf("%q", fmt.Sprintf(".{%d}", n)))
			}
			usePolicy(t, h, `{"forbiddenPatterns":[`+strings.Join(patterns, ",")+`]}`)
		}, false, "organization policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.setup(h)
			_, err := newRotator(h).renew(rotation.Renewal{Params: params, PeriodDays: 1})
			if err == nil || errors.Is(err, rotation.ErrRefused) != tt.refused || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("renew = %v; want refused=%v mentioning %q", err, tt.refused, tt.want)
			}
		})
	}
}

// TestRenewalRefusesTagsTheGeneratorDoesNotWrite: parameters tagged with
// fields that are not generation parameters were not written by the
// generator; the password is left as it is rather than renewed with them.
func TestRenewalRefusesTagsTheGeneratorDoesNotWrite(t *testing.T) {
	for _, field := range []string{`"expires_in_days": 7`, `"rotate_every_days": 1`, `"name": "elsewhere"`, `"overwrite": true`, `"dry_run": true`} {
		params := []byte(`{"type": "password", "length": 16, ` + field + `}`)
		_, err := newRotator(newHarness(t)).renew(rotation.Renewal{Params: params, PeriodDays: 1})
		if !errors.Is(err, rotation.ErrRefused) || !strings.Contains(err.Error(), "more than generation parameters") {
			t.Errorf("%s: renew = %v, want it refused", field, err)
		}
	}
}

func usePolicy(t *testing.T, h *harness, policy string) {
	t.Helper()
	h.fn.config.Policy = policy
	compiled, err := compilePolicy(h.fn.config)
	if err != nil {
		t.Fatal(err)
	}
	h.fn.policy = compiled
}

func TestRotatorReadsItsScheduledTime(t *testing.T) {
	later := fixedNow.Add(48 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name, payload string
		trust         bool
		want, wantErr string
	}{
		{"Scheduler's payload", `{"scheduled_time":"2026-11-24T04:00:00Z"}`, false, "2026-11-24T04:00:00Z", ""},
		{"empty object: now", `{}`, false, fixedNow.Format(time.RFC3339), ""},
		{"no payload: now", ``, false, fixedNow.Format(time.RFC3339), ""},
		{"a future time, deployed: now", `{"scheduled_time":"` + later + `"}`, false, fixedNow.Format(time.RFC3339), ""},
		{"a future time, local stack", `{"scheduled_time":"` + later + `"}`, true, later, ""},
		{"a misspelt field", `{"scheduled_tme":"2026-11-24T04:00:00Z"}`, false, "", `unknown field "scheduled_tme"`},
		{"not an object", `[]`, false, "", "want {\"scheduled_time\""},
		{"data after the object", `{"scheduled_time":"2026-11-24T04:00:00Z"} {"scheduled_time":"2026-12-24T04:00:00Z"}`, false, "", "nothing after it"},
		{"Scheduler's payload and a newline", "{\"scheduled_time\":\"2026-11-24T04:00:00Z\"}\n", false, "2026-11-24T04:00:00Z", ""},
		{"not a time", `{"scheduled_time":"soon"}`, false, "", "want an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fn.config.TrustScheduledTime = tt.trust
			got, err := newRotator(h).scheduledTime([]byte(tt.payload))
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("scheduledTime = %v, %v; want error %q", got, err, tt.wantErr)
				}
			case err != nil || got.Format(time.RFC3339) != tt.want:
				t.Errorf("scheduledTime = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

// unreadableTags lists two passwords whose tags cannot be read and, when
// listErr is set, a second page whose listing fails with it.
type unreadableTags struct{ listErr error }

func (u unreadableTags) ListCurrent(_ context.Context, _, token string, _ int32) (store.Page[store.Current], error) {
	if token != "" {
		return store.Page[store.Current]{}, u.listErr
	}
	old := fixedNow.Add(-72 * time.Hour)
	page := store.Page[store.Current]{Items: []store.Current{{Key: "passwords/a.json", ETag: `"1"`, LastModified: old}, {Key: "passwords/b.json", ETag: `"2"`, LastModified: old}}}
	if u.listErr != nil {
		page.Next = "more"
	}
	return page, nil
}

func (unreadableTags) Tags(_ context.Context, key string) (store.Tagging, error) {
	return store.Tagging{}, fmt.Errorf("get tags of %s: 503 SlowDown", key)
}

func (unreadableTags) Put(context.Context, string, []byte, store.PutOptions) (string, error) {
	return "", errors.New("nothing is due, so nothing is written")
}

// TestRotatorFailsWithItsCounts: a run with failures, or whose listing
// failed, is a function error whose message (all the failure queue keeps)
// holds the run's counts; failures of tag reads are not counted as due.
func TestRotatorFailsWithItsCounts(t *testing.T) {
	at := fixedNow.Format(time.RFC3339)
	for _, tt := range []struct {
		name  string
		store unreadableTags
		want  string
	}{
		{"tag reads failed", unreadableTags{},
			"rotation as of " + at + ": 2 failed, see the log; checked 2, due 0, rotated 0, skipped 0, left 0, failed 2"},
		{"the listing failed", unreadableTags{listErr: errors.New("list passwords/: 503 SlowDown")},
			"rotation as of " + at + " stopped: listing: list passwords/: 503 SlowDown; checked 2, due 0, rotated 0, skipped 0, left 0, failed 2 so far"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRotator(newHarness(t))
			r.store = tt.store
			out, err := r.Invoke(context.Background(), []byte(`{}`))
			if err == nil || err.Error() != tt.want || out != nil {
				t.Errorf("Invoke = %s, %v; want the error %q", out, err, tt.want)
			}
		})
	}
}

// TestBootstrapRotates runs the deployed binary as the rotator against
// MinIO, as the local stack runs it: a Scheduler-shaped payload whose time
// lies two days ahead makes the passwords with a one-day period due. Each
// gets one new version holding a new password of the same parameters,
// tagged as the generator tags it; the others are untouched; a rerun does
// nothing; no new password appears in the log, the answers or a tag.
func TestBootstrapRotates(t *testing.T) {
	d := deploy(t, 1, 30*time.Second, "_HANDLER=rotate", "ROTATION_TRUST_SCHEDULED_TIME=true")
	type seeded struct {
		rec  record
		tags map[string]string
	}
	due := map[string]seeded{}
	for i, payload := range rotatedRequests {
		rec, body, tags := generated(t, payload, 1)
		key := fmt.Sprintf("passwords/team-a/p%d.json", i)
		d.putTagged(t, key, body, tags)
		due[key] = seeded{rec, tags}
	}
	_, body, tags := generated(t, `{}`, 30)
	d.putTagged(t, "passwords/team-a/monthly.json", body, tags)
	d.putTagged(t, "passwords/team-a/plain.json", body, nil)

	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	payload := strings.Replace(rotation.SchedulerInput, "<aws.scheduler.scheduled-time>", at, 1)
	first := d.rotate(t, payload)
	want := rotation.Report{ScheduledTime: at, Checked: 6, Due: 4, Rotated: 4, Complete: true}
	if first.Report != want {
		t.Errorf("report %+v, want %+v", first.Report, want)
	}

	var secrets []string
	var allTags strings.Builder
	for key, old := range due {
		vs := d.versions(t, key)
		if len(vs) != 2 {
			t.Errorf("%s: %d versions, want 2", key, len(vs))
			continue
		}
		rec, out := d.get(t, key, "")
		secrets = append(secrets, rec.Password)
		gotParams, _ := json.Marshal(rec.Parameters)
		wantParams, _ := json.Marshal(old.rec.Parameters)
		if rec.Type != old.rec.Type || !bytes.Equal(gotParams, wantParams) || rec.CreatedBy != "rotator" || rec.RotateEveryDays != 1 {
			t.Errorf("%s: new record %s %s by %s every %d days; want %s %s by the rotator every 1", key, rec.Type, gotParams, rec.CreatedBy, rec.RotateEveryDays, old.rec.Type, wantParams)
		}
		if rec.Password == old.rec.Password {
			t.Errorf("%s: the password did not change", key)
		}
		newTags := d.tags(t, key, aws.ToString(out.VersionId))
		fmt.Fprintln(&allTags, newTags)
		if p, o := without(newTags, objecttags.KeyRotatedAt, objecttags.KeyRotatedFrom), old.tags; !maps.Equal(p, o) {
			t.Errorf("%s: tags %v, want the old %v", key, p, o)
		}
		if newTags[objecttags.KeyRotatedAt] != at {
			t.Errorf("%s: rotated_at %q, want %s", key, newTags[objecttags.KeyRotatedAt], at)
		}
	}
	for _, key := range []string{"passwords/team-a/monthly.json", "passwords/team-a/plain.json"} {
		if n := len(d.versions(t, key)); n != 1 {
			t.Errorf("%s: %d versions, want it untouched", key, n)
		}
	}

	again := d.rotate(t, payload)
	if want := (rotation.Report{ScheduledTime: at, Checked: 6, Complete: true}); again.Report != want {
		t.Errorf("rerun as of the same time: %+v, want %+v", again.Report, want)
	}
	for _, s := range secrets {
		d.assertSecret(t, s)
		if strings.Contains(first.raw+again.raw, s) || strings.Contains(allTags.String(), s) {
			t.Error("a new password appears in an answer or a tag")
		}
	}
	for _, line := range logEntries(t, d.logs.String()) {
		if line["msg"] == "password rotated" && (line["name"] == "" || line["caller"] != "rotator") {
			t.Errorf("log line %v does not name the password and the rotator", line)
		}
	}
}

// TestBootstrapRotatorClampsTheTimeWhenDeployed: without the local stack's
// trust, a scheduled time ahead of now is now, so nothing stored today is
// due, whatever the payload says.
func TestBootstrapRotatorClampsTheTimeWhenDeployed(t *testing.T) {
	d := deploy(t, 1, 30*time.Second, "_HANDLER=rotate")
	_, body, tags := generated(t, `{}`, 1)
	d.putTagged(t, "passwords/daily.json", body, tags)
	at := time.Now().UTC().Add(365 * 24 * time.Hour).Format(time.RFC3339)
	got := d.rotate(t, `{"scheduled_time":"`+at+`"}`)
	if got.Rotated != 0 || got.ScheduledTime >= at || got.Checked != 1 {
		t.Errorf("report %+v: want judged as of now, nothing rotated", got.Report)
	}
}

// TestBootstrapRotatorFailsVisibly: a run that cannot list is a function
// error, which Lambda retries and then sends to the on-failure
// destination, and so is a payload it cannot read.
func TestBootstrapRotatorFailsVisibly(t *testing.T) {
	d := deploy(t, 1, 30*time.Second, "_HANDLER=rotate", "BUCKET_NAME=no-such-bucket")
	for payload, want := range map[string]string{`{}`: "NoSuchBucket", `{"when":"now"}`: "unknown field"} {
		res, err := d.fn.Invoke(context.Background(), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if res.FunctionError == "" || !strings.Contains(string(res.Payload), want) {
			t.Errorf("payload %s: %s %s, want a function error saying %s", payload, res.FunctionError, res.Payload, want)
		}
	}
}

// rotationReply is one answer of the rotator.
type rotationReply struct {
	rotation.Report
	RequestID string `json:"request_id"`
	raw       string
}

func (d *deployment) rotate(t *testing.T, payload string) rotationReply {
	t.Helper()
	res, err := d.fn.Invoke(context.Background(), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("function error: %s", res.Payload)
	}
	var r rotationReply
	if err := json.Unmarshal(res.Payload, &r); err != nil || r.RequestID == "" {
		t.Fatalf("answer %s: %v", res.Payload, err)
	}
	r.raw = string(res.Payload)
	return r
}

// putTagged stores body as the administrator, with tags.
func (d *deployment) putTagged(t *testing.T, key string, body []byte, tags map[string]string) {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: &d.bucket, Key: &key, Body: bytes.NewReader(body)}
	if tags != nil {
		header, err := objecttags.Header(tags)
		if err != nil {
			t.Fatal(err)
		}
		in.Tagging = &header
	}
	if _, err := d.s3.PutObject(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func without(m map[string]string, keys ...string) map[string]string {
	out := maps.Clone(m)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}
