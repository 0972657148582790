package invokeapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/invokeapi"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

const echo = `{"action":"echo","text":"h\u00e9llo"}`

func TestInvoke(t *testing.T) {
	rec := &recorder{next: fn}
	_, srv := serve(t, map[string]invokeapi.Invoker{"fn": rec})
	notFound := func(arn string) string {
		return `{"Type":"User","message":"Function not found: ` + arn + `"}`
	}
	tests := []struct {
		name    string
		ref     string // FunctionName in the path, URL-escaped
		query   string
		header  map[string]string
		payload string
		status  int
		// errorType is x-amzn-ErrorType, or for a 200 X-Amz-Function-Error.
		errorType string
		body      string // exact; "" skips the check
		contains  string // for bodies too long to state
		delivered string // the payload the function received; "" means none
	}{
		{name: "name", ref: "fn", payload: echo, status: 200, body: echo, delivered: echo},
		{name: "name with $LATEST", ref: "fn:%24LATEST", payload: echo, status: 200, body: echo, delivered: echo},
		{name: "Qualifier $LATEST", ref: "fn", query: "?Qualifier=%24LATEST", payload: echo, status: 200, body: echo, delivered: echo},
		{name: "ARN", ref: "arn:aws:lambda:us-east-1:000000000000:function:fn", payload: echo, status: 200, body: echo, delivered: echo},
		{name: "escaped ARN", ref: "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn", payload: echo, status: 200, body: echo, delivered: echo},
		{name: "partial ARN", ref: "000000000000:function:fn", payload: echo, status: 200, body: echo, delivered: echo},
		{name: "empty payload is {}", ref: "fn", payload: "", status: 200, errorType: "Unhandled", contains: `unknown action \"\"`, delivered: "{}"},
		{name: "function error", ref: "fn", payload: `{"action":"error"}`, status: 200, errorType: "Unhandled",
			contains: `"errorMessage":"requested failure"`, delivered: `{"action":"error"}`},
		{name: "largest payload", ref: "fn", payload: bigJSON(6 << 20), status: 200, errorType: "Unhandled",
			contains: "cannot unmarshal string", delivered: bigJSON(6 << 20)},

		{name: "unknown function", ref: "nope", payload: echo, status: 404, errorType: "ResourceNotFoundException",
			body: notFound("arn:aws:lambda:us-east-1:000000000000:function:nope")},
		{name: "unknown qualifier", ref: "fn:1", payload: echo, status: 404, errorType: "ResourceNotFoundException",
			body: notFound("arn:aws:lambda:us-east-1:000000000000:function:fn:1")},
		{name: "unknown Qualifier", ref: "fn", query: "?Qualifier=prod", payload: echo, status: 404, errorType: "ResourceNotFoundException",
			body: notFound("arn:aws:lambda:us-east-1:000000000000:function:fn:prod")},
		{name: "ARN of another region", ref: "arn:aws:lambda:eu-west-1:000000000000:function:fn", payload: echo, status: 404,
			errorType: "ResourceNotFoundException", body: notFound("arn:aws:lambda:eu-west-1:000000000000:function:fn")},
		{name: "ARN of a sovereign-cloud region", ref: "arn:aws-eusc:lambda:eusc-de-east-1:000000000000:function:fn", payload: echo, status: 404,
			errorType: "ResourceNotFoundException", body: notFound("arn:aws:lambda:eusc-de-east-1:000000000000:function:fn")},
		{name: "ARN of another account", ref: "123456789012:function:fn", payload: echo, status: 404,
			errorType: "ResourceNotFoundException", body: notFound("arn:aws:lambda:us-east-1:123456789012:function:fn")},
		{name: "qualifiers disagree", ref: "fn:%24LATEST", query: "?Qualifier=prod", payload: echo, status: 400,
			errorType: "InvalidParameterValueException", contains: "does not match the specified qualifier"},
		{name: "invalid name", ref: "fn%20x", payload: echo, status: 400, errorType: "ValidationException",
			contains: "Value 'fn x' at 'functionName' failed to satisfy constraint"},
		{name: "not JSON", ref: "fn", payload: `not json`, status: 400, errorType: "InvalidRequestContentException",
			body: `{"Type":"User","message":"Could not parse request body into json: Could not parse payload into json: invalid character 'o' in literal null (expecting 'u') at byte 2"}`},
		{name: "trailing garbage", ref: "fn", payload: `{} x`, status: 400, errorType: "InvalidRequestContentException",
			contains: "after top-level value"},
		{name: "too large", ref: "fn", payload: bigJSON(6<<20 + 1), status: 413, errorType: "RequestEntityTooLargeException",
			body: `{"Type":"User","message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}`},
		{name: "event too large", ref: "fn", header: map[string]string{"X-Amz-Invocation-Type": "Event"}, payload: bigJSON(1<<20 + 1),
			status: 413, errorType: "RequestEntityTooLargeException", contains: "smaller than 1048576 bytes"},
		{name: "dry run", ref: "fn", header: map[string]string{"X-Amz-Invocation-Type": "DryRun"}, payload: echo, status: 204, body: ""},
		{name: "dry run of unknown function", ref: "nope", header: map[string]string{"X-Amz-Invocation-Type": "DryRun"}, payload: echo,
			status: 404, errorType: "ResourceNotFoundException"},
		{name: "dry run of non-JSON", ref: "fn", header: map[string]string{"X-Amz-Invocation-Type": "DryRun"}, payload: "{",
			status: 400, errorType: "InvalidRequestContentException"},
		{name: "unknown invocation type", ref: "fn", header: map[string]string{"X-Amz-Invocation-Type": "Later"}, payload: echo,
			status: 400, errorType: "ValidationException", contains: "at 'invocationType'"},
		{name: "log tail", ref: "fn", header: map[string]string{"X-Amz-Log-Type": "Tail"}, payload: echo,
			status: 501, errorType: "NotImplemented", contains: "Tail is not supported locally"},
		{name: "log none", ref: "fn", header: map[string]string{"X-Amz-Log-Type": "None"}, payload: echo, status: 200, body: echo, delivered: echo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := rec.seen()
			r := send(t, http.MethodPost, invokeURL(srv, tt.ref)+tt.query, tt.header, strings.NewReader(tt.payload))
			after, _ := rec.seen()

			if r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
			if id := r.header.Get("x-amzn-RequestId"); !uuidV4.MatchString(id) {
				t.Errorf("x-amzn-RequestId %q, want a UUID", id)
			}
			gotType := r.header.Get("x-amzn-ErrorType")
			if tt.status == 200 {
				gotType = r.header.Get("X-Amz-Function-Error")
				if v := r.header.Get("X-Amz-Executed-Version"); v != "$LATEST" {
					t.Errorf("X-Amz-Executed-Version %q, want $LATEST", v)
				}
			}
			if gotType != tt.errorType {
				t.Errorf("error type %q, want %q", gotType, tt.errorType)
			}
			if tt.status != 204 && r.header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
			if (tt.body != "" || tt.status == 204) && r.body != tt.body {
				t.Errorf("body %s\nwant %s", abbreviate(r.body), tt.body)
			}
			if !strings.Contains(r.body, tt.contains) {
				t.Errorf("body %s, want it to contain %s", abbreviate(r.body), tt.contains)
			}

			switch delivered := after[len(before):]; {
			case tt.delivered == "" && len(delivered) != 0:
				t.Errorf("the function ran %d times, want not at all", len(delivered))
			case tt.delivered != "" && (len(delivered) != 1 || delivered[0] != tt.delivered):
				t.Errorf("the function received %d payloads, want exactly %s", len(delivered), abbreviate(tt.delivered))
			}
		})
	}
}

// abbreviate keeps multi-megabyte payloads out of failure messages.
func abbreviate(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%s... (%d bytes)", s[:200], len(s))
	}
	return s
}

func TestRequestIDIsTheFunctions(t *testing.T) {
	_, srv := serve(t, map[string]invokeapi.Invoker{"fn": fn})
	r := post(t, srv, "fn", nil, `{"action":"whoami"}`)
	var id struct {
		RequestID   string `json:"request_id"`
		FunctionARN string `json:"function_arn"`
	}
	if err := json.Unmarshal([]byte(r.body), &id); err != nil || r.status != 200 {
		t.Fatalf("whoami: status %d, body %s (%v)", r.status, r.body, err)
	}
	if got := r.header.Get("x-amzn-RequestId"); got != id.RequestID {
		t.Errorf("x-amzn-RequestId %q, the function saw %q", got, id.RequestID)
	}
	// The ARN in ResourceNotFoundException messages is the runtime's.
	if want := "arn:aws:lambda:us-east-1:000000000000:function:fn"; id.FunctionARN != want {
		t.Errorf("function ARN %q, want %q", id.FunctionARN, want)
	}
}

func TestServiceErrors(t *testing.T) {
	failing := func(err error) invokeapi.Invoker {
		return invokerFunc(func(context.Context, []byte) (lambdaruntime.Result, error) { return lambdaruntime.Result{}, err })
	}
	_, srv := serve(t, map[string]invokeapi.Invoker{
		"closed":  failing(lambdaruntime.ErrClosed),
		"broken":  failing(errors.New("listen for the Runtime API: too many open files")),
		"toolong": failing(lambdaruntime.ErrPayloadTooLarge),
	})
	tests := []struct {
		function, errorType, contains string
		status                        int
	}{
		{"closed", "ServiceException", "shutting down", 500},
		{"broken", "ServiceException", "too many open files", 500},
		{"toolong", "RequestEntityTooLargeException", "6291456 bytes", 413},
	}
	for _, tt := range tests {
		r := post(t, srv, tt.function, nil, `{}`)
		if r.status != tt.status || r.header.Get("x-amzn-ErrorType") != tt.errorType || !strings.Contains(r.body, tt.contains) {
			t.Errorf("%s: %d %s %s, want %d %s containing %q",
				tt.function, r.status, r.header.Get("x-amzn-ErrorType"), r.body, tt.status, tt.errorType, tt.contains)
		}
	}
}

func TestUnknownOperation(t *testing.T) {
	_, srv := serve(t, map[string]invokeapi.Invoker{"fn": fn})
	for _, tt := range []struct{ method, path string }{
		{http.MethodGet, "/2015-03-31/functions/fn/invocations"},
		{http.MethodGet, "/2015-03-31/functions/"}, // ListFunctions
		{http.MethodPost, "/2014-11-13/functions/fn/invoke-async/"},
	} {
		r := send(t, tt.method, srv.URL+tt.path, nil, nil)
		if r.status != 404 || r.header.Get("x-amzn-ErrorType") != "UnknownOperationException" || !strings.Contains(r.body, "serves only Lambda's Invoke operation") {
			t.Errorf("%s %s: %d %s %s", tt.method, tt.path, r.status, r.header.Get("x-amzn-ErrorType"), r.body)
		}
	}
}

func TestEventRunsAfterTheAnswerAndCloseWaitsForIt(t *testing.T) {
	rec := &recorder{next: fn}
	h, srv := serve(t, map[string]invokeapi.Invoker{"fn": rec})
	const sleep = 400 * time.Millisecond
	payload := fmt.Sprintf(`{"action":"echo","sleep_ms":%d}`, sleep.Milliseconds())

	start := time.Now()
	r := post(t, srv, "fn", map[string]string{"X-Amz-Invocation-Type": "Event"}, payload)
	answered := time.Since(start)
	if r.status != http.StatusAccepted || r.body != "" || !uuidV4.MatchString(r.header.Get("x-amzn-RequestId")) {
		t.Fatalf("Event: %d %q, x-amzn-RequestId %q; want 202, no body and a request id", r.status, r.body, r.header.Get("x-amzn-RequestId"))
	}
	if answered >= sleep {
		t.Errorf("Event answered after %v, not before the function finished (%v)", answered, sleep)
	}

	h.Close()
	closed := time.Since(start)
	payloads, finished := rec.seen()
	if len(payloads) != 1 || payloads[0] != payload || finished != 1 {
		t.Fatalf("after Close the function got %d payloads and finished %d, want the event run to completion", len(payloads), finished)
	}
	if closed < sleep {
		t.Errorf("Close returned after %v, before the event's %v could finish", closed, sleep)
	}

	for _, typ := range []string{"Event", "RequestResponse"} {
		r = post(t, srv, "fn", map[string]string{"X-Amz-Invocation-Type": typ}, payload)
		if r.status != 500 || r.header.Get("x-amzn-ErrorType") != "ServiceException" {
			t.Errorf("%s after Close: %d %s %s, want 500 ServiceException", typ, r.status, r.header.Get("x-amzn-ErrorType"), r.body)
		}
	}
	if payloads, _ := rec.seen(); len(payloads) != 1 {
		t.Errorf("the function ran %d times; invocations after Close must not run", len(payloads))
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		name      string
		functions map[string]invokeapi.Invoker
		want      string
	}{
		{"no functions", nil, "no functions"},
		{"bad name", map[string]invokeapi.Invoker{"my fn": fn}, `function name "my fn"`},
		{"nil function", map[string]invokeapi.Invoker{"fn": nil}, "function fn is nil"},
	} {
		_, err := invokeapi.New(invokeapi.Config{Functions: tt.functions})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
