package orgpolicy

import (
	"crypto/rand"
	"strconv"
	"testing"

	"github.com/passwordgen/passwordgen/internal/forbidden"
	"github.com/passwordgen/passwordgen/internal/password"
)

// denyList is the 20-word deny-list of the benchmark policy.
var denyList = []string{
	"password", "qwerty", "letmein", "admin", "welcome", "monkey", "dragon", "master", "login", "princess",
	"football", "baseball", "shadow", "sunshine", "iloveyou", "trustno1", "secret", "superman", "starwars", "whatever",
}

func benchPatterns() []string {
	out := make([]string, len(denyList))
	for i, w := range denyList {
		out[i] = "(?i)" + w
	}
	return out
}

// benchPolicy is the policy the budget is set from: maxRepeat 2, the
// deny-list, and every class required.
func benchPolicy(tb testing.TB) *Compiled {
	tb.Helper()
	return mustCompile(tb, Policy{MinClasses: 4, MaxRepeat: 2, ForbiddenPatterns: benchPatterns()}, 128)
}

// cold returns c with empty caches, as in a fresh function instance.
func cold(c *Compiled) *Compiled {
	fresh := *c
	fresh.dfas = newCache[string, *forbidden.DFA](cacheBytes, (*forbidden.DFA).Bytes)
	fresh.requests = newCache[password.Policy, outcome](cacheBytes, outcome.bytes)
	return &fresh
}

// BenchmarkCount measures a request's first verdict: the automaton over its
// alphabet, the counter, and the exact count, for the default request at
// each length. It reports the counter's work estimate, which the budget
// is expressed in.
func BenchmarkCount(b *testing.B) {
	c := benchPolicy(b)
	for _, n := range []int{16, 32, 64, 128} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			p := password.Default()
			p.Length = n
			var work float64
			b.ReportAllocs()
			for b.Loop() {
				fresh := cold(c)
				if _, err := fresh.Password(p); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_, sh, _ := fresh.measure(p)
				d, _ := fresh.dfa(sh.sets)
				cnt, _ := fresh.counter(d, n, sh)
				work = cnt.work(n)
				b.StartTimer()
			}
			b.ReportMetric(work, "word-ops")
		})
	}
}

// BenchmarkCountWarm measures a verdict from the cache.
func BenchmarkCountWarm(b *testing.B) {
	c := benchPolicy(b)
	p := password.Default()
	p.Length = 32
	if _, err := c.Password(p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Password(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerate compares a 32-character password under the benchmark
// policy with the same request without it.
func BenchmarkGenerate(b *testing.B) {
	p := password.Default()
	p.Length = 32
	plain, err := password.New(p)
	if err != nil {
		b.Fatal(err)
	}
	ruled, err := benchPolicy(b).Password(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("policy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ruled.Generate(rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("none", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := plain.Generate(rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
	})
}
