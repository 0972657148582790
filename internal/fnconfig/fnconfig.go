// Package fnconfig is the contract between a deployment and the function:
// the environment variables that tell the function where to store passwords,
// how to encrypt them and which lengths callers may ask for. The Pulumi
// component and the local stack encode a Config with Env or Environ; the function
// decodes it with FromEnv. Neither side spells a variable name itself.
package fnconfig

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/request"
)

// The variables, by the names the function reads.
const (
	EnvBucket    = "BUCKET_NAME"
	EnvKeyPrefix = "KEY_PREFIX"
	EnvKMSKeyID  = "KMS_KEY_ID"
	EnvMinLength = "PASSWORD_MIN_LENGTH"
	EnvMaxLength = "PASSWORD_MAX_LENGTH"
)

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
}

// Env encodes c as the function's environment. KMS_KEY_ID is left out with
// SSE-S3, as the function reads an unset and an empty one alike.
func (c Config) Env() map[string]string {
	env := map[string]string{
		EnvBucket:    c.Bucket,
		EnvKeyPrefix: c.KeyPrefix,
		EnvMinLength: strconv.Itoa(c.Limits.MinLength),
		EnvMaxLength: strconv.Itoa(c.Limits.MaxLength),
	}
	if c.KMSKeyID != "" {
		env[EnvKMSKeyID] = c.KMSKeyID
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
