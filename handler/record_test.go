package main

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"testing/iotest"
	"time"

	"github.com/passwordgen/passwordgen/internal/request"
)

// TestEncodedRecordsDifferByTheirNonce guards the rotator's blindness under
// SSE-S3, where a listing shows each body's MD5 as its ETag: two records
// alike in every guessable field, password included, must not share one.
func TestEncodedRecordsDifferByTheirNonce(t *testing.T) {
	req, err := request.Parse([]byte(`{"length": 8}`), request.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecord("aB3$efgh", req, 52.4, time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), "iam")
	a, err := rec.encode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rec.encode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if md5.Sum(a) == md5.Sum(b) {
		t.Fatal("two encodings of the same record have the same MD5, so an ETag tests a password guess")
	}
	var stored struct{ Nonce string }
	if err := json.Unmarshal(a, &stored); err != nil {
		t.Fatal(err)
	}
	if n, err := base64.RawURLEncoding.DecodeString(stored.Nonce); err != nil || len(n) != nonceBytes || bytes.Equal(n, make([]byte, nonceBytes)) {
		t.Errorf("nonce %q: want %d random bytes, base64url", stored.Nonce, nonceBytes)
	}
	if _, err := rec.encode(iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("encode with a failing random source stored a record anyway")
	}
}
