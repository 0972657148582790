package main

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/testkit/backdate"
)

// tags reads the tags S3 holds for one version of key.
func (d *deployment) tags(t *testing.T, key, versionID string) map[string]string {
	t.Helper()
	out, err := d.s3.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: &d.bucket, Key: &key, VersionId: aws.String(versionID)})
	if err != nil {
		t.Fatalf("tags of %s: %v", key, err)
	}
	tags := map[string]string{}
	for _, tag := range out.TagSet {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags
}

// TestBootstrapStoresExpiryAndRotationTags runs the deployed binary: what
// S3 holds after a request with expires_in_days or rotate_every_days is
// the tag the lifecycle rules filter on, or the parameters the rotator
// regenerates from, on the very version written, and never the password.
func TestBootstrapStoresExpiryAndRotationTags(t *testing.T) {
	d := deploy(t, 1, 10*time.Second)
	var passwords []string
	var replies []reply
	store := func(payload string, status int) (reply, record, map[string]string) {
		t.Helper()
		r := d.invoke(t, payload)
		replies = append(replies, r)
		if r.StatusCode != status {
			t.Fatalf("%s: status %d body %v, want %d", payload, r.StatusCode, r.body, status)
		}
		key, version := r.body["s3_key"].(string), r.body["version_id"].(string)
		rec, _ := d.get(t, key, version)
		passwords = append(passwords, rec.Password)
		return r, rec, d.tags(t, key, version)
	}

	t.Run("expiry through the API", func(t *testing.T) {
		r, rec, tags := store(event(create("admin", `{"name": "team-a/db", "expires_in_days": 7}`)), 201)
		if !maps.Equal(tags, map[string]string{objecttags.KeyExpiresInDays: "7"}) {
			t.Errorf("tags %v, want expires_in_days=7 only", tags)
		}
		created, err := time.Parse(time.RFC3339, rec.CreatedAt)
		if want := created.AddDate(0, 0, 7).Format(time.RFC3339); err != nil || rec.ExpiresAt != want || r.body["expires_at"] != want {
			t.Errorf("record created_at %q expires_at %q, answer expires_at %v; want %s", rec.CreatedAt, rec.ExpiresAt, r.body["expires_at"], want)
		}
	})

	for _, payload := range []string{
		`{"name": "rotated", "rotate_every_days": 30, "length": 40, "symbols": "<>&\"\\%+", "exclude_characters": "O0Il1 ", "min_symbols": 4}`,
		`{"name": "rotated-phrase", "rotate_every_days": 7, "type": "passphrase", "words": 7, "separator": ".", "capitalize": true}`,
	} {
		t.Run("rotation "+payload, func(t *testing.T) {
			want, err := request.Parse([]byte(payload), request.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			_, rec, tags := store(payload, 200)
			if tags[objecttags.KeyRotateEveryDays] != fmt.Sprint(want.RotateEveryDays) || tags[objecttags.KeyExpiresInDays] != "" || rec.RotateEveryDays != want.RotateEveryDays {
				t.Errorf("tags %v, record rotate_every_days %d; want %d", tags, rec.RotateEveryDays, want.RotateEveryDays)
			}
			params, err := objecttags.DecodeParams(tags)
			if err != nil {
				t.Fatal(err)
			}
			got, err := request.Parse(params, request.DefaultLimits())
			if err != nil || got.Type != want.Type || got.Policy != want.Policy || got.Passphrase != want.Passphrase {
				t.Errorf("the stored tags regenerate %+v (%v), want %+v", got, err, want)
			}
			assertTagsHoldNoSecret(t, tags, rec.Password)
		})
	}

	t.Run("an overwrite carries its own tags", func(t *testing.T) {
		first, _, _ := store(`{"name": "changing", "expires_in_days": 1}`, 200)
		_, _, tags := store(`{"name": "changing", "overwrite": true, "rotate_every_days": 90}`, 200)
		if tags[objecttags.KeyRotateEveryDays] != "90" || tags[objecttags.KeyExpiresInDays] != "" {
			t.Errorf("the new version's tags %v, want rotation only", tags)
		}
		if old := d.tags(t, "passwords/changing.json", first.body["version_id"].(string)); !maps.Equal(old, map[string]string{objecttags.KeyExpiresInDays: "1"}) {
			t.Errorf("the old version's tags %v, want its expiry kept", old)
		}
	})

	t.Run("refusals store nothing", func(t *testing.T) {
		for _, tt := range []struct{ payload, want string }{
			{`{"name": "refused", "expires_in_days": 2}`, "expires_in_days: must be one of 1, 7, 30, 90, 365, got 2"},
			{`{"name": "refused", "expires_in_days": 7, "rotate_every_days": 7}`, `rotate_every_days: cannot be combined with "expires_in_days"`},
			{`{"name": "refused", "rotate_every_days": 3651}`, "rotate_every_days: must be between 1 and 3650"},
		} {
			r := d.invoke(t, tt.payload)
			if msg, _ := r.body["message"].(string); r.StatusCode != 400 || !strings.Contains(msg, tt.want) {
				t.Errorf("%s: status %d body %v, want 400 saying %q", tt.payload, r.StatusCode, r.body, tt.want)
			}
		}
		if v := d.versions(t, "passwords/refused.json"); len(v) != 0 {
			t.Errorf("refusals stored %d versions", len(v))
		}
	})

	for _, pw := range passwords {
		d.assertSecret(t, pw, replies...)
	}
}

// TestBootstrapOffersTheDeployedExpiryValues: the values come from the
// deployment, and a deployment may offer none.
func TestBootstrapOffersTheDeployedExpiryValues(t *testing.T) {
	for _, tt := range []struct {
		env, payload string
		status       int
		want         string
	}{
		{"2,14", `{"expires_in_days": 14}`, 200, ""},
		{"2,14", `{"expires_in_days": 7}`, 400, "expires_in_days: must be one of 2, 14, got 7"},
		{"none", `{"expires_in_days": 7}`, 400, "expires_in_days: is not offered by this deployment"},
	} {
		t.Run(tt.env+" "+tt.payload, func(t *testing.T) {
			d := deploy(t, 1, 10*time.Second, fnconfig.EnvExpiryDays+"="+tt.env)
			r := d.invoke(t, tt.payload)
			if msg, _ := r.body["message"].(string); r.StatusCode != tt.status || !strings.Contains(msg, tt.want) {
				t.Errorf("status %d body %v, want %d saying %q", r.StatusCode, r.body, tt.status, tt.want)
			}
		})
	}
}

// TestBootstrapRetrieverRefusesExpiredPasswords stores passwords through
// the generator and ages them a day (see backdate): the retriever then
// answers 404 "Password expired" for the expired name and each of its
// versions, and for a version that itself expired, while what has not
// expired still reads. No refusal or log line holds a password, and a
// listing still names the expired name without one.
func TestBootstrapRetrieverRefusesExpiredPasswords(t *testing.T) {
	gen := deploy(t, 1, 10*time.Second)
	ret := retrieverOf(t, gen)
	var calls apiCalls
	age := func(key, version string) string {
		t.Helper()
		id, err := backdate.Record(context.Background(), gen.s3, gen.bucket, key, version, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	version := func(r reply) string { return r.body["version_id"].(string) }

	// team-a/db: an older password without expiry, then one that expires
	// after a day, a day old.
	lasting := calls.expect(t, gen, create("admin", `{"name": "team-a/db"}`), 201)
	expiring := calls.expect(t, gen, create("admin", `{"name": "team-a/db", "overwrite": true, "expires_in_days": 1}`), 201)
	if r := calls.expect(t, ret, get("reader", "team-a/db", nil), 200); r.body["expires_at"] != expiring.body["expires_at"] {
		t.Errorf("before it expires: expires_at %v, want %v", r.body["expires_at"], expiring.body["expires_at"])
	}
	expired := age("passwords/team-a/db.json", version(expiring))
	// team-a/old: an expired password replaced by one without expiry.
	oldExpiring := calls.expect(t, gen, create("admin", `{"name": "team-a/old", "expires_in_days": 1}`), 201)
	oldExpired := age("passwords/team-a/old.json", version(oldExpiring))
	calls.expect(t, gen, create("admin", `{"name": "team-a/old", "overwrite": true}`), 201)

	for _, tt := range []struct {
		name, version string
		want          string // "" for a 200
	}{
		{"team-a/db", "", "team-a/db expired at "},
		{"team-a/db", expired, "team-a/db expired at "},
		{"team-a/db", version(expiring), "none of its versions is served"},
		{"team-a/db", version(lasting), "none of its versions is served"},
		{"team-a/old", oldExpired, fmt.Sprintf("team-a/old version %q expired at ", oldExpired)},
		{"team-a/old", version(oldExpiring), ""}, // its own day is not over
		{"team-a/old", "", ""},
	} {
		var query map[string]string
		if tt.version != "" {
			query = map[string]string{"version_id": tt.version}
		}
		if tt.want == "" {
			calls.expect(t, ret, get("reader", tt.name, query), 200)
			continue
		}
		r := calls.expect(t, ret, get("reader", tt.name, query), 404)
		if msg, _ := r.body["message"].(string); r.body["error"] != "Password expired" || !strings.Contains(msg, tt.want) || r.Headers["Cache-Control"] != "no-store" {
			t.Errorf("GET %s %v: %v, want Password expired saying %q", tt.name, query, r.shown(), tt.want)
		}
		id, _ := r.body["request_id"].(string)
		if entry := gen.logLine(t, id); entry["outcome"] != "expired" || entry["name"] != tt.name {
			t.Errorf("log line %v, want outcome expired for %s", entry, tt.name)
		}
	}
	if r := calls.expect(t, ret, list("reader", map[string]string{"prefix": "team-a/"}), 200); len(r.body["names"].([]any)) != 2 {
		t.Errorf("names %v, want both, expired or not", r.body["names"])
	}

	for _, v := range gen.versions(t, "passwords/team-a/") {
		rec, _ := gen.get(t, aws.ToString(v.Key), aws.ToString(v.VersionId))
		for _, r := range calls.replies {
			if r.body["password"] != rec.Password {
				gen.assertSecret(t, rec.Password, r)
			}
		}
	}
	assertAudited(t, gen.logs.String())
}
