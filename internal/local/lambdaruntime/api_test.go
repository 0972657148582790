package lambdaruntime

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests speak the Runtime API directly, for the answers aws-lambda-go's
// client never provokes but a broken runtime would.

// apiUnderTest is a process's Runtime API without a process behind it.
func apiUnderTest(t *testing.T) (*Function, string) {
	t.Helper()
	f, err := newFunction(Config{Binary: os.Args[0], Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.end)
	srv := httptest.NewServer(f.newProcess(nil).api())
	t.Cleanup(srv.Close)
	return f, srv.URL + apiPrefix
}

// dispatch queues an invocation as Invoke does.
func dispatch(f *Function, payload string) *invocation {
	inv := newInvocation([]byte(payload))
	go func() {
		select {
		case f.queue <- inv:
		case <-f.life.Done():
		}
	}()
	return inv
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url string, header http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func (r reply) errorType(t *testing.T) string {
	t.Helper()
	var doc errorDoc
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	return doc.ErrorType
}

func result(t *testing.T, inv *invocation) Result {
	t.Helper()
	select {
	case o := <-inv.done:
		if o.err != nil {
			t.Fatalf("invocation ended with %v", o.err)
		}
		return o.result
	case <-time.After(10 * time.Second):
		t.Fatal("invocation never ended")
		return Result{}
	}
}

func TestRuntimeAPIRejectsOutOfTurnCalls(t *testing.T) {
	f, api := apiUnderTest(t)

	if r := call(t, "POST", api+"/invocation/nobody/response", nil, []byte(`{}`)); r.status != http.StatusForbidden || r.errorType(t) != "InvalidStateTransition" {
		t.Errorf("response with no invocation in progress: %d %s, want 403 InvalidStateTransition", r.status, r.body)
	}

	before := time.Now()
	inv := dispatch(f, `{"length":20}`)
	next := call(t, "GET", api+"/invocation/next", nil, nil)
	if next.status != http.StatusOK || string(next.body) != `{"length":20}` {
		t.Fatalf("next: %d %s, want 200 and the event", next.status, next.body)
	}
	if got := next.header.Get("Lambda-Runtime-Aws-Request-Id"); got != inv.id {
		t.Errorf("request id header = %q, want %q", got, inv.id)
	}
	if got := next.header.Get("Lambda-Runtime-Invoked-Function-Arn"); got != f.arn {
		t.Errorf("function ARN header = %q, want %q", got, f.arn)
	}
	if got := next.header.Get("Lambda-Runtime-Trace-Id"); !strings.HasPrefix(got, "Root=1-") {
		t.Errorf("trace header = %q", got)
	}
	deadline, err := strconv.ParseInt(next.header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if err != nil || deadline < before.Add(time.Minute).UnixMilli()-1 || deadline > time.Now().Add(time.Minute).UnixMilli() {
		t.Errorf("deadline header = %q, want epoch ms one Timeout from now", next.header.Get("Lambda-Runtime-Deadline-Ms"))
	}

	if r := call(t, "GET", api+"/invocation/next", nil, nil); r.status != http.StatusForbidden || r.errorType(t) != "InvalidStateTransition" {
		t.Errorf("next during an invocation: %d %s, want 403 InvalidStateTransition", r.status, r.body)
	}
	if r := call(t, "POST", api+"/invocation/someone-else/response", nil, []byte(`{}`)); r.status != http.StatusBadRequest || r.errorType(t) != "InvalidRequestID" {
		t.Errorf("response for another request: %d %s, want 400 InvalidRequestID", r.status, r.body)
	}

	// An error without a body is built from its type header.
	header := http.Header{"Lambda-Runtime-Function-Error-Type": {"Runtime.Custom"}}
	if r := call(t, "POST", api+"/invocation/"+inv.id+"/error", header, nil); r.status != http.StatusAccepted || string(r.body) != `{"status":"OK"}` {
		t.Errorf("error: %d %s, want 202 {\"status\":\"OK\"}", r.status, r.body)
	}
	res := result(t, inv)
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorType":"Runtime.Custom","errorMessage":""}` {
		t.Errorf("result = %q %s", res.FunctionError, res.Payload)
	}

	if r := call(t, "POST", api+"/invocation/"+inv.id+"/response", nil, []byte(`{}`)); r.status != http.StatusForbidden {
		t.Errorf("second answer to one invocation: %d %s, want 403", r.status, r.body)
	}
	if r := call(t, "POST", api+"/init/error", nil, []byte(`{}`)); r.status != http.StatusForbidden {
		t.Errorf("init error after init: %d %s, want 403", r.status, r.body)
	}
}

func TestRuntimeAPIRejectsOversizedResponse(t *testing.T) {
	f, api := apiUnderTest(t)
	inv := dispatch(f, `{}`)
	if r := call(t, "GET", api+"/invocation/next", nil, nil); r.status != http.StatusOK {
		t.Fatalf("next: %d %s", r.status, r.body)
	}
	r := call(t, "POST", api+"/invocation/"+inv.id+"/response", nil, bytes.Repeat([]byte("a"), maxPayload+1))
	if r.status != http.StatusRequestEntityTooLarge || r.errorType(t) != "RequestEntityTooLarge" {
		t.Errorf("oversized response: %d %s, want 413 RequestEntityTooLarge", r.status, r.body)
	}
	var doc errorDoc
	res := result(t, inv)
	if err := json.Unmarshal(res.Payload, &doc); err != nil || res.FunctionError != "Unhandled" || doc.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("result = %q %s, want Unhandled Function.ResponseSizeTooLarge", res.FunctionError, res.Payload)
	}
}
