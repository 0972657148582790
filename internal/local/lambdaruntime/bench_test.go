package lambdaruntime_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// BenchmarkInvoke is one round trip through the Runtime API to a warm
// process: the overhead every invocation of the real function pays.
func BenchmarkInvoke(b *testing.B) {
	f := start(b, lambdaruntime.Config{})
	payload := []byte(`{"action":"echo","length":20,"name":"test-password-1"}`)
	ctx := context.Background()
	var latencies []time.Duration
	for b.Loop() {
		t0 := time.Now()
		res, err := f.Invoke(ctx, payload)
		latencies = append(latencies, time.Since(t0))
		if err != nil || res.FunctionError != "" {
			b.Fatalf("Invoke: %v %s", err, res.Payload)
		}
	}
	reportPercentiles(b, latencies)
}

// BenchmarkColdStart is exec until the first poll for work, Lambda's init
// duration for the test function.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	var durations []time.Duration
	for b.Loop() {
		d, err := lambdaruntime.MeasureColdStart(ctx, lambdaruntime.Config{Binary: bootstrap})
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, d)
	}
	reportPercentiles(b, durations)
}

func reportPercentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Nanoseconds()) }
	b.ReportMetric(at(0.50), "p50-ns")
	b.ReportMetric(at(0.99), "p99-ns")
}
