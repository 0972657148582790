package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxStoreAttempts is internal/store's maxAttempts: for the faults below
// the SDK's retries are the only ones, since the store itself retries only
// a 409 ConditionalRequestConflict.
const maxStoreAttempts = 3

// fault is how faultEndpoint fails one request. r.Body records whatever
// the fault reads of it.
type fault func(w http.ResponseWriter, r *http.Request)

// faultEndpoint is an S3 endpoint that stores nothing and fails every
// request with its current fault, keeping what each attempt sent so a test
// can look for that attempt's password in the function's logs and answers.
type faultEndpoint struct {
	url   string
	mu    sync.Mutex
	fault fault
	sent  []*lockedBuffer // one per attempt, written while the client may already read
}

func newFaultEndpoint(t *testing.T) *faultEndpoint {
	t.Helper()
	e := &faultEndpoint{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent := &lockedBuffer{}
		e.mu.Lock()
		e.sent = append(e.sent, sent)
		fail := e.fault
		e.mu.Unlock()
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, sent), r.Body}
		fail(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// use switches to fault f and returns what the attempts sent under it.
func (e *faultEndpoint) use(f fault) (sent func() []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fault, e.sent = f, nil
	return func() []string {
		e.mu.Lock()
		defer e.mu.Unlock()
		bodies := make([]string, len(e.sent))
		for i, b := range e.sent {
			bodies[i] = b.String()
		}
		return bodies
	}
}

// s3Error answers as S3 does when it fails a request it has read in full.
func s3Error(status int, code string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
			`<Error><Code>%s</Code><Message>injected by the test</Message><RequestId>FAULT</RequestId></Error>`, code)
	}
}

// cut reads the first n bytes of the request body (all of it if n < 0),
// writes partial as the start of a response, and drops the connection.
func cut(n int64, partial string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		if n < 0 {
			io.Copy(io.Discard, r.Body)
		} else {
			io.CopyN(io.Discard, r.Body, n)
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err) // httptest's HTTP/1.1 server always allows it
		}
		buf.WriteString(partial)
		buf.Flush()
		conn.Close()
	}
}

// sentPassword matches the password field of a record, which encode puts
// first, so even the start of a cut request holds it.
var sentPassword = regexp.MustCompile(`"password": ("(?:[^"\\]|\\.)*")`)

// sentPasswords returns the passwords the attempts carried (retries resend
// the same one), failing the test if an attempt carried none: then no leak
// check could see it.
func sentPasswords(t *testing.T, attempts []string) map[string]bool {
	t.Helper()
	pws := map[string]bool{}
	for _, a := range attempts {
		m := sentPassword.FindStringSubmatch(a)
		var pw string
		if m == nil || json.Unmarshal([]byte(m[1]), &pw) != nil {
			t.Fatalf("an attempt of %d bytes carried no password field", len(a))
		}
		pws[pw] = true
	}
	return pws
}

// logLine waits for the log line of one invocation. The runtime forwards
// output asynchronously, as Lambda does, so the line can trail the answer.
func (d *deployment) logLine(t *testing.T, requestID string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		for line := range strings.SplitSeq(d.logs.String(), "\n") {
			var entry map[string]any
			if json.Unmarshal([]byte(line), &entry) == nil && entry["requestId"] == requestID {
				return entry
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line for request %s", requestID)
		}
	}
}

// assertNoPasswordField fails if the function's log or an answer has a
// field named password, whatever its value.
func (d *deployment) assertNoPasswordField(t *testing.T, replies ...reply) {
	t.Helper()
	for line := range strings.SplitSeq(strings.TrimSpace(d.logs.String()), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && entry["password"] != nil {
			t.Error("a log line has a password field")
		}
	}
	for _, r := range replies {
		if r.body["password"] != nil {
			t.Error("an answer has a password field")
		}
	}
}

// TestBootstrapAnswers5xxBeforeItsDeadlineWhenS3Errs drives the real
// bootstrap against an S3 that answers but fails: with a 5xx, with a cut
// connection, or by hanging once it has the upload (the endpoint that
// refuses connections and the one that stalls before reading are in
// TestBootstrapAnswers5xxBeforeItsDeadlineWhenS3Fails). Every fault must end
// in a 5xx before the deadline after a bounded number of attempts, with the
// cause in the log, and the password each attempt carried in neither the
// log nor the answer.
func TestBootstrapAnswers5xxBeforeItsDeadlineWhenS3Errs(t *testing.T) {
	const timeout = 3 * time.Second
	s3 := newFaultEndpoint(t)
	d := deploy(t, 1, timeout, "AWS_ENDPOINT_URL_S3="+s3.url)
	tests := []struct {
		name   string
		fault  fault
		status int
		cause  string // in the logged error, so an operator can tell the faults apart
	}{
		{"500 InternalError", s3Error(http.StatusInternalServerError, "InternalError"), 502, "api error InternalError"},
		{"503 SlowDown", s3Error(http.StatusServiceUnavailable, "SlowDown"), 502, "api error SlowDown"},
		{"connection dropped after the request", cut(-1, ""), 502, ": EOF"},
		{"response cut in its headers", cut(-1, "HTTP/1.1 200 OK\r\nContent-Type: appl"), 502, "connection broken: unexpected EOF"},
		{"error response cut in its body", cut(-1, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\n"+
			"Content-Length: 400\r\n\r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>Internal"), 502, "StatusCode: 500"},
		{"request body cut", cut(64, ""), 502, ": EOF"},
		{"stall after reading the request", stallAfterRequest, 504, "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent := s3.use(tt.fault)
			start := time.Now()
			r := d.invoke(t, `{"name": "faulty"}`)
			took := time.Since(start)
			id, _ := r.body["request_id"].(string)
			entry := d.logLine(t, id)
			attempts := sent()
			// Secrets first: nothing below may print an answer or log line
			// that could hold one.
			for pw := range sentPasswords(t, attempts) {
				d.assertSecret(t, pw, r)
			}
			d.assertNoPasswordField(t, r)
			if t.Failed() {
				t.FailNow()
			}
			if n := len(attempts); n < 1 || n > maxStoreAttempts {
				t.Errorf("S3 saw %d attempts, want 1 to %d", n, maxStoreAttempts)
			}
			if took >= timeout {
				t.Errorf("answered after %v, past the %v deadline", took, timeout)
			}
			msg, _ := r.body["message"].(string)
			if r.StatusCode != tt.status || r.body["error"] != "Failed to store password" ||
				strings.Contains(msg, tt.cause) || strings.Contains(msg, "127.0.0.1") {
				t.Errorf("status %d body %v, want %d without transport internals", r.StatusCode, r.body, tt.status)
			}
			cause, _ := entry["error"].(string)
			if entry["status"] != float64(tt.status) || !strings.Contains(cause, tt.cause) {
				t.Errorf("logged %v, want status %d and a cause containing %q", entry, tt.status, tt.cause)
			}
		})
	}
}

// stallAfterRequest reads the request and never answers, like an S3 that
// accepted the upload and then hung.
func stallAfterRequest(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}
