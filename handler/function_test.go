package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/store"
)

// fakeStore records what the function asked S3 to do; err or block make it
// fail the way a real endpoint can.
type fakeStore struct {
	puts  []put
	err   error
	block bool
}

type put struct {
	key  string
	body []byte
	store.PutOptions
}

func (s *fakeStore) Put(ctx context.Context, key string, body []byte, opts store.PutOptions) (string, error) {
	if s.block {
		<-ctx.Done()
		return "", ctx.Err()
	}
	if s.err != nil {
		return "", s.err
	}
	s.puts = append(s.puts, put{key, append([]byte(nil), body...), opts})
	return "v1", nil
}

type harness struct {
	fn    *function
	store *fakeStore
	logs  *bytes.Buffer
}

var fixedNow = time.Date(2026, 11, 24, 18, 30, 5, 0, time.UTC)

func newHarness(t *testing.T) *harness {
	t.Helper()
	logs := &bytes.Buffer{}
	st := &fakeStore{}
	cfg := fnconfig.Config{Bucket: "b", KeyPrefix: fnconfig.DefaultKeyPrefix, Limits: request.DefaultLimits()}
	policy, err := compilePolicy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{
		fn: &function{
			config: cfg,
			policy: policy,
			store:  st,
			random: rand.NewChaCha8([32]byte{7}),
			now:    func() time.Time { return fixedNow },
			log:    slog.New(slog.NewJSONHandler(logs, nil)),
		},
		store: st,
		logs:  logs,
	}
}

func (h *harness) invoke(t *testing.T, ctx context.Context, payload string) reply {
	t.Helper()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	out, err := h.fn.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatalf("Invoke returned an error instead of a response: %v", err)
	}
	return decodeReply(t, out)
}

// storedPassword returns the password of the last write, for leak checks.
func (h *harness) storedPassword(t *testing.T) string {
	t.Helper()
	if len(h.store.puts) == 0 {
		t.Fatal("nothing was stored")
	}
	var rec record
	if err := json.Unmarshal(h.store.puts[len(h.store.puts)-1].body, &rec); err != nil {
		t.Fatalf("stored object is not a record: %v", err)
	}
	return rec.Password
}

func (h *harness) assertNoLeak(t *testing.T, a reply) {
	t.Helper()
	for _, p := range h.store.puts {
		var rec record
		if err := json.Unmarshal(p.body, &rec); err != nil {
			t.Fatalf("stored object is not a record: %v", err)
		}
		if strings.Contains(a.raw, rec.Password) {
			t.Error("the response contains the stored password")
		}
		if strings.Contains(h.logs.String(), rec.Password) {
			t.Error("the log contains the stored password")
		}
	}
}

func TestRecipePayloadsAreStoredAndAnsweredWithoutThePassword(t *testing.T) {
	tests := []struct {
		payload    string
		name       string
		length     int
		wantSymbol bool
	}{
		{`{"length": 20, "name": "test-password-1"}`, "test-password-1", 20, true},
		{`{"length": 12, "include_symbols": false, "name": "simple-password"}`, "simple-password", 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			a := h.invoke(t, context.Background(), tt.payload)
			if a.StatusCode != 200 {
				t.Fatalf("status %d, body %v", a.StatusCode, a.body)
			}
			if a.Headers["Content-Type"] != "application/json" {
				t.Errorf("Content-Type = %q", a.Headers["Content-Type"])
			}
			want := map[string]any{
				"message":       "Password generated successfully",
				"password_name": tt.name,
				"s3_key":        "passwords/" + tt.name + ".json",
				"version_id":    "v1",
				"length":        float64(tt.length),
				"created_at":    "2026-11-24T18:30:05Z",
				"request_id":    "req-1",
			}
			for k, v := range want {
				if a.body[k] != v {
					t.Errorf("body[%q] = %v, want %v", k, a.body[k], v)
				}
			}
			if bits, _ := a.body["entropy_bits"].(float64); bits < 50 {
				t.Errorf("entropy_bits = %v, implausibly low", a.body["entropy_bits"])
			}
			if len(h.store.puts) != 1 || h.store.puts[0].key != "passwords/"+tt.name+".json" || h.store.puts[0].Overwrite {
				t.Fatalf("puts = %+v, want one create-only put of the named key", h.store.puts)
			}
			var rec record
			if err := json.Unmarshal(h.store.puts[0].body, &rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.Password) != tt.length || rec.Length != tt.length {
				t.Errorf("stored password has %d characters, record says %d, want %d", len(rec.Password), rec.Length, tt.length)
			}
			if rec.Parameters.IncludeSymbols != tt.wantSymbol || rec.CreatedAt != "2026-11-24T18:30:05Z" || rec.EntropyBits <= 0 {
				t.Errorf("stored parameters = %+v, created_at %q, entropy %v", rec.Parameters, rec.CreatedAt, rec.EntropyBits)
			}
			if !tt.wantSymbol && strings.ContainsAny(rec.Password, rec.Parameters.Symbols) {
				t.Error("include_symbols=false still produced a symbol")
			}
			h.assertNoLeak(t, a)
		})
	}
}

func TestStoredObjectKeepsSymbolsReadable(t *testing.T) {
	h := newHarness(t)
	h.invoke(t, context.Background(), `{"symbols": "<>&", "min_symbols": 4, "name": "x"}`)
	body := string(h.store.puts[0].body)
	if !strings.Contains(body, `"symbols": "<>&"`) {
		t.Errorf("stored JSON escapes HTML characters; a person reading it sees \\u003c: %s", strings.ReplaceAll(body, h.storedPassword(t), "<redacted>"))
	}
}

func TestGeneratedNamesAreUniqueAndWellFormed(t *testing.T) {
	h := newHarness(t)
	seen := map[string]bool{}
	pattern := regexp.MustCompile(`^password-20261124-183005-[0-9a-f]{8}$`)
	for i := 0; i < 50; i++ {
		a := h.invoke(t, context.Background(), `{}`)
		name, _ := a.body["password_name"].(string)
		if a.StatusCode != 200 || !pattern.MatchString(name) {
			t.Fatalf("status %d, name %q", a.StatusCode, name)
		}
		if seen[name] {
			t.Fatalf("name %q generated twice within one second", name)
		}
		seen[name] = true
	}
}

func TestAPIGatewayBodyIsHonoured(t *testing.T) {
	h := newHarness(t)
	event := `{"version":"2.0","routeKey":"POST /passwords","requestContext":{"http":{"method":"POST"}},` +
		`"body":"eyJsZW5ndGgiOiAzMCwgIm5hbWUiOiAiYXBpLXB3In0=","isBase64Encoded":true}`
	a := h.invoke(t, context.Background(), event)
	if a.StatusCode != 201 || a.Headers["Location"] != "/passwords/api-pw" || a.body["password_name"] != "api-pw" || a.body["length"] != float64(30) {
		t.Fatalf("status %d headers %v body %v, want 201 with the Location", a.StatusCode, a.Headers, a.body)
	}
}

func TestBadInputIsA400NamingTheProblemAndStoresNothing(t *testing.T) {
	tests := []struct{ payload, want string }{
		{`{"lenght": 20}`, "lenght"},
		{`{"length": "20"}`, "length"},
		{`{"length": 3}`, "length"},
		{`{"name": "../etc/passwd"}`, "name"},
		{`[1,2]`, "object"},
		{`not json`, "JSON"},
		{`{"include_lowercase":false,"include_uppercase":false,"include_numbers":false,"include_symbols":false}`, "include"},
		{`{"length": 8, "min_symbols": 9}`, "min"},
		{`{"expires_in_days": 8}`, "expires_in_days: must be one of 1, 7, 30, 90, 365, got 8"},
		{`{"rotate_every_days": 0}`, "rotate_every_days: must be between 1 and 3650"},
		{`{"expires_in_days": 7, "rotate_every_days": 30}`, `cannot be combined with "expires_in_days"`},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			h := newHarness(t)
			a := h.invoke(t, context.Background(), tt.payload)
			msg, _ := a.body["message"].(string)
			if a.StatusCode != 400 || a.body["error"] != "Invalid request" || !strings.Contains(msg, tt.want) || a.body["request_id"] != "req-1" {
				t.Fatalf("status %d body %v, want 400 mentioning %q", a.StatusCode, a.body, tt.want)
			}
			if len(h.store.puts) != 0 {
				t.Fatal("a rejected request stored something")
			}
			if !strings.Contains(h.logs.String(), `"status":400`) {
				t.Errorf("no log line for the rejection: %s", h.logs)
			}
		})
	}
}

func TestExistingNameIsA409AndOverwriteIsPassedOn(t *testing.T) {
	h := newHarness(t)
	h.store.err = store.ErrExists
	a := h.invoke(t, context.Background(), `{"name": "db-admin"}`)
	msg, _ := a.body["message"].(string)
	if a.StatusCode != 409 || !strings.Contains(msg, "passwords/db-admin.json") || !strings.Contains(msg, "overwrite") {
		t.Fatalf("status %d body %v", a.StatusCode, a.body)
	}

	h = newHarness(t)
	h.invoke(t, context.Background(), `{"name": "db-admin", "overwrite": true}`)
	if len(h.store.puts) != 1 || !h.store.puts[0].Overwrite {
		t.Fatalf("overwrite was not passed to the store: %+v", h.store.puts)
	}
}

// Patterns whose automaton over a request's characters is too large
// should have been refused at deployment; if a request still meets one, the
// deployer must act, so the answer is a 500 without internals, not a 400
// that tells the caller to change a request that is fine.
func TestPolicyTooLargeForARequestIsA500(t *testing.T) {
	h := newHarness(t)
	var patterns []string
	for n := 900; n < 925; n++ {
		patterns = append(patterns, fmt.Sprintf("%q", fmt.Sprintf(".{%d}", n)))
	}
	h.fn.config.Policy = `{"forbiddenPatterns":[` + strings.Join(patterns, ",") + `]}`
	policy, err := compilePolicy(h.fn.config)
	if err != nil {
		t.Fatal(err)
	}
	h.fn.policy = policy
	for range 2 { // the second answer comes from the warm function's cache
		a := h.invoke(t, context.Background(), `{"length": 16}`)
		msg, _ := a.body["message"].(string)
		if a.StatusCode != 500 || strings.Contains(msg, "automaton") {
			t.Fatalf("status %d body %v, want 500 without internals", a.StatusCode, a.body)
		}
	}
	if len(h.store.puts) != 0 {
		t.Errorf("stored %d objects, want none", len(h.store.puts))
	}
	if !strings.Contains(h.logs.String(), "automaton") {
		t.Errorf("the log does not say why: %s", h.logs.String())
	}
}

func TestStorageFailuresAre5xxWithoutInternals(t *testing.T) {
	sdkError := "operation error S3: PutObject, https response error StatusCode: 503, SlowDown"
	tests := []struct {
		name    string
		err     error
		message string // the caller's advice
	}{
		{"unconfirmed", errors.New("store passwords/x.json: " + sdkError), "retry with the same name"},
		{"denied", fmt.Errorf("store passwords/x.json: %w: %s", store.ErrDenied, sdkError), "access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.store.err = tt.err
			a := h.invoke(t, context.Background(), `{"name": "x"}`)
			msg, _ := a.body["message"].(string)
			if a.StatusCode != 502 || strings.Contains(msg, "SlowDown") || strings.Contains(msg, "StatusCode") {
				t.Fatalf("status %d body %v: want 502 without SDK internals", a.StatusCode, a.body)
			}
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not say %q", msg, tt.message)
			}
			if !strings.Contains(h.logs.String(), "SlowDown") {
				t.Error("the cause is not in the log, so an operator cannot diagnose it")
			}
		})
	}
}

func TestSlowStorageAnswersBeforeTheDeadline(t *testing.T) {
	h := newHarness(t)
	h.store.block = true
	deadline := time.Now().Add(2 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	a := h.invoke(t, ctx, `{"name": "slow"}`)
	if a.StatusCode != 504 {
		t.Fatalf("status %d body %v, want 504", a.StatusCode, a.body)
	}
	if time.Now().After(deadline) {
		t.Fatal("answered after the invocation deadline; Lambda would have killed the function first")
	}
}

func TestGeneratorFailureIsA500AndStoresNothing(t *testing.T) {
	h := newHarness(t)
	h.fn.random = io.LimitReader(rand.NewChaCha8([32]byte{}), 0)
	a := h.invoke(t, context.Background(), `{"name": "x"}`)
	if a.StatusCode != 500 || len(h.store.puts) != 0 {
		t.Fatalf("status %d, %d puts; want 500 and nothing stored", a.StatusCode, len(h.store.puts))
	}
}
