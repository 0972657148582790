// Package fnconfig is the contract between a deployment and the functions:
// the environment variables that tell them where passwords are stored, how
// to encrypt them, which lengths callers may ask for, which policy the
// organization imposes and which names each API client may touch. The Pulumi
// component and the local stack encode a Config with Env or Environ; the function
// decodes it with FromEnv. Neither side spells a variable name itself.
package fnconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
)

// The variables, by the names the function reads.
const (
	EnvBucket    = "BUCKET_NAME"
	EnvKeyPrefix = "KEY_PREFIX"
	EnvKMSKeyID  = "KMS_KEY_ID"
	EnvMinLength = "PASSWORD_MIN_LENGTH"
	EnvMaxLength = "PASSWORD_MAX_LENGTH"
	EnvPolicy    = "PASSWORD_POLICY"
	// EnvExpiryDays lists the expiry values offered, comma-separated, as
	// "1,7,30", or is NoExpiry to offer none; unset means the defaults.
	EnvExpiryDays = "PASSWORD_EXPIRY_DAYS"
	// EnvTrustScheduledTime lets the rotator take a run's scheduled time
	// from its payload even when it lies in the future. Only the local
	// stack sets it, so its tests can make passwords due without waiting;
	// a deployed rotator clamps the time to now, so no invoker can force
	// early rotations.
	EnvTrustScheduledTime = "ROTATION_TRUST_SCHEDULED_TIME"
	// EnvClientPrefixes holds ClientPrefixes as compact JSON,
	// {"<client id>": ["team-a/"]}: one variable, however many clients.
	EnvClientPrefixes = "API_CLIENT_PREFIXES"
)

// NoExpiry is EnvExpiryDays when the deployment offers no expiry. An empty
// value would say the same, but a variable set to "" can be dropped on the
// way to Lambda, and an unset one means the default values: the functions
// would then offer expiry that the bucket has no rule for.
const NoExpiry = "none"

// MaxPolicyBytes bounds PASSWORD_POLICY and API_CLIENT_PREFIXES together.
// Lambda allows 4 KB of environment variables in all, names included; the
// others take under 700 bytes even at their longest (a 63-character bucket
// name, a 256-character prefix, a key ARN, twenty expiry values of four
// digits), so these two get the rest with a margin.
const MaxPolicyBytes = 3000

// DefaultKeyPrefix is the recipe's folder, so existing readers find
// passwords where they always did. It applies when KEY_PREFIX is unset; an
// empty KEY_PREFIX means the bucket root.
const DefaultKeyPrefix = "passwords/"

// Config is what the deployment decides; the caller decides everything else
// per request.
type Config struct {
	Bucket    string
	KeyPrefix string
	// KMSKeyID selects SSE-KMS with that key; empty means SSE-S3 (AES256).
	KMSKeyID string
	Limits   request.Limits
	// ClientPrefixes limits HTTP API clients to names; nil limits none.
	ClientPrefixes apispec.ClientPrefixes
	// TrustScheduledTime is EnvTrustScheduledTime; never true in AWS.
	TrustScheduledTime bool
	// Policy is the organization's password policy as EncodePolicy writes
	// it, one compact JSON value rather than a variable per setting; ""
	// means none.
	Policy string
}

// EncodePolicy returns p as PASSWORD_POLICY carries it, "" for a policy
// that imposes nothing. It refuses a policy that does not fit the
// function's environment.
func EncodePolicy(p orgpolicy.Policy) (string, error) {
	if p.IsZero() {
		return "", nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<" in a pattern stays one byte
	if err := enc.Encode(p); err != nil {
		return "", fmt.Errorf("policy: %w", err)
	}
	text := strings.TrimSuffix(b.String(), "\n")
	if len(text) > MaxPolicyBytes {
		return "", fmt.Errorf("policy: %d bytes once encoded, more than the %d the function's environment leaves for it (Lambda allows 4 KB of environment variables in all); shorten forbiddenPatterns", len(text), MaxPolicyBytes)
	}
	return text, nil
}

// DecodePolicy reads the policy c carries, refusing unknown settings so
// that a newer deployment's rule is never silently dropped by an older
// function.
func (c Config) DecodePolicy() (orgpolicy.Policy, error) {
	var p orgpolicy.Policy
	if c.Policy == "" {
		return p, nil
	}
	if len(c.Policy) > MaxPolicyBytes {
		return p, fmt.Errorf("%s: %d bytes, more than %d", EnvPolicy, len(c.Policy), MaxPolicyBytes)
	}
	dec := json.NewDecoder(strings.NewReader(c.Policy))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return orgpolicy.Policy{}, fmt.Errorf("%s: %w", EnvPolicy, err)
	}
	if dec.More() {
		return orgpolicy.Policy{}, fmt.Errorf("%s: data after the policy object", EnvPolicy)
	}
	return p, nil
}

// Env encodes c as the function's environment. KMS_KEY_ID is left out with
// SSE-S3, as the function reads an unset and an empty one alike.
func (c Config) Env() map[string]string {
	env := map[string]string{
		EnvBucket:     c.Bucket,
		EnvKeyPrefix:  c.KeyPrefix,
		EnvMinLength:  strconv.Itoa(c.Limits.MinLength),
		EnvMaxLength:  strconv.Itoa(c.Limits.MaxLength),
		EnvExpiryDays: joinInts(c.Limits.ExpiryDays),
	}
	if c.TrustScheduledTime {
		env[EnvTrustScheduledTime] = "true"
	}
	if c.KMSKeyID != "" {
		env[EnvKMSKeyID] = c.KMSKeyID
	}
	if len(c.ClientPrefixes) > 0 {
		// Keys sorted, so the same map always gives the same text.
		b, _ := json.Marshal(c.ClientPrefixes) // a map of string lists always marshals
		env[EnvClientPrefixes] = string(b)
	}
	if c.Policy != "" {
		env[EnvPolicy] = c.Policy
	}
	return env
}

// Environ is Env as NAME=value entries in name order, the form a process
// environment takes.
func (c Config) Environ() []string {
	env := c.Env()
	entries := make([]string, 0, len(env))
	for _, name := range slices.Sorted(maps.Keys(env)) {
		entries = append(entries, name+"="+env[name])
	}
	return entries
}

// FromEnv decodes the environment Env produced, refusing what would make
// the function store passwords somewhere other than the deployer meant.
// Unset length limits and prefix take their defaults. lookupEnv is
// os.LookupEnv, injected so tests need not mutate the process environment.
func FromEnv(lookupEnv func(string) (string, bool)) (Config, error) {
	bucket, _ := lookupEnv(EnvBucket)
	kmsKeyID, _ := lookupEnv(EnvKMSKeyID)
	cfg := Config{
		Bucket:    bucket,
		KeyPrefix: DefaultKeyPrefix,
		KMSKeyID:  kmsKeyID,
		Limits:    request.DefaultLimits(),
	}
	if cfg.Bucket == "" {
		return Config{}, errors.New(EnvBucket + " is not set: the function needs the bucket it stores passwords in")
	}
	// Presence matters: an explicitly empty prefix is the bucket root.
	if p, ok := lookupEnv(EnvKeyPrefix); ok {
		if err := naming.ValidatePrefix(p); err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvKeyPrefix, err)
		}
		cfg.KeyPrefix = p
	}
	var err error
	if cfg.Limits.MinLength, err = intFromEnv(lookupEnv, EnvMinLength, cfg.Limits.MinLength); err != nil {
		return Config{}, err
	}
	if cfg.Limits.MaxLength, err = intFromEnv(lookupEnv, EnvMaxLength, cfg.Limits.MaxLength); err != nil {
		return Config{}, err
	}
	if err := cfg.Limits.Validate(EnvMinLength, EnvMaxLength); err != nil {
		return Config{}, err
	}
	if v, ok := lookupEnv(EnvExpiryDays); ok {
		if cfg.Limits.ExpiryDays, err = splitInts(EnvExpiryDays, v); err != nil {
			return Config{}, err
		}
	}
	if v, _ := lookupEnv(EnvTrustScheduledTime); v != "" {
		if cfg.TrustScheduledTime, err = strconv.ParseBool(v); err != nil {
			return Config{}, fmt.Errorf("%s=%q is not true or false", EnvTrustScheduledTime, v)
		}
	}
	if v, _ := lookupEnv(EnvClientPrefixes); v != "" {
		if err := json.Unmarshal([]byte(v), &cfg.ClientPrefixes); err != nil {
			return Config{}, fmt.Errorf("%s: want {\"<client id>\": [\"<prefix>/\", ...]}: %w", EnvClientPrefixes, err)
		}
		if err := cfg.ClientPrefixes.Validate(); err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvClientPrefixes, err)
		}
	}
	cfg.Policy, _ = lookupEnv(EnvPolicy)
	if _, err := cfg.DecodePolicy(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func intFromEnv(lookupEnv func(string) (string, bool), name string, def int) (int, error) {
	v, ok := lookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
	}
	return n, nil
}

func joinInts(v []int) string {
	if len(v) == 0 {
		return NoExpiry
	}
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// splitInts reads what joinInts wrote: whole numbers of days from 1 to
// request.MaxExpiryDays, each once, or NoExpiry (or "", as an older
// deployment wrote it) for none.
func splitInts(name, v string) ([]int, error) {
	if v == "" || v == NoExpiry {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > request.MaxExpiryDays || slices.Contains(out, n) {
			return nil, fmt.Errorf("%s=%q: want distinct whole numbers of days from 1 to %d separated by commas, like \"1,7,30\"", name, v, request.MaxExpiryDays)
		}
		out = append(out, n)
	}
	return out, nil
}
