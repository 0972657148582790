package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// badInput is one line of testdata/badinput/cases.jsonl: a payload the
// function must refuse with a 400 whose message contains Want. Exactly one
// of Event, Raw and Base64 gives the payload.
type badInput struct {
	Case string `json:"case"`
	Want string `json:"want"`
	// Event is sent byte for byte as written, so duplicate keys, 1e9 and
	// 20.0 reach the function as the caller wrote them.
	Event json.RawMessage `json:"event"`
	// Raw is sent as is: text that is not JSON, which the Lambda Invoke API
	// refuses but the Runtime API delivers, or that is JSON only once Fill
	// has grown it.
	Raw *string `json:"raw"`
	// Base64 holds bytes that no JSON string can carry, like invalid UTF-8.
	Base64 string `json:"base64"`
	// Fill grows a payload in memory rather than in the file: Mark, once
	// in the payload, becomes With repeated Times times.
	Fill *struct {
		Mark  string `json:"mark"`
		With  string `json:"with"`
		Times int    `json:"times"`
	} `json:"fill"`
}

func (c badInput) payload() ([]byte, error) {
	var p []byte
	switch {
	case len(c.Event) > 0 && c.Raw == nil && c.Base64 == "":
		p = c.Event
	case len(c.Event) == 0 && c.Raw != nil && c.Base64 == "":
		p = []byte(*c.Raw)
	case len(c.Event) == 0 && c.Raw == nil && c.Base64 != "":
		var err error
		if p, err = base64.StdEncoding.DecodeString(c.Base64); err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
	default:
		return nil, fmt.Errorf("want exactly one of event, raw and base64")
	}
	if f := c.Fill; f != nil {
		if bytes.Count(p, []byte(f.Mark)) != 1 || f.Times < 1 {
			return nil, fmt.Errorf("fill: mark %q must occur once in the payload and times be positive", f.Mark)
		}
		p = bytes.Replace(p, []byte(f.Mark), bytes.Repeat([]byte(f.With), f.Times), 1)
	}
	return p, nil
}

// loadBadInputs reads the corpus; lines starting with '#' head its sections.
func loadBadInputs(t *testing.T) []badInput {
	t.Helper()
	file, err := os.Open(filepath.Join("testdata", "badinput", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var cases []badInput
	seen := map[string]bool{}
	lines := bufio.NewScanner(file)
	lines.Buffer(nil, 1<<20)
	for n := 1; lines.Scan(); n++ {
		line := bytes.TrimSpace(lines.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		var c badInput
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("cases.jsonl:%d: %v", n, err)
		}
		if c.Case == "" || c.Want == "" || seen[c.Case] {
			t.Fatalf("cases.jsonl:%d: each case needs a unique name and a wanted message", n)
		}
		if _, err := c.payload(); err != nil {
			t.Fatalf("cases.jsonl:%d: %v", n, err)
		}
		seen[c.Case] = true
		cases = append(cases, c)
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestBootstrapAnswersBadInputWith400 sends every payload of the corpus
// through the real bootstrap: each must get a 400 whose message names the
// problem, never a 5xx or a runtime-level error, and none may store
// anything.
func TestBootstrapAnswersBadInputWith400(t *testing.T) {
	cases := loadBadInputs(t)
	// The issue asks for at least 60; this catches a corpus cut short.
	if len(cases) < 60 {
		t.Fatalf("the corpus has %d cases, want at least 60", len(cases))
	}
	d := deploy(t, 1, 10*time.Second)
	for _, c := range cases {
		t.Run(c.Case, func(t *testing.T) {
			payload, _ := c.payload()
			r := d.invoke(t, string(payload))
			id, _ := r.body["request_id"].(string)
			entry := d.logLine(t, id)
			msg, _ := r.body["message"].(string)
			// A summary, never the body: a wrongly accepted payload has a
			// password stored, and the body must not be trusted to omit it.
			if r.StatusCode != 400 || r.body["error"] != "Invalid request" || id == "" {
				t.Fatalf("status %d, error %v, request id %q; want 400 Invalid request with the request id", r.StatusCode, r.body["error"], id)
			}
			if !strings.Contains(msg, c.Want) {
				t.Errorf("message %q, want it to contain %q", msg, c.Want)
			}
			// Whatever the caller sent, the answer quotes only an excerpt.
			if len(r.raw) > 1024 {
				t.Errorf("a %d-byte answer to a %d-byte payload", len(r.raw), len(payload))
			}
			if entry["status"] != float64(400) || entry["error"] != msg {
				t.Errorf("logged status %v error %v, want 400 and the message", entry["status"], entry["error"])
			}
		})
	}
	if v := d.versions(t, ""); len(v) != 0 {
		t.Errorf("the bucket holds %d object versions after bad input only", len(v))
	}
}
