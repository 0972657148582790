package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
)

// testPolicy is the organization policy the enforcement tests deploy.
const testPolicy = `{"minEntropyBits":80,"minClasses":3,"maxRepeat":2,"forbiddenPatterns":["(?i)password","0123|1234|2345"]}`

// keys lists every stored object version, to show what was and was not
// stored.
func (d *deployment) keys(t *testing.T) []string {
	t.Helper()
	out, err := d.s3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &d.bucket})
	if err != nil {
		t.Fatalf("list versions: %v", err)
	}
	var keys []string
	for _, v := range out.Versions {
		keys = append(keys, aws.ToString(v.Key))
	}
	return keys
}

// TestBootstrapEnforcesThePolicy runs the deployed binary with a policy:
// every refusal is a 400 naming the rule and how to meet it, a dry run
// reports without storing, and only the requests that meet the policy
// leave an object behind.
func TestBootstrapEnforcesThePolicy(t *testing.T) {
	d := deploy(t, 1, 10*time.Second, "PASSWORD_POLICY="+testPolicy)
	refusals := []struct {
		name, payload string
		want          []string
	}{
		{
			"below the entropy floor", `{"length": 12, "include_symbols": false, "name": "weak"}`,
			[]string{"policy.minEntropyBits: length 12 with lowercase, uppercase and numbers allows 71.", "this organization requires 80: use length ≥ 14, or set include_symbols to true"},
		},
		{
			"too few classes", `{"length": 40, "include_uppercase": false, "include_symbols": false, "name": "two-classes"}`,
			[]string{"policy.minClasses: this organization requires characters of at least 3 classes; the request includes lowercase and numbers: set include_uppercase or include_symbols to true"},
		},
		{
			"candidates too rare", `{"length": 128, "include_symbols": false, "exclude_characters": "bcdefghijklmnopqrstuvwxyzBCDEFGHIJKLMNOPQRSTUVWXYZ123456789", "name": "rare"}`,
			[]string{"policy.maxRepeat, policy.forbiddenPatterns: only ", "of the passwords of length 128 with lowercase, uppercase and numbers meet these rules", "use length ≤ "},
		},
		{
			"passphrase below the floor", `{"type": "passphrase", "words": 6, "name": "short-phrase"}`,
			[]string{"policy.minEntropyBits: 6 words allow 77.5 bits; this organization requires 80: use words ≥ 7"},
		},
	}
	for _, tt := range refusals {
		r := d.invoke(t, tt.payload)
		if r.StatusCode != 400 || r.body["error"] != "Invalid request" {
			t.Fatalf("%s: status %d body %v, want 400", tt.name, r.StatusCode, r.body)
		}
		msg, _ := r.body["message"].(string)
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", tt.name, msg, w)
			}
		}
	}

	dry := d.invoke(t, `{"dry_run": true, "length": 20, "name": "dry"}`)
	policy, _ := dry.body["policy"].(map[string]any)
	if dry.StatusCode != 200 || dry.body["type"] != "password" || dry.body["length"] != float64(20) ||
		policy["minEntropyBits"] != float64(80) || policy["maxRepeat"] != float64(2) || policy["maxLength"] != float64(128) {
		t.Errorf("dry run: status %d body %v", dry.StatusCode, dry.body)
	}
	if bits, _ := dry.body["entropy_bits"].(float64); bits < 125 || bits > 130 {
		t.Errorf("dry run of 20 characters: entropy_bits %v, want about 129 less the rules", bits)
	}
	dryPhrase := d.invoke(t, `{"dry_run": true, "type": "passphrase", "words": 7}`)
	if dryPhrase.StatusCode != 200 || dryPhrase.body["entropy_bits"] != 90.47 || dryPhrase.body["words"] != float64(7) {
		t.Errorf("passphrase dry run: status %d body %v", dryPhrase.StatusCode, dryPhrase.body)
	}
	if keys := d.keys(t); len(keys) != 0 {
		t.Fatalf("refusals and dry runs stored %v", keys)
	}

	pw := d.invoke(t, `{"length": 40, "name": "ruled"}`)
	if pw.StatusCode != 200 || pw.body["type"] != "password" {
		t.Fatalf("password under the policy: status %d body %v", pw.StatusCode, pw.body)
	}
	rec, _ := d.get(t, "passwords/ruled.json", "")
	for i := 2; i < len(rec.Password); i++ {
		if rec.Password[i] == rec.Password[i-1] && rec.Password[i] == rec.Password[i-2] {
			t.Error("stored password repeats a character three times")
		}
	}
	if rec.Type != "password" || rec.Parameters.PasswordParameters == nil || rec.Parameters.PassphraseParameters != nil {
		t.Errorf("stored type %q with parameters %+v", rec.Type, rec.Parameters)
	}
	d.assertSecret(t, rec.Password, pw, dry)

	phrase := d.invoke(t, `{"type": "passphrase", "words": 7, "separator": " ", "capitalize": true, "name": "wifi"}`)
	if phrase.StatusCode != 200 || phrase.body["type"] != "passphrase" || phrase.body["message"] != "Passphrase generated successfully" || phrase.body["entropy_bits"] != 90.47 {
		t.Fatalf("passphrase: status %d body %v", phrase.StatusCode, phrase.body)
	}
	prec, _ := d.get(t, "passwords/wifi.json", "")
	words := strings.Split(prec.Password, " ")
	if prec.Type != "passphrase" || len(words) != 7 || prec.Length != len(prec.Password) {
		t.Errorf("stored passphrase of type %q with %d words, length %d", prec.Type, len(words), prec.Length)
	}
	if p := prec.Parameters.PassphraseParameters; p == nil || *p != (request.PassphraseParameters{Words: 7, Separator: " ", Capitalize: true}) || prec.Parameters.PasswordParameters != nil {
		t.Errorf("stored parameters %+v", prec.Parameters)
	}
	for _, w := range words {
		if w == "" || w[0] < 'A' || w[0] > 'Z' {
			t.Error("a stored word is not capitalized")
		}
	}
	d.assertSecret(t, prec.Password, phrase)
	if keys := d.keys(t); len(keys) != 2 {
		t.Errorf("stored %v, want the password and the passphrase only", keys)
	}
}

func TestBootstrapRefusesToStartWithABrokenPolicy(t *testing.T) {
	for _, policy := range []string{`{"maxRepeats": 2}`, `{"forbiddenPatterns": ["a*"]}`, `{"minClasses": 9}`} {
		_, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
			Binary: handlerbuild.Binary(t),
			Env:    []string{"AWS_REGION=us-east-1", "BUCKET_NAME=b", "PASSWORD_POLICY=" + policy},
		})
		var initErr *lambdaruntime.InitError
		if !errors.As(err, &initErr) || !strings.Contains(strings.ToLower(initErr.Output), "policy") {
			t.Errorf("PASSWORD_POLICY=%s: Start = %v, want an init error about the policy", policy, err)
		}
	}
}

// TestRecordShapes pins the stored JSON of each type: a passphrase's
// parameters hold only its own fields.
func TestRecordShapes(t *testing.T) {
	h := newHarness(t)
	h.invoke(t, context.Background(), `{"type": "passphrase", "name": "p"}`)
	var stored map[string]any
	if err := json.Unmarshal(h.store.puts[0].body, &stored); err != nil {
		t.Fatal(err)
	}
	params, _ := stored["parameters"].(map[string]any)
	if stored["type"] != "passphrase" || len(params) != 3 || params["words"] != float64(6) || params["separator"] != "-" || params["capitalize"] != false {
		t.Errorf("passphrase record: type %v, parameters %v", stored["type"], params)
	}
	h.invoke(t, context.Background(), `{"name": "q"}`)
	if err := json.Unmarshal(h.store.puts[1].body, &stored); err != nil {
		t.Fatal(err)
	}
	params, _ = stored["parameters"].(map[string]any)
	if stored["type"] != "password" || len(params) != 12 || params["words"] != nil {
		t.Errorf("password record: type %v, parameters %v", stored["type"], params)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	h := newHarness(t)
	r := h.invoke(t, context.Background(), `{"dry_run": true, "length": 16}`)
	if r.StatusCode != 200 || r.body["message"] != "Dry run: the request is valid under the policy; nothing was generated or stored" || r.body["request_id"] != "req-1" {
		t.Errorf("dry run: status %d body %v", r.StatusCode, r.body)
	}
	if len(h.store.puts) != 0 {
		t.Error("a dry run stored an object")
	}
	if !strings.Contains(h.logs.String(), `"msg":"dry run"`) {
		t.Errorf("no dry-run log line: %s", h.logs)
	}
}
