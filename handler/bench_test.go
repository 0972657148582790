package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/lambdabuild"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// Targets on the reference machine (2 cores), checked by reading these
// figures, not asserted: cold start <= 20 ms, invocation p50 <= 1.10 x the
// floor function's, peak RSS <= 25 MiB, arm64 zip <= 5 MiB (MiB: 2^20 bytes).

func BenchmarkColdStart(b *testing.B) {
	cfg := lambdaruntime.Config{
		Binary: handlerbuild.Binary(b),
		Env:    []string{"BUCKET_NAME=cold-start", "AWS_REGION=us-east-1"},
	}
	var total time.Duration
	for b.Loop() {
		d, err := lambdaruntime.MeasureColdStart(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		total += d
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/coldstart")
}

// BenchmarkInvoke measures one synchronous invocation through the Runtime
// API against MinIO for the password function and, in the same loop, for
// the floor function that only stores a record-sized body. p50-ratio is
// the function's p50 over the floor's (target <= 1.10).
func BenchmarkInvoke(b *testing.B) {
	compare(b, nil,
		&benchTarget{name: "function", binary: handlerbuild.Binary(b), want: `"statusCode":200`,
			payload: func(i int) string { return fmt.Sprintf(`{"length": 32, "name": "bench-%d"}`, i) }},
		&benchTarget{name: "floor", binary: buildFloor(b), payload: func(int) string { return `{}` }},
	)
}

// BenchmarkRetrieve measures a GET /passwords/{name} through the
// retrieval function against the floor function making one bare
// GetObject of the same object. p50-ratio is the retriever's p50 over the
// floor's (target <= 1.10).
func BenchmarkRetrieve(b *testing.B) {
	get := string(apiRequest{Route: apispec.RouteGet, Name: "bench-read", Client: "reader"}.Event())
	compare(b, []string{"FLOOR_GET_KEY=passwords/bench-read.json"},
		&benchTarget{name: "retriever", binary: handlerbuild.Binary(b), handler: apispec.Retriever.Handler(), want: `"statusCode":200`,
			payload: func(int) string { return get }},
		&benchTarget{name: "floor", binary: buildFloor(b), payload: func(int) string { return `{}` }},
	)
}

func buildFloor(b *testing.B) string {
	floor, err := lambdabuild.Build(context.Background(), lambdabuild.Options{
		Package: "github.com/passwordgen/passwordgen/handler/testdata/floor", GOARCH: runtime.GOARCH, OutDir: b.TempDir(),
	})
	if err != nil {
		b.Fatal(err)
	}
	return floor.Binary
}

// compare runs measured against floor on one encrypted bucket, holding a
// record stored by the generator as bench-read, with env added to both.
// Invocations alternate between the two, so both see the same machine and
// server state. It reports each one's p50, p99 and peak RSS, and the
// ratio of the p50s.
func compare(b *testing.B, env []string, measured, floor *benchTarget) {
	srv := miniotest.Start(b)
	env = append(append(srv.Env(), "BUCKET_NAME="+encryptedBucket(b, srv)), env...)
	setup, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{Binary: handlerbuild.Binary(b), Env: env})
	if err != nil {
		b.Fatal(err)
	}
	res, err := setup.Invoke(context.Background(), []byte(`{"name": "bench-read"}`))
	setup.Close()
	if err != nil || !strings.Contains(string(res.Payload), `"statusCode":200`) {
		b.Fatalf("store bench-read: %v %s", err, res.Payload)
	}
	targets := []*benchTarget{measured, floor}
	for _, t := range targets {
		t.fn, err = lambdaruntime.Start(context.Background(), lambdaruntime.Config{Binary: t.binary, Handler: t.handler, Env: env})
		if err != nil {
			b.Fatal(err)
		}
		defer t.fn.Close()
		// Warm the connection pool, as a warm Lambda environment would be.
		t.invoke(b, -1)
	}
	i := 0
	for b.Loop() {
		for _, t := range targets {
			t.took = append(t.took, t.invoke(b, i))
		}
		i++
	}
	p50 := map[string]float64{}
	for _, t := range targets {
		slices.Sort(t.took)
		p50[t.name] = ms(t.took[len(t.took)/2])
		b.ReportMetric(p50[t.name], t.name+"-p50-ms")
		b.ReportMetric(ms(t.took[len(t.took)*99/100]), t.name+"-p99-ms")
		if rss, ok := peakRSS(t.binary); ok {
			b.ReportMetric(float64(rss)/1024, t.name+"-peak-rss-MiB")
		}
	}
	b.ReportMetric(p50[measured.name]/p50[floor.name], "p50-ratio")
}

// benchTarget is one function a benchmark measures.
type benchTarget struct {
	name, binary string
	handler      string // "" for the runtime's default
	payload      func(i int) string
	// want is a part of a successful answer; "" accepts any answer that
	// is not a function error.
	want string
	fn   *lambdaruntime.Function
	took []time.Duration
}

// invoke runs invocation i and returns how long it took, failing the
// benchmark on anything but success. Failures show the answer's status
// only: the retriever's answer holds a password.
func (t *benchTarget) invoke(b *testing.B, i int) time.Duration {
	start := time.Now()
	res, err := t.fn.Invoke(context.Background(), []byte(t.payload(i)))
	took := time.Since(start)
	if err != nil || res.FunctionError != "" || !strings.Contains(string(res.Payload), t.want) {
		var answer struct{ StatusCode int }
		_ = json.Unmarshal(res.Payload, &answer)
		b.Fatalf("%s invocation %d: %v %s status %d", t.name, i, err, res.FunctionError, answer.StatusCode)
	}
	return took
}

// encryptedBucket is a bucket that encrypts every object with SSE-S3 by
// default, as every S3 bucket has done since 2023 and the stack's bucket
// does: the floor's bare PutObject is then encrypted at rest as on AWS, and
// the comparison measures the function, not MinIO's encryption, which the
// function's explicit SSE header would otherwise pay alone.
func encryptedBucket(b *testing.B, srv *miniotest.Server) string {
	bucket := srv.NewBucket(b)
	_, err := srv.Client(b).PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{
		Bucket: &bucket,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			}},
		},
	})
	if err != nil {
		b.Fatalf("default encryption for %s: %v", bucket, err)
	}
	return bucket
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakRSS reads VmHWM, the peak resident set, of the running process whose
// executable is binary.
func peakRSS(binary string) (kB int, ok bool) {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		if exe, err := os.Readlink(filepath.Join(p, "exe")); err != nil || exe != binary {
			continue
		}
		status, err := os.ReadFile(filepath.Join(p, "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				n, err := strconv.Atoi(f[1])
				return n, err == nil
			}
		}
	}
	return 0, false
}

// BenchmarkArtifact reports the size of what `pulumi up` uploads for the
// default (arm64) architecture.
func BenchmarkArtifact(b *testing.B) {
	var art lambdabuild.Artifact
	for b.Loop() {
		var err error
		if art, err = lambdabuild.Build(context.Background(), lambdabuild.Options{OutDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	zip, err := os.Stat(art.Zip)
	if err != nil {
		b.Fatal(err)
	}
	bin, err := os.Stat(art.Binary)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(zip.Size())/(1<<20), "zip-MiB")
	b.ReportMetric(float64(bin.Size())/(1<<20), "binary-MiB")
}
