package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/request"
)

// defaultKeyPrefix matches the recipe, so existing readers find passwords
// where they always did.
const defaultKeyPrefix = "passwords/"

// config is what the deployment decides; the caller decides everything else
// per request.
type config struct {
	Bucket    string
	KeyPrefix string
	// KMSKeyID selects SSE-KMS with that key; empty means SSE-S3 (AES256).
	KMSKeyID string
	Limits   request.Limits
}

// configFromEnv reads the variables the PasswordGenerator component sets.
// lookupEnv is os.LookupEnv, injected so tests need not mutate the process
// environment.
func configFromEnv(lookupEnv func(string) (string, bool)) (config, error) {
	bucket, _ := lookupEnv("BUCKET_NAME")
	kmsKeyID, _ := lookupEnv("KMS_KEY_ID")
	cfg := config{
		Bucket:    bucket,
		KeyPrefix: defaultKeyPrefix,
		KMSKeyID:  kmsKeyID,
		Limits:    request.DefaultLimits(),
	}
	if cfg.Bucket == "" {
		return config{}, errors.New("BUCKET_NAME is not set: the function needs the bucket it stores passwords in")
	}
	// An explicitly empty KEY_PREFIX stores at the bucket root, so only an
	// unset one falls back to the default.
	if p, ok := lookupEnv("KEY_PREFIX"); ok {
		if err := naming.ValidatePrefix(p); err != nil {
			return config{}, fmt.Errorf("KEY_PREFIX: %w", err)
		}
		cfg.KeyPrefix = p
	}
	var err error
	if cfg.Limits.MinLength, err = intFromEnv(lookupEnv, "PASSWORD_MIN_LENGTH", cfg.Limits.MinLength); err != nil {
		return config{}, err
	}
	if cfg.Limits.MaxLength, err = intFromEnv(lookupEnv, "PASSWORD_MAX_LENGTH", cfg.Limits.MaxLength); err != nil {
		return config{}, err
	}
	if err := cfg.Limits.Validate(); err != nil {
		return config{}, err
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
