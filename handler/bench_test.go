package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/lambdabuild"
	"github.com/passwordgen/passwordgen/internal/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/miniotest"
)

// Targets on the reference machine (2 cores), checked by reading these
// figures, not asserted: cold start <= 20 ms, invocation p50 <= 1.10 x the
// floor function's, peak RSS <= 25 MB, arm64 zip <= 5 MB.

func BenchmarkColdStart(b *testing.B) {
	cfg := lambdaruntime.Config{
		Binary: buildBootstrap(b),
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
// API against MinIO, for the password function and, in the same run, for
// the floor function that only stores a record-sized body.
func BenchmarkInvoke(b *testing.B) {
	srv := miniotest.Start(b)
	floor, err := lambdabuild.Build(context.Background(), lambdabuild.Options{
		Package: "./handler/testdata/floor", GOARCH: runtime.GOARCH, OutDir: b.TempDir(),
	})
	if err != nil {
		b.Fatal(err)
	}
	functions := []struct {
		name, binary string
		payload      func(i int) string
	}{
		{"function", buildBootstrap(b), func(i int) string { return fmt.Sprintf(`{"length": 32, "name": "bench-%d"}`, i) }},
		{"floor", floor.Binary, func(int) string { return `{}` }},
	}
	for _, f := range functions {
		b.Run(f.name, func(b *testing.B) {
			bucket := srv.NewBucket(b)
			fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
				Binary: f.binary,
				Env:    append(srv.Env(), "BUCKET_NAME="+bucket),
			})
			if err != nil {
				b.Fatal(err)
			}
			defer fn.Close()
			// Warm the connection pool, as a warm Lambda environment would be.
			if _, err := fn.Invoke(context.Background(), []byte(f.payload(-1))); err != nil {
				b.Fatal(err)
			}
			var took []time.Duration
			i := 0
			for b.Loop() {
				start := time.Now()
				res, err := fn.Invoke(context.Background(), []byte(f.payload(i)))
				took = append(took, time.Since(start))
				if err != nil || res.FunctionError != "" || (f.name == "function" && !strings.Contains(string(res.Payload), `"statusCode":200`)) {
					b.Fatalf("invocation %d: %v %s", i, err, res.Payload)
				}
				i++
			}
			slices.Sort(took)
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
			b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
			if rss, ok := peakRSS(f.binary); ok {
				b.ReportMetric(float64(rss)/1024, "peak-rss-MB")
			}
		})
	}
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
	b.ReportMetric(float64(zip.Size())/(1<<20), "zip-MB")
	b.ReportMetric(float64(bin.Size())/(1<<20), "binary-MB")
}
