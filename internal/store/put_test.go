package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/passwordgen/passwordgen/internal/store"
)

// reply is one scripted S3 answer: 200 with a version id, or an S3 error.
type reply struct {
	status int
	code   string
}

// fakeS3 answers PUTs with a script of replies (the last one repeats) and
// records what it received.
type fakeS3 struct {
	*httptest.Server
	mu       sync.Mutex
	script   []reply
	requests []recorded
}

type recorded struct {
	path   string
	header http.Header
	body   []byte
}

func newFakeS3(t *testing.T, script ...reply) *fakeS3 {
	f := &fakeS3{script: script}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	useEndpoint(t, f.URL, "AKIDEXAMPLE", "secret")
	return f
}

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{r.URL.Path, r.Header.Clone(), body})
	next := f.script[min(len(f.requests), len(f.script))-1]
	f.mu.Unlock()
	if next.status == http.StatusOK {
		w.Header().Set("x-amz-version-id", fmt.Sprintf("v%d", len(f.requests)))
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(next.status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>scripted</Message><RequestId>r1</RequestId></Error>`, next.code)
}

func (f *fakeS3) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

var (
	ok          = reply{http.StatusOK, ""}
	exists      = reply{http.StatusPreconditionFailed, "PreconditionFailed"}
	conflict    = reply{http.StatusConflict, "ConditionalRequestConflict"}
	internal    = reply{http.StatusInternalServerError, "InternalError"}
	unavailable = reply{http.StatusServiceUnavailable, "SlowDown"}
	denied      = reply{http.StatusForbidden, "AccessDenied"}
)

func TestPutAnswers(t *testing.T) {
	tests := []struct {
		name      string
		script    []reply
		overwrite bool
		ifMatch   string
		version   string // on success
		errIs     error  // nil: success expected unless wantErr
		wantErr   bool
		requests  int
	}{
		{name: "created", script: []reply{ok}, version: "v1", requests: 1},
		{name: "key taken", script: []reply{exists}, errIs: store.ErrExists, requests: 1},
		{name: "concurrent write, then created", script: []reply{conflict, conflict, ok}, version: "v3", requests: 3},
		{name: "concurrent writes persist", script: []reply{conflict}, errIs: store.ErrExists, requests: 5},
		{name: "concurrent writes persist on overwrite", script: []reply{conflict}, overwrite: true, wantErr: true, requests: 5},
		{name: "server error, bounded retries", script: []reply{internal}, wantErr: true, requests: 3},
		{name: "throttled, then created", script: []reply{unavailable, ok}, version: "v2", requests: 2},
		{name: "access denied", script: []reply{denied}, errIs: store.ErrDenied, requests: 1},
		// The 500 may have stored our object, so the 412 that follows may
		// be our own write: not proof that the key was taken.
		{name: "server error, then key taken", script: []reply{internal, exists}, wantErr: true, requests: 2},
		{name: "server error, then concurrent writes", script: []reply{internal, conflict}, wantErr: true, requests: 6},
		// A replacement conditional on the ETag the caller saw.
		{name: "replaced", script: []reply{ok}, ifMatch: `"e1"`, version: "v1", requests: 1},
		{name: "changed since", script: []reply{exists}, ifMatch: `"e1"`, errIs: store.ErrChanged, requests: 1},
		{name: "deleted since", script: []reply{{http.StatusNotFound, "NoSuchKey"}}, ifMatch: `"e1"`, errIs: store.ErrChanged, requests: 1},
		{name: "concurrent replacements persist", script: []reply{conflict}, ifMatch: `"e1"`, errIs: store.ErrChanged, requests: 5},
		{name: "server error, then changed", script: []reply{internal, exists}, ifMatch: `"e1"`, wantErr: true, requests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeS3(t, tt.script...)
			body := secretRecord(t)
			version, err := newStore(t, "bucket", "").Put(context.Background(), "passwords/a.json", body, store.PutOptions{Overwrite: tt.overwrite, IfMatch: tt.ifMatch})
			if n := fake.count(); n != tt.requests {
				t.Errorf("S3 received %d requests, want %d", n, tt.requests)
			}
			switch {
			case tt.errIs == nil && !tt.wantErr:
				if err != nil || version != tt.version {
					t.Fatalf("Put = %q, %v; want %q, nil", version, err, tt.version)
				}
				return
			case err == nil:
				t.Fatalf("Put = %q, nil; want an error", version)
			case tt.errIs != nil && !errors.Is(err, tt.errIs):
				t.Fatalf("Put error %v, want one wrapping %v", err, tt.errIs)
			case errors.Is(err, store.ErrExists) && tt.errIs != store.ErrExists:
				t.Fatalf("Put error %v wraps ErrExists: a 409 would hide a failed write", err)
			case errors.Is(err, store.ErrChanged) && tt.errIs != store.ErrChanged:
				t.Fatalf("Put error %v wraps ErrChanged: a write that may have landed would count as someone else's", err)
			}
			if !strings.Contains(err.Error(), "passwords/a.json") {
				t.Errorf("error %q does not name the key", err)
			}
			if strings.Contains(err.Error(), string(body)) || strings.Contains(err.Error(), "password\"") {
				t.Error("error contains the stored record")
			}
		})
	}
}

func TestPutRequest(t *testing.T) {
	tests := []struct {
		name     string
		kmsKeyID string
		opts     store.PutOptions
		want     map[string]string // header => value; "" => absent
	}{
		{"create, SSE-S3", "", store.PutOptions{}, map[string]string{
			"X-Amz-Server-Side-Encryption":                "AES256",
			"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "",
			"If-None-Match":                               "*",
		}},
		{"overwrite, SSE-S3", "", store.PutOptions{Overwrite: true}, map[string]string{
			"X-Amz-Server-Side-Encryption": "AES256",
			"If-None-Match":                "",
		}},
		{"create, SSE-KMS", "arn:aws:kms:eu-west-1:111122223333:key/k1", store.PutOptions{}, map[string]string{
			"X-Amz-Server-Side-Encryption":                    "aws:kms",
			"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id":     "arn:aws:kms:eu-west-1:111122223333:key/k1",
			"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled": "true",
			"If-None-Match": "*",
		}},
		{"replace if unchanged, with tags", "", store.PutOptions{IfMatch: `"e1"`, Tags: map[string]string{"rotate_every_days": "1", "params_1": "e30"}}, map[string]string{
			"If-Match":      `"e1"`,
			"If-None-Match": "",
			"X-Amz-Tagging": "params_1=e30&rotate_every_days=1",
		}},
		{"create, with tags", "", store.PutOptions{Tags: map[string]string{"expires_in_days": "7"}}, map[string]string{
			"If-Match":      "",
			"If-None-Match": "*",
			"X-Amz-Tagging": "expires_in_days=7",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeS3(t, ok)
			body := secretRecord(t)
			if _, err := newStore(t, "bucket", tt.kmsKeyID).Put(context.Background(), "passwords/team-a/db.json", body, tt.opts); err != nil {
				t.Fatal(err)
			}
			req := fake.requests[0]
			if req.path != "/bucket/passwords/team-a/db.json" {
				t.Errorf("path = %q", req.path)
			}
			sum := sha256.Sum256(body)
			want := map[string]string{
				"Content-Type":          "application/json",
				"X-Amz-Checksum-Sha256": base64.StdEncoding.EncodeToString(sum[:]),
			}
			for k, v := range tt.want {
				want[k] = v
			}
			for k, v := range want {
				if got := req.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if string(req.body) != string(body) {
				t.Error("S3 received a body other than the record")
			}
		})
	}
}
