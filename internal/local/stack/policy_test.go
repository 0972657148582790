package stack

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/local/minio"
)

func TestPolicyReachesTheFunctionEncoded(t *testing.T) {
	text, err := checkPolicy(`{ "maxRepeat": 2, "minEntropyBits": 80 }`)
	if err != nil {
		t.Fatal(err)
	}
	env := functionEnv("b", "http://127.0.0.1:1", minio.Credentials{}, text, nil)
	if want := `PASSWORD_POLICY={"minEntropyBits":80,"maxRepeat":2}`; !slices.Contains(env, want) {
		t.Errorf("function environment %q lacks %s", env, want)
	}
	if env := functionEnv("b", "http://127.0.0.1:1", minio.Credentials{}, "", nil); slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PASSWORD_POLICY=") }) {
		t.Error("no policy still sets PASSWORD_POLICY")
	}
}

func TestRunRefusesABadPolicyBeforeStarting(t *testing.T) {
	for policy, want := range map[string]string{
		`{"maxRepeats": 2}`:                  `policy: PASSWORD_POLICY: json: unknown field "maxRepeats"`,
		`{"forbiddenPatterns": ["a*"]}`:      "policy: policy.forbiddenPatterns[0]",
		`{"minEntropyBits": 900}`:            "policy: policy.minEntropyBits: 900 bits is out of reach",
		`{"minClasses": 2, "maxRepeat": -1}`: "policy: policy.maxRepeat",
	} {
		err := Run(context.Background(), Options{Policy: policy, DataDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("policy %s: Run = %v, want %q", policy, err, want)
		}
	}
}
