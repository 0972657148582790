package password

import (
	"crypto/rand"
	"strconv"
	"testing"
)

// benchLengths are the password lengths the generation benchmarks compare
// with reading as many bytes from crypto/rand.
var benchLengths = []int{16, 32, 128}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range benchLengths {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			p := Default()
			p.Length = n
			g := mustNew(b, p)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Generate(rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCryptoRandRead(b *testing.B) {
	for _, n := range benchLengths {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			buf := make([]byte, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rand.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerateClassCounts measures the path New takes when few
// uniform candidates meet the minimums.
func BenchmarkGenerateClassCounts(b *testing.B) {
	p := Default()
	p.Length, p.MinSymbols = 32, 24
	g := mustNew(b, p)
	if g.exact == nil {
		b.Fatal("policy does not take the class-count path")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Generate(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Default()); err != nil {
			b.Fatal(err)
		}
	}
}
