package fnconfig

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
)

func lookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// TestRoundTrip: whatever a deployment encodes, the function decodes back,
// including the cases where presence matters (an empty prefix, no key).
func TestRoundTrip(t *testing.T) {
	for _, c := range []Config{
		{Bucket: "b", KeyPrefix: DefaultKeyPrefix, KMSKeyID: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", Limits: request.DefaultLimits()},
		{Bucket: "b", KeyPrefix: "", Limits: request.Limits{MinLength: 12, MaxLength: 64}},
		{Bucket: "my.bucket", KeyPrefix: "team-a/db/", Limits: request.Limits{MinLength: 4, MaxLength: 4096}},
		{Bucket: "b", KeyPrefix: "x/", Limits: request.Limits{MinLength: 8, MaxLength: 8, ExpiryDays: []int{3}}, TrustScheduledTime: true},
		{Bucket: "b", KeyPrefix: "", Limits: request.DefaultLimits(), ClientPrefixes: apispec.ClientPrefixes{"c1": {"team-a/", "x/y/"}, "c2": {"team-b/"}}},
	} {
		got, err := FromEnv(lookup(c.Env()))
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("FromEnv(%v) = %+v, %v; want %+v", c.Env(), got, err, c)
		}
	}
}

// TestEnvNames pins the variable names: a deployed function of an older
// build reads exactly these, so renaming one would break it.
func TestEnvNames(t *testing.T) {
	got := Config{Bucket: "b", KeyPrefix: "p/", KMSKeyID: "k", Limits: request.Limits{MinLength: 10, MaxLength: 20}}.Env()
	// PASSWORD_EXPIRY_DAYS is always set, never empty: unset means the
	// default values, and an empty value may be dropped on the way.
	want := map[string]string{"BUCKET_NAME": "b", "KEY_PREFIX": "p/", "KMS_KEY_ID": "k", "PASSWORD_MIN_LENGTH": "10", "PASSWORD_MAX_LENGTH": "20", "PASSWORD_EXPIRY_DAYS": "none"}
	if !maps.Equal(got, want) {
		t.Errorf("Env() = %v, want %v", got, want)
	}
	environ := []string{"BUCKET_NAME=b", "KEY_PREFIX=p/", "KMS_KEY_ID=k", "PASSWORD_EXPIRY_DAYS=none", "PASSWORD_MAX_LENGTH=20", "PASSWORD_MIN_LENGTH=10"}
	if got := (Config{Bucket: "b", KeyPrefix: "p/", KMSKeyID: "k", Limits: request.Limits{MinLength: 10, MaxLength: 20}}).Environ(); !slices.Equal(got, environ) {
		t.Errorf("Environ() = %q, want %q", got, environ)
	}
	if _, has := (Config{Bucket: "b", Limits: request.DefaultLimits()}).Env()["KMS_KEY_ID"]; has {
		t.Error("SSE-S3 config sets KMS_KEY_ID")
	}
	limited := Config{Bucket: "b", Limits: request.DefaultLimits(), ClientPrefixes: apispec.ClientPrefixes{"b": {"team-b/"}, "a": {"team-a/"}}}
	if got := limited.Env()["API_CLIENT_PREFIXES"]; got != `{"a":["team-a/"],"b":["team-b/"]}` {
		t.Errorf("API_CLIENT_PREFIXES = %s", got)
	}
	if _, has := (Config{Bucket: "b", Limits: request.DefaultLimits()}).Env()["API_CLIENT_PREFIXES"]; has {
		t.Error("a config without limited clients sets API_CLIENT_PREFIXES")
	}
}

func TestFromEnvDefaults(t *testing.T) {
	cfg, err := FromEnv(lookup(map[string]string{"BUCKET_NAME": "b", "PASSWORD_MIN_LENGTH": ""}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Bucket: "b", KeyPrefix: "passwords/", Limits: request.Limits{MinLength: 8, MaxLength: 128, ExpiryDays: []int{1, 7, 30, 90, 365}}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}
}

func TestFromEnvRejectsBrokenDeployments(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{}, "BUCKET_NAME is not set"},
		{map[string]string{"BUCKET_NAME": ""}, "BUCKET_NAME is not set"},
		{map[string]string{"BUCKET_NAME": "b", "KEY_PREFIX": "../x/"}, "KEY_PREFIX"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "1,,7"}, "PASSWORD_EXPIRY_DAYS"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "0"}, "PASSWORD_EXPIRY_DAYS"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "7,7"}, "PASSWORD_EXPIRY_DAYS"},
		// expires_at would overflow past 106,751 days, and be in the past.
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "7,200000"}, "PASSWORD_EXPIRY_DAYS"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "3651"}, "from 1 to 3650"},
		{map[string]string{"BUCKET_NAME": "b", "ROTATION_TRUST_SCHEDULED_TIME": "yes please"}, "ROTATION_TRUST_SCHEDULED_TIME"},
		{map[string]string{"BUCKET_NAME": "b", "KEY_PREFIX": "passwords"}, "KEY_PREFIX"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_MIN_LENGTH": "ten"}, `PASSWORD_MIN_LENGTH="ten" is not a whole number`},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_MAX_LENGTH": "5000"}, "PASSWORD_MAX_LENGTH must be between 4 and 4096, got 5000"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_MIN_LENGTH": "64", "PASSWORD_MAX_LENGTH": "32"}, "PASSWORD_MIN_LENGTH (64) must not exceed PASSWORD_MAX_LENGTH (32)"},
		{map[string]string{"BUCKET_NAME": "b", "API_CLIENT_PREFIXES": `["team-a/"]`}, "API_CLIENT_PREFIXES: want"},
		{map[string]string{"BUCKET_NAME": "b", "API_CLIENT_PREFIXES": `{"c":["team-a"]}`}, `API_CLIENT_PREFIXES: client c: prefix "team-a"`},
	}
	for _, tt := range tests {
		_, err := FromEnv(lookup(tt.vars))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FromEnv(%v) = %v, want an error containing %q", tt.vars, err, tt.want)
		}
	}
}

func TestPolicyTravelsAsOneVariable(t *testing.T) {
	pol := orgpolicy.Policy{MinEntropyBits: 80, MinClasses: 3, MaxRepeat: 2, ForbiddenPatterns: []string{`(?i)pass<word>`, `\d{4}`}}
	text, err := EncodePolicy(pol)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"minEntropyBits":80,"minClasses":3,"maxRepeat":2,"forbiddenPatterns":["(?i)pass<word>","\\d{4}"]}`; text != want {
		t.Errorf("encoded %s, want %s", text, want)
	}
	c := Config{Bucket: "b", KeyPrefix: DefaultKeyPrefix, Limits: request.DefaultLimits(), Policy: text}
	env := c.Env()
	if env["PASSWORD_POLICY"] != text {
		t.Errorf("PASSWORD_POLICY = %q", env["PASSWORD_POLICY"])
	}
	got, err := FromEnv(lookup(env))
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("FromEnv = %+v, %v; want %+v", got, err, c)
	}
	back, err := got.DecodePolicy()
	if err != nil || !reflect.DeepEqual(back, pol) {
		t.Errorf("DecodePolicy = %+v, %v; want %+v", back, err, pol)
	}
	if text, err := EncodePolicy(orgpolicy.Policy{}); text != "" || err != nil {
		t.Errorf("no policy encodes as %q, %v", text, err)
	}
	if _, has := (Config{Bucket: "b", Limits: request.DefaultLimits()}).Env()["PASSWORD_POLICY"]; has {
		t.Error("no policy still sets PASSWORD_POLICY")
	}
}

func TestEncodePolicyRefusesWhatDoesNotFit(t *testing.T) {
	// 2,048 bytes of patterns, every one escaped in JSON.
	patterns := []string{strings.Repeat(`\`, 2048)}
	_, err := EncodePolicy(orgpolicy.Policy{ForbiddenPatterns: patterns})
	if err == nil || !strings.Contains(err.Error(), "more than the 3000 the function's environment leaves for it (Lambda allows 4 KB of environment variables in all)") {
		t.Errorf("err = %v", err)
	}
}

func TestFromEnvRejectsBrokenPolicies(t *testing.T) {
	for _, policy := range []string{`{"minEntropyBits": "80"}`, `{"maxRepeats": 2}`, `[]`, `{"minClasses": 3} {}`, strings.Repeat(" ", MaxPolicyBytes+1)} {
		_, err := FromEnv(lookup(map[string]string{"BUCKET_NAME": "b", "PASSWORD_POLICY": policy}))
		if err == nil || !strings.HasPrefix(err.Error(), "PASSWORD_POLICY: ") {
			t.Errorf("PASSWORD_POLICY=%.40q: %v", policy, err)
		}
	}
}

func TestExpiryDaysEncoding(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want []int
	}{
		{map[string]string{"BUCKET_NAME": "b"}, request.DefaultExpiryDays()},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "none"}, nil},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": ""}, nil},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_EXPIRY_DAYS": "14,2"}, []int{14, 2}},
	} {
		cfg, err := FromEnv(lookup(tc.vars))
		if err != nil || !slices.Equal(cfg.Limits.ExpiryDays, tc.want) {
			t.Errorf("FromEnv(%v): expiry days %v, %v; want %v", tc.vars, cfg.Limits.ExpiryDays, err, tc.want)
		}
	}
}
