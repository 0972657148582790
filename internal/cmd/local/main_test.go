package main

import (
	"io"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/local/stack"
)

func TestOptionsFlagsOverrideEnvironment(t *testing.T) {
	defaults := stack.Options{
		LambdaAddr:  "127.0.0.1:9701",
		S3Addr:      "127.0.0.1:9702",
		Bucket:      "password-generator-local",
		Concurrency: 4,
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
				"PASSWORDGEN_LOCAL_LAMBDA_ADDR": "127.0.0.1:19701",
				"PASSWORDGEN_LOCAL_S3_ADDR":     "127.0.0.1:19702",
				"PASSWORDGEN_LOCAL_DATA":        "/var/tmp/pw",
				"PASSWORDGEN_LOCAL_BUCKET":      "other-bucket",
				"PASSWORDGEN_LOCAL_CONCURRENCY": "2",
				"PASSWORDGEN_LOCAL_POLICY":      `{"minEntropyBits": 80}`,
			},
			want: stack.Options{LambdaAddr: "127.0.0.1:19701", S3Addr: "127.0.0.1:19702", DataDir: "/var/tmp/pw", Bucket: "other-bucket", Concurrency: 2, Policy: `{"minEntropyBits": 80}`},
		},
		{
			name: "flags win",
			args: []string{"-lambda-addr", ":0", "-s3-addr", "127.0.0.1:0", "-data", "d", "-bucket", "b-1", "-concurrency", "8", "-policy", `{"maxRepeat": 2}`},
			env:  map[string]string{"PASSWORDGEN_LOCAL_LAMBDA_ADDR": "127.0.0.1:19701", "PASSWORDGEN_LOCAL_CONCURRENCY": "2", "PASSWORDGEN_LOCAL_POLICY": `{"minEntropyBits": 80}`},
			want: stack.Options{LambdaAddr: ":0", S3Addr: "127.0.0.1:0", DataDir: "d", Bucket: "b-1", Concurrency: 8, Policy: `{"maxRepeat": 2}`},
		},
		{name: "bad concurrency variable", env: map[string]string{"PASSWORDGEN_LOCAL_CONCURRENCY": "four"}, err: `PASSWORDGEN_LOCAL_CONCURRENCY="four"`},
		{name: "zero concurrency", args: []string{"-concurrency", "0"}, err: "-concurrency 0: want at least 1"},
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
			case got != tt.want:
				t.Errorf("options = %+v, want %+v", got, tt.want)
			}
		})
	}
}
