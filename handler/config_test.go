package main

import (
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestConfigFromEnv(t *testing.T) {
	cfg, err := configFromEnv(env(map[string]string{"BUCKET_NAME": "b"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.KeyPrefix != "passwords/" || cfg.KMSKeyID != "" || cfg.Limits.MinLength != 8 || cfg.Limits.MaxLength != 128 {
		t.Errorf("defaults = %+v", cfg)
	}

	cfg, err = configFromEnv(env(map[string]string{
		"BUCKET_NAME": "b", "KEY_PREFIX": "", "KMS_KEY_ID": "arn:aws:kms:eu-west-1:111122223333:key/k",
		"PASSWORD_MIN_LENGTH": "12", "PASSWORD_MAX_LENGTH": "64",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.KeyPrefix != "" || cfg.KMSKeyID == "" || cfg.Limits.MinLength != 12 || cfg.Limits.MaxLength != 64 {
		t.Errorf("explicit values not honoured: %+v", cfg)
	}
}

func TestConfigFromEnvRejectsBrokenDeployments(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{}, "BUCKET_NAME"},
		{map[string]string{"BUCKET_NAME": "b", "KEY_PREFIX": "../x/"}, "KEY_PREFIX"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_MIN_LENGTH": "ten"}, "PASSWORD_MIN_LENGTH"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_MAX_LENGTH": "5000"}, "PASSWORD_MAX_LENGTH"},
		{map[string]string{"BUCKET_NAME": "b", "PASSWORD_MIN_LENGTH": "64", "PASSWORD_MAX_LENGTH": "32"}, "PASSWORD_MIN_LENGTH"},
	}
	for _, tt := range tests {
		_, err := configFromEnv(env(tt.vars))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("configFromEnv(%v) = %v, want an error naming %s", tt.vars, err, tt.want)
		}
	}
}
