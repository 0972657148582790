package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/stack"
)

func TestOptionsFlagsOverrideEnvironment(t *testing.T) {
	defaults := stack.Options{
		LambdaAddr:  "127.0.0.1:9701",
		S3Addr:      "127.0.0.1:9702",
		HTTPAddr:    "127.0.0.1:9703",
		IssuerAddr:  "127.0.0.1:9704",
		Bucket:      "password-generator-local",
		Concurrency: 4,
		RateLimit:   10,
		BurstLimit:  20,
		Clients:     stack.DefaultClients(),
	}
	with := func(edit func(*stack.Options)) stack.Options {
		o := defaults
		o.Clients = stack.DefaultClients()
		edit(&o)
		return o
	}
	renamed := func(name, id, secret string) func(*stack.Options) {
		return func(o *stack.Options) {
			for i := range o.Clients {
				if o.Clients[i].Name == name {
					o.Clients[i].ID, o.Clients[i].Secret = id, secret
				}
			}
		}
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want stack.Options
		err  string
	}{
		{name: "defaults", want: defaults},
		{
			name: "environment",
			env: map[string]string{
				"PASSWORDGEN_LOCAL_LAMBDA_ADDR":     "127.0.0.1:19701",
				"PASSWORDGEN_LOCAL_S3_ADDR":         "127.0.0.1:19702",
				"PASSWORDGEN_LOCAL_DATA":            "/var/tmp/pw",
				"PASSWORDGEN_LOCAL_BUCKET":          "other-bucket",
				"PASSWORDGEN_LOCAL_CONCURRENCY":     "2",
				"PASSWORDGEN_LOCAL_HTTP_ADDR":       "127.0.0.1:19703",
				"PASSWORDGEN_LOCAL_ISSUER_ADDR":     "127.0.0.1:19704",
				"PASSWORDGEN_LOCAL_API_RATE_LIMIT":  "100",
				"PASSWORDGEN_LOCAL_API_BURST_LIMIT": "200",
				"PASSWORDGEN_LOCAL_CLIENTS":         "admin=ops:ops-secret team-a=ta:ta-secret",
				"PASSWORDGEN_LOCAL_POLICY":          `{"minEntropyBits": 80}`,
				"PASSWORDGEN_LOCAL_ROTATE_EVERY":    "1h",
			},
			want: with(func(o *stack.Options) {
				o.LambdaAddr, o.S3Addr, o.DataDir, o.Bucket, o.Concurrency = "127.0.0.1:19701", "127.0.0.1:19702", "/var/tmp/pw", "other-bucket", 2
				o.HTTPAddr, o.IssuerAddr, o.RateLimit, o.BurstLimit = "127.0.0.1:19703", "127.0.0.1:19704", 100, 200
				renamed("admin", "ops", "ops-secret")(o)
				renamed("team-a", "ta", "ta-secret")(o)
				o.Policy = `{"minEntropyBits": 80}`
				o.RotateEvery = time.Hour
			}),
		},
		{
			name: "flags win",
			args: []string{"-lambda-addr", ":0", "-s3-addr", "127.0.0.1:0", "-data", "d", "-bucket", "b-1", "-concurrency", "8",
				"-http-addr", ":0", "-issuer-addr", "127.0.0.1:0", "-api-rate-limit", "1", "-api-burst-limit", "3", "-client", "admin=a2:s2", "-policy", `{"maxRepeat": 2}`, "-rotate-every", "1m"},
			env: map[string]string{"PASSWORDGEN_LOCAL_LAMBDA_ADDR": "127.0.0.1:19701", "PASSWORDGEN_LOCAL_CONCURRENCY": "2", "PASSWORDGEN_LOCAL_CLIENTS": "admin=ops:ops-secret", "PASSWORDGEN_LOCAL_POLICY": `{"minEntropyBits": 80}`, "PASSWORDGEN_LOCAL_ROTATE_EVERY": "1h"},
			want: with(func(o *stack.Options) {
				o.LambdaAddr, o.S3Addr, o.DataDir, o.Bucket, o.Concurrency = ":0", "127.0.0.1:0", "d", "b-1", 8
				o.HTTPAddr, o.IssuerAddr, o.RateLimit, o.BurstLimit = ":0", "127.0.0.1:0", 1, 3
				renamed("admin", "a2", "s2")(o)
				o.Policy = `{"maxRepeat": 2}`
				o.RotateEvery = time.Minute
			}),
		},
		{name: "bad concurrency variable", env: map[string]string{"PASSWORDGEN_LOCAL_CONCURRENCY": "four"}, err: `PASSWORDGEN_LOCAL_CONCURRENCY="four"`},
		{name: "zero concurrency", args: []string{"-concurrency", "0"}, err: "-concurrency 0: want at least 1"},
		{name: "zero burst", args: []string{"-api-burst-limit", "0"}, err: "-api-burst-limit 0: want at least 1"},
		{name: "bad rate variable", env: map[string]string{"PASSWORDGEN_LOCAL_API_RATE_LIMIT": "0"}, err: `PASSWORDGEN_LOCAL_API_RATE_LIMIT="0"`},
		{name: "unknown client", args: []string{"-client", "ops=a:b"}, err: `no client "ops"; the clients are generator, reader, admin, team-a`},
		{name: "client without secret", args: []string{"-client", "admin=a"}, err: `"admin=a": want name=id:secret`},
		{name: "bad clients variable", env: map[string]string{"PASSWORDGEN_LOCAL_CLIENTS": "admin"}, err: "PASSWORDGEN_LOCAL_CLIENTS"},
		{name: "bad rotation interval variable", env: map[string]string{"PASSWORDGEN_LOCAL_ROTATE_EVERY": "daily"}, err: `PASSWORDGEN_LOCAL_ROTATE_EVERY="daily": want a duration`},
		{name: "negative rotation interval", args: []string{"-rotate-every", "-1m"}, err: "-rotate-every -1m0s: want 0 (on demand only) or more"},
		{name: "unknown flag", args: []string{"-port", "1"}, err: "flag provided but not defined: -port"},
		{name: "argument", args: []string{"start"}, err: `unexpected argument "start"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := options(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want one containing %q", err, tt.err)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case !reflect.DeepEqual(got, tt.want):
				t.Errorf("options = %+v, want %+v", got, tt.want)
			}
		})
	}
}
