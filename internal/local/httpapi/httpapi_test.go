package httpapi

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// TestEventIsPayloadFormat2 checks what the function receives for each
// route: the 2.0 envelope, the route key, the greedy path parameter, the
// query, lowercased headers and the body as text.
func TestEventIsPayloadFormat2(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	auth := "Bearer " + e.token(t, "admin", "")
	e.do(t, "POST", "/passwords", auth, `{"name": "team-a/db"}`)
	e.do(t, "GET", "/passwords/team-a/db?version_id=v1", auth, "")
	e.do(t, "GET", "/passwords?prefix=team-a/&next_token=abc", auth, "")
	got := e.fn.invocations()
	if len(got) != 3 {
		t.Fatalf("%d invocations, want 3", len(got))
	}
	tests := []struct {
		route, rawPath, rawQuery, body string
		params, query                  map[string]string
	}{
		{apispec.RouteCreate, "/passwords", "", `{"name": "team-a/db"}`, nil, nil},
		{apispec.RouteGet, "/passwords/team-a/db", "version_id=v1", "", map[string]string{"name": "team-a/db"}, map[string]string{"version_id": "v1"}},
		{apispec.RouteList, "/passwords", "prefix=team-a/&next_token=abc", "", nil, map[string]string{"prefix": "team-a/", "next_token": "abc"}},
	}
	for i, tt := range tests {
		ev := got[i]
		rc := ev.RequestContext
		if ev.Version != "2.0" || ev.RouteKey != tt.route || rc.RouteKey != tt.route || rc.Stage != "$default" || rc.RequestID == "" {
			t.Errorf("%s: version %q, route %q/%q, stage %q, request id %q", tt.route, ev.Version, ev.RouteKey, rc.RouteKey, rc.Stage, rc.RequestID)
		}
		if ev.RawPath != tt.rawPath || ev.RawQueryString != tt.rawQuery || ev.Body != tt.body || ev.IsBase64Encoded {
			t.Errorf("%s: raw path %q, query %q, body %q (base64 %v)", tt.route, ev.RawPath, ev.RawQueryString, ev.Body, ev.IsBase64Encoded)
		}
		if !maps.Equal(ev.PathParameters, tt.params) || !maps.Equal(ev.QueryStringParameters, tt.query) {
			t.Errorf("%s: path parameters %v, query parameters %v", tt.route, ev.PathParameters, ev.QueryStringParameters)
		}
		if rc.HTTP.Method != strings.Fields(tt.route)[0] || rc.HTTP.SourceIP != "127.0.0.1" || rc.AccountID != lambdaruntime.AccountID {
			t.Errorf("%s: http %+v, account %q", tt.route, rc.HTTP, rc.AccountID)
		}
		if ev.Headers["authorization"] != auth || ev.Headers["x-forwarded-for"] != "127.0.0.1" {
			t.Errorf("%s: headers %v", tt.route, ev.Headers)
		}
		if rc.Authorizer == nil || rc.Authorizer.JWT == nil || rc.Authorizer.JWT.Claims["client_id"] != "admin" {
			t.Errorf("%s: authorizer %+v", tt.route, rc.Authorizer)
		}
	}
}

// TestBinaryBodiesAreBase64 follows API Gateway: bodies that are not text
// reach the function base64-encoded.
func TestBinaryBodiesAreBase64(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	auth := "Bearer " + e.token(t, "admin", "")
	r := e.do(t, "POST", "/passwords", auth, "\xff\xfe{}")
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	ev := e.fn.invocations()[0]
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString([]byte("\xff\xfe{}")) {
		t.Errorf("body %q base64 %v", ev.Body, ev.IsBase64Encoded)
	}
}

func TestRoutesThatDoNotExistAnswer404(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	auth := "Bearer " + e.token(t, "admin", "")
	for _, req := range [][2]string{{"GET", "/"}, {"DELETE", "/passwords/x"}, {"PUT", "/passwords"}, {"GET", "/passwords/"}, {"GET", "/passwordsx"}} {
		if r := e.do(t, req[0], req[1], auth, ""); r.status != 404 || r.body != `{"message":"Not Found"}` {
			t.Errorf("%s %s: %d %s, want 404", req[0], req[1], r.status, r.body)
		}
	}
	if n := len(e.fn.invocations()); n != 0 {
		t.Errorf("%d invocations", n)
	}
}

// TestResponses passes the function's 2.0 answers on as API Gateway does.
func TestResponses(t *testing.T) {
	tests := []struct {
		name    string
		result  lambdaruntime.Result
		err     error
		status  int
		body    string
		headers map[string]string
	}{
		{"a proxy response", lambdaruntime.Result{Payload: []byte(`{"statusCode":404,"headers":{"Cache-Control":"no-store","Content-Type":"application/json"},"body":"{\"error\":\"x\"}"}`)},
			nil, 404, `{"error":"x"}`, map[string]string{"Cache-Control": "no-store"}},
		{"a base64 body", lambdaruntime.Result{Payload: []byte(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`)}, nil, 200, "hi", nil},
		{"JSON without statusCode", lambdaruntime.Result{Payload: []byte(`{"ok":1}`)}, nil, 200, `{"ok":1}`, map[string]string{"Content-Type": "application/json"}},
		{"an impossible status", lambdaruntime.Result{Payload: []byte(`{"statusCode":42}`)}, nil, 500, `{"message":"Internal Server Error"}`, nil},
		{"a function error", lambdaruntime.Result{Payload: []byte(`{"errorType":"Runtime.ExitError","errorMessage":"x"}`), FunctionError: "Unhandled"}, nil, 500, `{"message":"Internal Server Error"}`, nil},
		{"no answer in time", lambdaruntime.Result{}, context.DeadlineExceeded, 503, `{"message":"Service Unavailable"}`, nil},
		{"a payload too large", lambdaruntime.Result{}, lambdaruntime.ErrPayloadTooLarge, 413, `{"message":"Request Entity Too Large"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 1000, 1000)
			e.fn.reply = func(events.APIGatewayV2HTTPRequest) (lambdaruntime.Result, error) { return tt.result, tt.err }
			r := e.do(t, "GET", "/passwords/x", "Bearer "+e.token(t, "reader", ""), "")
			if r.status != tt.status || r.body != tt.body {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tt.status, tt.body)
			}
			for k, v := range tt.headers {
				if r.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, r.header.Get(k), v)
				}
			}
			if r.header.Get("apigw-requestid") == "" {
				t.Error("no apigw-requestid header")
			}
		})
	}
}

// TestThrottleIsSharedAndStopsRequestsBeforeTheFunction sends a burst from
// two callers past the bucket: exactly burst requests run, the rest answer
// 429 and reach nothing.
func TestThrottleIsSharedAndStopsRequestsBeforeTheFunction(t *testing.T) {
	const burst, sent = 5, 30
	// A rate this low adds no token while the test runs.
	e := newEnv(t, 0.001, burst)
	tokens := []string{"Bearer " + e.token(t, "admin", ""), "Bearer " + e.token(t, "generator", "")}
	statuses := make(chan int, sent)
	var wg sync.WaitGroup
	for i := range sent {
		wg.Go(func() { statuses <- e.do(t, "POST", "/passwords", tokens[i%2], `{}`).status })
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[201] != burst || count[429] != sent-burst {
		t.Errorf("statuses %v, want %d 201 and %d 429", count, burst, sent-burst)
	}
	if n := len(e.fn.invocations()); n != burst {
		t.Errorf("%d invocations, want %d", n, burst)
	}
	if r := e.do(t, "GET", "/passwords/x", tokens[0], ""); r.status != 429 || r.body != `{"message":"Too Many Requests"}` {
		t.Errorf("after the burst: %d %s", r.status, r.body)
	}
}

func TestBucketRefillsAtTheRate(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBucket(2, 3, func() time.Time { return now })
	take := func() int {
		n := 0
		for b.allow() {
			n++
		}
		return n
	}
	steps := []struct {
		wait time.Duration
		want int
	}{
		{0, 3},                      // starts full
		{500 * time.Millisecond, 1}, // 2 a second
		{250 * time.Millisecond, 0},
		{250 * time.Millisecond, 1},
		{time.Hour, 3}, // never more than the burst
	}
	for i, s := range steps {
		now = now.Add(s.wait)
		if got := take(); got != s.want {
			t.Errorf("step %d: %d requests allowed, want %d", i, got, s.want)
		}
	}
}

// TestAccessLog writes one line per request with exactly the deployed
// format's fields, the caller of authorized requests, and no body.
func TestAccessLog(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	e.do(t, "POST", "/passwords", "Bearer "+e.token(t, "generator", ""), `{"name":"secret-body-marker"}`)
	e.do(t, "GET", "/passwords/x", "", "")
	e.do(t, "GET", "/nowhere", "", "")
	lines := e.accessLines(t)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	var names []string
	for _, f := range apispec.AccessLog {
		names = append(names, f.Name)
	}
	want := []map[string]string{
		{"routeKey": apispec.RouteCreate, "status": "201", "sub": "generator", "clientId": "generator", "authorizerError": "-", "sourceIp": "127.0.0.1"},
		{"routeKey": apispec.RouteGet, "status": "401", "sub": "-", "clientId": "-"},
		{"routeKey": "-", "status": "404"},
	}
	for i, line := range lines {
		var keys []string
		for k := range line {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, slices.Sorted(slices.Values(names))) {
			t.Errorf("line %d has fields %v, want %v", i, keys, names)
		}
		for k, v := range want[i] {
			if line[k] != v {
				t.Errorf("line %d: %s = %q, want %q", i, k, line[k], v)
			}
		}
		if line["requestId"] == "-" || line["responseLatency"] == "-" || line["requestTime"] == "-" {
			t.Errorf("line %d lacks request id, latency or time: %v", i, line)
		}
	}
	if strings.Contains(e.accessLog.String(), "secret-body-marker") {
		t.Error("the access log contains a request body")
	}
}

// TestEveryAccessLogVariableHasALocalValue keeps the local log in step
// with the deployed format: a field added to apispec without a local value
// fails here.
func TestEveryAccessLogVariableHasALocalValue(t *testing.T) {
	values := (&access{}).values()
	for _, f := range apispec.AccessLog {
		if _, ok := values[f.Variable]; !ok {
			t.Errorf("%s (%s) has no local value", f.Name, f.Variable)
		}
	}
}

func TestConfigProblemsAreReportedTogether(t *testing.T) {
	fn := &fakeFunction{}
	_, err := New(Config{
		Routes: []Route{
			{Key: "POST", Scopes: []string{"s"}, Function: fn},
			{Key: "GET /a/{x}/b", Scopes: []string{"s"}, Function: fn},
			{Key: "GET /b", Function: fn},
			{Key: "GET /c", Scopes: []string{"s"}},
		},
		Issuer: "issuer.example",
	})
	for _, want := range []string{`route "POST"`, `route "GET /a/{x}/b"`, `route "GET /b" has no scope`, `route "GET /c" has no function`, "rate limit", "issuer", "audiences"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}
