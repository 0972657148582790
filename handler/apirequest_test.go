package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/store"
	"github.com/passwordgen/passwordgen/internal/testkit/apitest"
)

// apiRequest is a request through the HTTP API.
type apiRequest = apitest.Request

func event(r apiRequest) string { return string(r.Event()) }

func create(client, body string) apiRequest {
	return apiRequest{Route: apispec.RouteCreate, Client: client, Body: body}
}

// logEntries decodes the function's JSON log lines.
func logEntries(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, entry)
	}
	return out
}

// TestCallersAreAuditedAndRecorded: through the API a password is created
// (201, Location) by the token's subject, directly by "iam"; both the log
// line and the stored record say who.
func TestCallersAreAuditedAndRecorded(t *testing.T) {
	tests := []struct {
		name, payload, caller, location string
		status                          int
	}{
		{"through the API", event(create("ci-client", `{"name": "team-a/db"}`)), "ci-client", "/passwords/team-a/db", 201},
		{"direct", `{"name": "team-a/db"}`, "iam", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			a := h.invoke(t, context.Background(), tt.payload)
			if a.StatusCode != tt.status || a.Headers["Location"] != tt.location {
				t.Fatalf("status %d, headers %v; want %d, Location %q", a.StatusCode, a.Headers, tt.status, tt.location)
			}
			var rec record
			if err := json.Unmarshal(h.store.puts[0].body, &rec); err != nil || rec.CreatedBy != tt.caller {
				t.Errorf("record created_by %q (%v), want %q", rec.CreatedBy, err, tt.caller)
			}
			entry := logEntries(t, h.logs.String())[0]
			if entry["caller"] != tt.caller || entry["outcome"] != "stored" || entry["name"] != "team-a/db" || entry["version_id"] != "v1" || entry["status"] != float64(tt.status) {
				t.Errorf("log line %v: want caller %s, outcome stored, the name, the version and status %d", entry, tt.caller, tt.status)
			}
			h.assertNoLeak(t, a)
		})
	}
}

func TestGeneratorKeepsClientsInsideTheirPrefixes(t *testing.T) {
	tests := []struct {
		name, payload string
		status        int
	}{
		{"limited client inside", event(create("team-a", `{"name": "team-a/db"}`)), 201},
		{"limited client outside", event(create("team-a", `{"name": "team-b/db"}`)), 403},
		{"limited client in a look-alike sibling", event(create("team-a", `{"name": "team-ab/db"}`)), 403},
		{"limited client without a name", event(create("team-a", `{}`)), 403},
		{"unlimited client anywhere", event(create("admin", `{"name": "team-b/db"}`)), 201},
		{"a token without client_id", event(apiRequest{Route: apispec.RouteCreate, Claims: map[string]string{"sub": "user-1"}, Body: `{"name": "team-a/db"}`}), 403},
		{"an event without a token, which IAM authorized", event(apiRequest{Route: apispec.RouteCreate, Body: `{"name": "team-b/db"}`}), 201},
		{"direct invocation anywhere", `{"name": "team-b/db"}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fn.config.ClientPrefixes = apispec.ClientPrefixes{"team-a": {"team-a/"}}
			a := h.invoke(t, context.Background(), tt.payload)
			if a.StatusCode != tt.status {
				t.Fatalf("status %d body %v, want %d", a.StatusCode, a.body, tt.status)
			}
			if tt.status != 403 {
				return
			}
			msg, _ := a.body["message"].(string)
			if a.body["error"] != "Forbidden" || msg == "" || len(h.store.puts) != 0 {
				t.Errorf("body %v, %d puts: want Forbidden with a reason and nothing stored", a.body, len(h.store.puts))
			}
			if entry := logEntries(t, h.logs.String())[0]; entry["outcome"] != "forbidden" {
				t.Errorf("log line %v, want outcome forbidden", entry)
			}
		})
	}
}

// newRetriever is the retriever with the stack's defaults over rd, and
// its log.
func newRetriever(rd reader, prefixes apispec.ClientPrefixes) (*retriever, *bytes.Buffer) {
	logs := &bytes.Buffer{}
	return &retriever{
		config: fnconfig.Config{Bucket: "b", KeyPrefix: fnconfig.DefaultKeyPrefix, Limits: request.DefaultLimits(), ClientPrefixes: prefixes},
		store:  rd,
		now:    func() time.Time { return fixedNow },
		log:    slog.New(slog.NewJSONHandler(logs, nil)),
	}, logs
}

func invokeRetriever(t *testing.T, ctx context.Context, r *retriever, payload string) reply {
	t.Helper()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	out, err := r.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatalf("Invoke returned an error instead of a response: %v", err)
	}
	return decodeReply(t, out)
}

// fakeReader answers every read with err, or with body.
type fakeReader struct {
	err   error
	body  []byte
	block bool
}

func (f fakeReader) Get(ctx context.Context, key, versionID string) (store.Object, error) {
	if f.block {
		<-ctx.Done()
		return store.Object{}, ctx.Err()
	}
	return store.Object{Body: f.body, VersionID: "v1", LastModified: fixedNow}, f.err
}

func (f fakeReader) List(context.Context, string, string, int32) (store.Page[store.Listed], error) {
	return store.Page[store.Listed]{}, f.err
}

func (f fakeReader) Versions(context.Context, string, string, int32) (store.Page[store.Version], error) {
	return store.Page[store.Version]{}, f.err
}

// TestRetrieverFailuresSayWhatToDo covers what MinIO will not produce on
// demand: each answer is a 5xx without internals, with no-store.
func TestRetrieverFailuresSayWhatToDo(t *testing.T) {
	denied := errors.New("operation error S3: GetObject, StatusCode: 403, AccessDenied")
	tests := []struct {
		name    string
		reader  fakeReader
		status  int
		message string
	}{
		{"denied", fakeReader{err: errors.Join(store.ErrDenied, denied)}, 502, "access denied"},
		{"slow", fakeReader{block: true}, 504, "retry"},
		{"not a record", fakeReader{body: []byte("[1]")}, 502, "retry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, logs := newRetriever(tt.reader, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			a := invokeRetriever(t, ctx, r, event(apiRequest{Route: apispec.RouteGet, Name: "x", Client: "reader"}))
			msg, _ := a.body["message"].(string)
			if a.StatusCode != tt.status || !strings.Contains(msg, tt.message) || strings.Contains(msg, "StatusCode") || a.Headers["Cache-Control"] != "no-store" {
				t.Errorf("status %d headers %v body %v; want %d saying %q", a.StatusCode, a.Headers, a.body, tt.status, tt.message)
			}
			if entry := logEntries(t, logs.String())[0]; entry["outcome"] != "failed" || entry["error"] == nil {
				t.Errorf("log line %v, want outcome failed with the cause", entry)
			}
		})
	}
}

// TestRetrieverRefusesBadRequests answers 400 naming the problem, before
// any read.
func TestRetrieverRefusesBadRequests(t *testing.T) {
	get := func(name string, query map[string]string) apiRequest {
		return apiRequest{Route: apispec.RouteGet, Name: name, Query: query, Client: "reader"}
	}
	list := func(query map[string]string) apiRequest {
		return apiRequest{Route: apispec.RouteList, Query: query, Client: "reader"}
	}
	tests := []struct {
		name string
		req  apiRequest
		want string
	}{
		{"a traversal name", get("../etc", nil), "name"},
		{"an unknown query parameter", get("x", map[string]string{"version": "v1"}), `"version"`},
		{"versions neither true nor false", get("x", map[string]string{"versions": "yes"}), "versions"},
		{"a version and the versions", get("x", map[string]string{"versions": "true", "version_id": "v1"}), "exclude"},
		{"max_items 0", get("x", map[string]string{"versions": "true", "max_items": "0"}), "max_items"},
		{"max_items too large", list(map[string]string{"max_items": "1001"}), "max_items"},
		{"a traversal prefix", list(map[string]string{"prefix": "../"}), "prefix"},
		{"an unknown list parameter", list(map[string]string{"name": "x"}), `"name"`},
		{"another route", apiRequest{Route: apispec.RouteCreate, Client: "reader"}, "routes only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newRetriever(fakeReader{err: errors.New("the store must not be asked")}, nil)
			a := invokeRetriever(t, context.Background(), r, event(tt.req))
			msg, _ := a.body["message"].(string)
			if a.StatusCode != 400 || !strings.Contains(msg, tt.want) {
				t.Errorf("status %d body %v; want 400 mentioning %s", a.StatusCode, a.body, tt.want)
			}
		})
	}
	r, _ := newRetriever(fakeReader{}, nil)
	if a := invokeRetriever(t, context.Background(), r, `{"name": "x"}`); a.StatusCode != 400 || a.body["error"] != "Invalid request" {
		t.Errorf("a direct invocation: status %d body %v, want 400", a.StatusCode, a.body)
	}
}

// TestRetrieverKeepsSymbolsReadable: a password read through the API
// holds <, > and & as stored, not as \u003c escapes.
func TestRetrieverKeepsSymbolsReadable(t *testing.T) {
	r, _ := newRetriever(fakeReader{body: []byte(`{"password": "a<b>&c"}`)}, nil)
	a := invokeRetriever(t, context.Background(), r, event(apiRequest{Route: apispec.RouteGet, Name: "x", Client: "reader"}))
	if a.StatusCode != 200 || !strings.Contains(a.Body, `"password":"a<b>&c"`) {
		t.Errorf("status %d, body escapes the symbols or lost them", a.StatusCode)
	}
}

// TestDryRunThroughTheAPICreatesNothing: a dry run stores nothing, so it
// keeps its 200 and gets no Location through the API.
func TestDryRunThroughTheAPICreatesNothing(t *testing.T) {
	h := newHarness(t)
	a := h.invoke(t, context.Background(), event(create("admin", `{"name": "team-a/db", "dry_run": true}`)))
	if a.StatusCode != 200 || a.Headers["Location"] != "" || len(h.store.puts) != 0 {
		t.Errorf("status %d, Location %q, %d puts; want 200, none and nothing stored", a.StatusCode, a.Headers["Location"], len(h.store.puts))
	}
}
