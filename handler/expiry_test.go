package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/password"
	"github.com/passwordgen/passwordgen/internal/request"
)

// lastPut is the last write the function asked for, with its record.
func (h *harness) lastPut(t *testing.T) (put, record) {
	t.Helper()
	if len(h.store.puts) == 0 {
		t.Fatal("nothing was stored")
	}
	p := h.store.puts[len(h.store.puts)-1]
	var rec record
	if err := json.Unmarshal(p.body, &rec); err != nil {
		t.Fatalf("stored object is not a record: %v", err)
	}
	return p, rec
}

// assertTagsHoldNoSecret fails if the password shows up in a tag, as
// stored or once the parameters are decoded.
func assertTagsHoldNoSecret(t *testing.T, tags map[string]string, pw string) {
	t.Helper()
	for k, v := range tags {
		if strings.Contains(k, pw) || strings.Contains(v, pw) {
			t.Errorf("tag %s holds the password", k)
		}
	}
	params, err := objecttags.DecodeParams(tags)
	if err != nil {
		t.Fatalf("DecodeParams: %v", err)
	}
	if strings.Contains(string(params), pw) {
		t.Error("the parameters in the tags hold the password")
	}
}

// TestExpiryIsTaggedAndRecorded: the object carries the tag the bucket's
// lifecycle rule filters on, in the same write, and the record, the answer
// and the log line say when the password expires.
func TestExpiryIsTaggedAndRecorded(t *testing.T) {
	for _, days := range request.DefaultExpiryDays() {
		t.Run(fmt.Sprint(days), func(t *testing.T) {
			h := newHarness(t)
			a := h.invoke(t, context.Background(), fmt.Sprintf(`{"name": "team-a/db", "expires_in_days": %d}`, days))
			if a.StatusCode != 200 {
				t.Fatalf("status %d body %v", a.StatusCode, a.body)
			}
			p, rec := h.lastPut(t)
			if want := map[string]string{objecttags.KeyExpiresInDays: fmt.Sprint(days)}; !maps.Equal(p.Tags, want) {
				t.Errorf("tags %v, want %v", p.Tags, want)
			}
			want := fixedNow.AddDate(0, 0, days).Format(time.RFC3339)
			if rec.ExpiresAt != want || rec.RotateEveryDays != 0 || a.body["expires_at"] != want {
				t.Errorf("record expires_at %q rotate_every_days %d, answer expires_at %v; want %s", rec.ExpiresAt, rec.RotateEveryDays, a.body["expires_at"], want)
			}
			if entry := logEntries(t, h.logs.String())[0]; entry["expires_at"] != want || entry["rotate_every_days"] != nil {
				t.Errorf("log line %v, want expires_at %s and no rotation", entry, want)
			}
			assertTagsHoldNoSecret(t, p.Tags, rec.Password)
			h.assertNoLeak(t, a)
		})
	}
}

// TestRotationTagsRegenerateTheSameParameters: the tags hold the period
// and parameters that Parse turns back into the same secret's kind, and
// never the secret.
func TestRotationTagsRegenerateTheSameParameters(t *testing.T) {
	for _, body := range []string{
		`{"name": "a", "rotate_every_days": 30}`,
		`{"name": "b", "rotate_every_days": 1, "length": 40, "symbols": "<>&\"\\", "exclude_characters": "abc\"\\ ", "min_numbers": 3, "exclude_ambiguous": true}`,
		`{"name": "c", "rotate_every_days": 3650, "type": "passphrase", "words": 8, "separator": " ", "capitalize": true}`,
	} {
		t.Run(body, func(t *testing.T) {
			h := newHarness(t)
			a := h.invoke(t, context.Background(), body)
			if a.StatusCode != 200 {
				t.Fatalf("status %d body %v", a.StatusCode, a.body)
			}
			want, err := request.Parse([]byte(body), h.fn.config.Limits)
			if err != nil {
				t.Fatal(err)
			}
			p, rec := h.lastPut(t)
			if p.Tags[objecttags.KeyRotateEveryDays] != fmt.Sprint(want.RotateEveryDays) || p.Tags[objecttags.KeyExpiresInDays] != "" {
				t.Errorf("tags %v, want rotate_every_days=%d and no expiry", p.Tags, want.RotateEveryDays)
			}
			if _, err := objecttags.Header(p.Tags); err != nil {
				t.Errorf("S3 would refuse the tags: %v", err)
			}
			params, err := objecttags.DecodeParams(p.Tags)
			if err != nil {
				t.Fatal(err)
			}
			got, err := request.Parse(params, h.fn.config.Limits)
			if err != nil {
				t.Fatalf("Parse(the tags' parameters %s): %v", params, err)
			}
			if got.Type != want.Type || got.Policy != want.Policy || got.Passphrase != want.Passphrase {
				t.Errorf("the tags regenerate %+v, want %+v", got, want)
			}
			if rec.RotateEveryDays != want.RotateEveryDays || rec.ExpiresAt != "" || a.body["rotate_every_days"] != float64(want.RotateEveryDays) {
				t.Errorf("record rotate_every_days %d expires_at %q, answer %v", rec.RotateEveryDays, rec.ExpiresAt, a.body["rotate_every_days"])
			}
			if entry := logEntries(t, h.logs.String())[0]; entry["rotate_every_days"] != float64(want.RotateEveryDays) {
				t.Errorf("log line %v, want rotate_every_days %d", entry, want.RotateEveryDays)
			}
			assertTagsHoldNoSecret(t, p.Tags, rec.Password)
			h.assertNoLeak(t, a)
		})
	}
}

// TestLargestParametersFitTheTags: the longest generation parameters the
// request rules let through Parse still fit in the tags beside the
// rotation tags, so no valid request is refused for its size. Each field
// takes its longest JSON form: the largest length any deployment may allow
// (4 digits), every minimum at that length, false (5 bytes) for every
// boolean but the one class Parse requires, every symbol there is (" and
// \ take two bytes once escaped), and as many exclusions as allowed, all
// of a character JSON escapes. Parse accepts more than the generator
// (minimums above the length), so this bounds every storable request.
func TestLargestParametersFitTheTags(t *testing.T) {
	limits := request.Limits{MinLength: 8, MaxLength: request.HighestLimit, ExpiryDays: request.DefaultExpiryDays()}
	var symbols strings.Builder
	for c := rune(0); c < 128; c++ {
		if password.IsSymbol(c) {
			symbols.WriteRune(c)
		}
	}
	const maxExclude = 256
	build := func(length, excluded int) []byte {
		body, _ := json.Marshal(map[string]any{ // plain values always marshal
			"rotate_every_days": request.MaxRotateEveryDays, "length": length,
			"include_lowercase": true, "include_uppercase": false, "include_numbers": false, "include_symbols": false,
			"symbols": symbols.String(), "exclude_characters": strings.Repeat(`\`, excluded),
			"exclude_ambiguous": false, "require_each_included_type": false,
			"min_lowercase": length, "min_uppercase": length, "min_numbers": length, "min_symbols": length,
		})
		return body
	}
	// The bounds above are the rules' own: one more is refused.
	for _, over := range [][]byte{build(request.HighestLimit+1, maxExclude), build(request.HighestLimit, maxExclude+1)} {
		if _, err := request.Parse(over, limits); err == nil {
			t.Fatal("Parse accepts more than this test assumes is the largest request; raise its bounds")
		}
	}
	req, err := request.Parse(build(request.HighestLimit, maxExclude), limits)
	if err != nil {
		t.Fatalf("the largest request: %v", err)
	}
	tags, err := objectTags(req)
	if err != nil {
		t.Fatalf("the largest parameters do not fit: %v", err)
	}
	if _, err := objecttags.Header(tags); err != nil {
		t.Errorf("S3 would refuse the tags: %v", err)
	}
	// The rotator adds rotated_at and rotated_from to these.
	if n := len(tags) + 2; n > objecttags.MaxTags {
		t.Errorf("%d tags with the rotator's two, more than S3's %d", n, objecttags.MaxTags)
	}
	encoded := 0
	for k, v := range tags {
		if strings.HasPrefix(k, "params_") {
			encoded += len(v)
		}
	}
	t.Logf("the largest parameters: %d bytes of JSON, %d characters in %d tags", len(req.GenerationJSON()), encoded, len(tags)-1)
}

// TestParametersTooLargeForTheTagsAreA400: were the rules ever to allow
// parameters that cannot be tagged, the request is the caller's to
// shorten, and the message says so.
func TestParametersTooLargeForTheTagsAreA400(t *testing.T) {
	req, err := request.Parse([]byte(`{"rotate_every_days": 7}`), request.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	req.Policy.ExcludeCharacters = strings.Repeat(`"`, 1000)
	_, err = objectTags(req)
	var reqErr *request.Error
	if !errors.As(err, &reqErr) || !strings.Contains(err.Error(), objecttags.ErrTooLarge.Error()) {
		t.Fatalf("objectTags = %v, want a request error about the size", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "rotate_every_days: ") || !strings.Contains(msg, "exclude_characters") {
		t.Errorf("message %q does not name the field and what to shorten", msg)
	}
	if got := rejected(err); got.status != 400 {
		t.Errorf("status %d, want 400", got.status)
	}
}

// TestOverwriteStoresTheNewVersionsTags: each version carries the tags of
// the request that wrote it.
func TestOverwriteStoresTheNewVersionsTags(t *testing.T) {
	h := newHarness(t)
	h.invoke(t, context.Background(), `{"name": "db", "expires_in_days": 7}`)
	a := h.invoke(t, context.Background(), `{"name": "db", "overwrite": true, "rotate_every_days": 30}`)
	if a.StatusCode != 200 || len(h.store.puts) != 2 {
		t.Fatalf("status %d, %d puts", a.StatusCode, len(h.store.puts))
	}
	second := h.store.puts[1]
	if !second.Overwrite || second.Tags[objecttags.KeyRotateEveryDays] != "30" || second.Tags[objecttags.KeyExpiresInDays] != "" {
		t.Errorf("overwrite stored with overwrite=%v tags %v, want the rotation tags only", second.Overwrite, second.Tags)
	}
	h.invoke(t, context.Background(), `{"name": "db", "overwrite": true}`)
	if third := h.store.puts[2]; len(third.Tags) != 0 {
		t.Errorf("an overwrite without expiry or rotation stored tags %v", third.Tags)
	}
}

// TestExpiryAndRotationAreAcceptedByBothTypes: the fields are shared, so
// a dry run of either type accepts them and stores nothing.
func TestExpiryAndRotationAreAcceptedByBothTypes(t *testing.T) {
	for _, body := range []string{
		`{"dry_run": true, "expires_in_days": 30}`,
		`{"dry_run": true, "type": "passphrase", "rotate_every_days": 90}`,
	} {
		h := newHarness(t)
		if a := h.invoke(t, context.Background(), body); a.StatusCode != 200 || len(h.store.puts) != 0 {
			t.Errorf("%s: status %d, %d puts", body, a.StatusCode, len(h.store.puts))
		}
	}
}
