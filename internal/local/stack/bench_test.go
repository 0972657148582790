package stack_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/testkit/apitest"
)

// BenchmarkHTTPAPIOverInvoke measures what the HTTP API adds to a
// generation: a POST /passwords with a valid token through the local API
// (authorizer, event, Runtime API, S3) against a direct Invoke API call
// of the same function, alternating request by request on one stack so
// both see the same machine and server. p50-ratio is the API's p50 over
// the direct call's (target <= 1.15).
func BenchmarkHTTPAPIOverInvoke(b *testing.B) {
	l := startLocal(b, 1_000_000, 1_000_000)
	auth := l.token(b, "generator")
	invoke := l.lambda + "/2015-03-31/functions/password-generator/invocations"
	targets := []struct {
		name string
		call func(i int) int
		took []time.Duration
	}{
		{name: "api", call: func(i int) int {
			return apitest.Call(b, l.api, "POST", "/passwords", auth, fmt.Sprintf(`{"name": "bench/api-%d"}`, i)).Status
		}},
		{name: "invoke", call: func(i int) int {
			// The Invoke API answers 200 with the function's own statusCode
			// inside; the benchmark checks the HTTP exchange succeeded.
			return apitest.Call(b, invoke, "POST", "", "", fmt.Sprintf(`{"name": "bench/invoke-%d"}`, i)).Status
		}},
	}
	want := map[string]int{"api": 201, "invoke": 200}
	for i := range targets {
		targets[i].call(-1) // warm connections and processes
	}
	i := 0
	for b.Loop() {
		for j := range targets {
			start := time.Now()
			if status := targets[j].call(i); status != want[targets[j].name] {
				b.Fatalf("%s %d: status %d", targets[j].name, i, status)
			}
			targets[j].took = append(targets[j].took, time.Since(start))
		}
		i++
	}
	p50 := map[string]float64{}
	for _, t := range targets {
		slices.Sort(t.took)
		p50[t.name] = float64(t.took[len(t.took)/2].Microseconds()) / 1000
		b.ReportMetric(p50[t.name], t.name+"-p50-ms")
	}
	b.ReportMetric(p50["api"]/p50["invoke"], "p50-ratio")
}
