package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/store"
)

// versionedReader holds versions of one key; current is the current
// version's id, "" when a delete marker is current.
type versionedReader struct {
	current string
	bodies  map[string]string
}

func (v versionedReader) Get(_ context.Context, _ string, id string) (store.Object, error) {
	if id == "" {
		id = v.current
	}
	body, ok := v.bodies[id]
	if !ok {
		return store.Object{}, fmt.Errorf("get: %w", store.ErrNotFound)
	}
	return store.Object{Body: []byte(body), VersionID: id, LastModified: fixedNow}, nil
}

func (versionedReader) List(context.Context, string, string, int32) (store.Page[store.Listed], error) {
	return store.Page[store.Listed]{}, errors.New("not listed here")
}

func (versionedReader) Versions(context.Context, string, string, int32) (store.Page[store.Version], error) {
	return store.Page[store.Version]{}, errors.New("not listed here")
}

// TestRetrieverRefusesExpiredPasswords: the retriever's own clock decides.
// A current password past its expires_at is refused, and with it every
// version of its name; a version past its own expires_at is refused
// whatever the current one is. Each refusal is a 404 "Password expired"
// that holds no password, and is logged as expired.
func TestRetrieverRefusesExpiredPasswords(t *testing.T) {
	const expiresAt = "2026-11-25T18:30:05Z" // a day after fixedNow
	at, _ := time.Parse(time.RFC3339, expiresAt)
	expiring := `{"password": "secret-expiring", "expires_at": "` + expiresAt + `"}`
	lasting := `{"password": "secret-lasting"}`
	older := `{"password": "secret-older"}`
	tests := []struct {
		name    string
		reader  versionedReader
		now     time.Time
		version string
		status  int
		want    string // the password answered, or the message's start
	}{
		{"current before its time", versionedReader{"v2", map[string]string{"v2": expiring}}, at.Add(-time.Second), "", 200, "secret-expiring"},
		{"current at its time", versionedReader{"v2", map[string]string{"v2": expiring}}, at, "", 404, "x expired at " + expiresAt + ": it is no longer served"},
		{"current after its time", versionedReader{"v2", map[string]string{"v2": expiring}}, at.AddDate(1, 0, 0), "", 404, "x expired at"},
		{"current by its version id", versionedReader{"v2", map[string]string{"v2": expiring}}, at, "v2", 404, "x expired at"},
		{"an older version of an expired name", versionedReader{"v2", map[string]string{"v1": older, "v2": expiring}}, at, "v1", 404, "x expired at " + expiresAt + ": none of its versions is served"},
		{"an older version before the name expires", versionedReader{"v2", map[string]string{"v1": older, "v2": expiring}}, at.Add(-time.Second), "v1", 200, "secret-older"},
		{"an expired older version", versionedReader{"v2", map[string]string{"v1": expiring, "v2": lasting}}, at, "v1", 404, `x version "v1" expired at`},
		{"the current version after an expired one", versionedReader{"v2", map[string]string{"v1": expiring, "v2": lasting}}, at, "", 200, "secret-lasting"},
		{"an expired version behind a delete marker", versionedReader{"", map[string]string{"v1": expiring}}, at, "v1", 404, `x version "v1" expired at`},
		{"a lasting version behind a delete marker", versionedReader{"", map[string]string{"v1": lasting}}, at, "v1", 200, "secret-lasting"},
		{"an unknown version behind a delete marker", versionedReader{"", map[string]string{"v1": lasting}}, at, "v9", 404, `x has no version "v9"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, logs := newRetriever(tt.reader, nil)
			r.now = func() time.Time { return tt.now }
			var query map[string]string
			if tt.version != "" {
				query = map[string]string{"version_id": tt.version}
			}
			a := invokeRetriever(t, context.Background(), r, event(apiRequest{Route: apispec.RouteGet, Name: "x", Query: query, Client: "reader"}))
			if a.StatusCode != tt.status || a.Headers["Cache-Control"] != "no-store" {
				t.Fatalf("status %d headers %v, want %d with no-store", a.StatusCode, a.Headers, tt.status)
			}
			entry := logEntries(t, logs.String())[0]
			if tt.status == 200 {
				if a.body["password"] != tt.want {
					t.Errorf("answered another version: %v", a.body["version_id"])
				}
				return
			}
			msg, _ := a.body["message"].(string)
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("message %q, want it to start %q", msg, tt.want)
			}
			if expired := strings.Contains(tt.want, "expired"); expired != (a.body["error"] == "Password expired") || expired != (entry["outcome"] == "expired") {
				t.Errorf("error %v, log outcome %v", a.body["error"], entry["outcome"])
			}
			for _, body := range tt.reader.bodies {
				var rec record
				_ = json.Unmarshal([]byte(body), &rec)
				if strings.Contains(a.raw, rec.Password) || strings.Contains(logs.String(), rec.Password) {
					t.Error("a refusal or its log line holds a password")
				}
			}
		})
	}
}

// TestRetrieverRefusesARecordWithABrokenExpiry: a record whose expiry
// cannot be read is never served, since it might be past its time.
func TestRetrieverRefusesARecordWithABrokenExpiry(t *testing.T) {
	for _, body := range []string{`{"password": "p", "expires_at": "tomorrow"}`, `{"password": "p", "expires_at": 1}`} {
		r, logs := newRetriever(versionedReader{"v1", map[string]string{"v1": body}}, nil)
		a := invokeRetriever(t, context.Background(), r, event(apiRequest{Route: apispec.RouteGet, Name: "x", Client: "reader"}))
		if a.StatusCode != 502 || strings.Contains(a.raw, `"p"`) {
			t.Errorf("%s: status %d body %v, want 502 without the password", body, a.StatusCode, a.body)
		}
		if entry := logEntries(t, logs.String())[0]; !strings.Contains(fmt.Sprint(entry["error"]), "expires_at") || entry["version_id"] != "v1" {
			t.Errorf("%s: log line %v, want the cause and the version", body, entry)
		}
	}
}
