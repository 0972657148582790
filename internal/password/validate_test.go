package password

import (
	"errors"
	"strings"
	"testing"
)

func TestNewRejectsInvalidPolicies(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Policy)
		field   string
		message string
	}{
		{"length zero", func(p *Policy) { p.Length = 0 }, "length", "must be between 1 and 4096, got 0"},
		{"length negative", func(p *Policy) { p.Length = -5 }, "length", "must be between 1 and 4096, got -5"},
		{"length too long", func(p *Policy) { p.Length = 4097 }, "length", "must be between 1 and 4096, got 4097"},
		{"negative minimum", func(p *Policy) { p.MinLowercase = -1 }, "min_lowercase", "must not be negative"},
		{"huge minimum", func(p *Policy) { p.MinUppercase = 1 << 62 }, "min_uppercase", "is more than length 16"},
		{"minimum of excluded class", func(p *Policy) { p.Symbols, p.MinSymbols = false, 2 }, "min_symbols", "must be 0 when include_symbols is false"},
		{"minimum above length", func(p *Policy) { p.MinNumbers = 17 }, "min_numbers", "17 is more than length 16"},
		{"no class", func(p *Policy) { p.Lowercase, p.Uppercase, p.Numbers, p.Symbols = false, false, false, false }, "include_lowercase", "at least one of include_lowercase, include_uppercase, include_numbers and include_symbols must be true"},
		{"empty symbols", func(p *Policy) { p.SymbolSet = "" }, "symbols", "must not be empty; set include_symbols to false"},
		{"letter in symbols", func(p *Policy) { p.SymbolSet = "!a" }, "symbols", `got 'a' at position 2`},
		{"digit in symbols", func(p *Policy) { p.SymbolSet = "!7" }, "symbols", `got '7' at position 2`},
		{"space in symbols", func(p *Policy) { p.SymbolSet = "! " }, "symbols", `got ' ' at position 2`},
		{"control in symbols", func(p *Policy) { p.SymbolSet = "!\t" }, "symbols", `got '\t' at position 2`},
		{"delete in symbols", func(p *Policy) { p.SymbolSet = "!\x7f" }, "symbols", `got '\x7f' at position 2`},
		{"non-ASCII symbol", func(p *Policy) { p.SymbolSet = "!§" }, "symbols", `got '§' at position 2`},
		{"invalid UTF-8 symbol", func(p *Policy) { p.SymbolSet = "!\xff" }, "symbols", "must hold only ASCII punctuation"},
		{"duplicate symbol", func(p *Policy) { p.SymbolSet = "!@#!" }, "symbols", `lists '!' more than once`},
		{"numbers emptied", func(p *Policy) { p.ExcludeCharacters = "0123456789" }, "include_numbers", "every number is excluded by exclude_characters"},
		{"symbols emptied", func(p *Policy) { p.SymbolSet, p.ExcludeCharacters = "!@", "@!" }, "include_symbols", "every symbol is excluded by exclude_characters"},
		{
			"lowercase emptied with ambiguous",
			func(p *Policy) { p.ExcludeCharacters, p.ExcludeAmbiguous = "abcdefghijkmnpqrstuvwxyz", true },
			"include_lowercase", "every lowercase letter is excluded by exclude_characters and exclude_ambiguous",
		},
		{
			"everything excluded",
			func(p *Policy) {
				p.Lowercase, p.Uppercase, p.Symbols = false, false, false
				p.ExcludeCharacters, p.ExcludeAmbiguous = "23456789", true
			},
			"exclude_characters", "every character of the included classes is excluded by exclude_characters and exclude_ambiguous",
		},
		{
			"minimums exceed length",
			func(p *Policy) { p.Length, p.MinNumbers, p.MinSymbols = 8, 4, 4 },
			"length", "8 is less than the 10 characters the minimums require (1 lowercase letter for require_each_included_type, 1 uppercase letter for require_each_included_type, min_numbers 4, min_symbols 4)",
		},
		{
			"required classes exceed length",
			func(p *Policy) { p.Length = 3 },
			"length", "3 is less than the 4 characters the minimums require",
		},
		{
			"minimums exceed length without require_each_included_type",
			func(p *Policy) { p.Length, p.RequireEachIncludedType, p.MinNumbers, p.MinSymbols = 4, false, 3, 2 },
			"length", "4 is less than the 5 characters the minimums require (min_numbers 3, min_symbols 2)",
		},
		{
			// Cheap to count, but uniform candidates almost never hold 100
			// of the 1-in-63 symbol, and exact sampling would be slow.
			"sampling too costly",
			func(p *Policy) { p.Length, p.SymbolSet, p.MinSymbols = 4096, "!", 100 },
			"min_symbols", "too many combinations of class counts to count or sample exactly",
		},
		{
			"counting too costly",
			func(p *Policy) { p.Length, p.MinSymbols, p.MinNumbers = 4096, 1500, 1000 },
			"min_symbols", "too many combinations of class counts to count or sample exactly",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Default()
			tt.edit(&p)
			g, err := New(p)
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("New = %v, %v; want a *PolicyError", g, err)
			}
			if pe.Field != tt.field || !strings.Contains(pe.Message, tt.message) {
				t.Errorf("New error = {%q, %q}; want field %q and a message containing %q", pe.Field, pe.Message, tt.field, tt.message)
			}
			if want := pe.Field + ": " + pe.Message; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestNewAcceptsEdgePolicies(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Policy)
	}{
		{"default", func(*Policy) {}},
		{"symbols ignored when excluded", func(p *Policy) { p.Symbols, p.SymbolSet = false, "not punctuation" }},
		{"every punctuation character", func(p *Policy) { p.SymbolSet = allPunctuation }},
		{"exclusions outside every class", func(p *Policy) { p.ExcludeCharacters = "é€ \x00\xff~" }},
		{"minimums fill the length", func(p *Policy) { p.MinLowercase, p.MinUppercase, p.MinNumbers, p.MinSymbols = 4, 4, 4, 4 }},
		{"shortest", func(p *Policy) { p.Length, p.RequireEachIncludedType = 1, false }},
		{"longest", func(p *Policy) { p.Length = 4096 }},
		{"longest with modest minimums", func(p *Policy) { p.Length, p.MinNumbers, p.MinSymbols = 4096, 50, 50 }},
		{"low acceptance", func(p *Policy) { p.Length, p.MinSymbols = 128, 100 }},
		{"minimums fill a long length", func(p *Policy) { p.Length, p.MinLowercase, p.MinUppercase, p.MinNumbers = 600, 200, 200, 199 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Default()
			tt.edit(&p)
			if _, err := New(p); err != nil {
				t.Fatalf("New: %v", err)
			}
		})
	}
}

func TestExclusionsOutsideEveryClassAreIrrelevant(t *testing.T) {
	p := Default()
	p.ExcludeCharacters = "é€ \x00\xff"
	if got, want := mustNew(t, p).EntropyBits(), mustNew(t, Default()).EntropyBits(); got != want {
		t.Errorf("EntropyBits = %v, want the default policy's %v", got, want)
	}
}
