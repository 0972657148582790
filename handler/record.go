package main

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/passwordgen/passwordgen/internal/password"
)

// record is the stored object: the recipe's fields, so existing readers keep
// working, plus every parameter that shaped the password, its entropy and
// who asked for it.
type record struct {
	Password    string     `json:"password"`
	Length      int        `json:"length"`
	CreatedAt   string     `json:"created_at"`
	Parameters  parameters `json:"parameters"`
	EntropyBits float64    `json:"entropy_bits"`
	// CreatedBy is the caller: the API client's JWT subject, or "iam" for
	// a direct invocation.
	CreatedBy string `json:"created_by"`
}

type parameters struct {
	IncludeUppercase        bool   `json:"include_uppercase"`
	IncludeLowercase        bool   `json:"include_lowercase"`
	IncludeNumbers          bool   `json:"include_numbers"`
	IncludeSymbols          bool   `json:"include_symbols"`
	Symbols                 string `json:"symbols"`
	ExcludeCharacters       string `json:"exclude_characters"`
	ExcludeAmbiguous        bool   `json:"exclude_ambiguous"`
	RequireEachIncludedType bool   `json:"require_each_included_type"`
	MinLowercase            int    `json:"min_lowercase"`
	MinUppercase            int    `json:"min_uppercase"`
	MinNumbers              int    `json:"min_numbers"`
	MinSymbols              int    `json:"min_symbols"`
}

func newRecord(pw string, p password.Policy, entropyBits float64, now time.Time, createdBy string) record {
	return record{
		Password:    pw,
		Length:      p.Length,
		CreatedAt:   now.UTC().Format(time.RFC3339),
		EntropyBits: entropyBits,
		CreatedBy:   createdBy,
		Parameters: parameters{
			IncludeUppercase:        p.Uppercase,
			IncludeLowercase:        p.Lowercase,
			IncludeNumbers:          p.Numbers,
			IncludeSymbols:          p.Symbols,
			Symbols:                 p.SymbolSet,
			ExcludeCharacters:       p.ExcludeCharacters,
			ExcludeAmbiguous:        p.ExcludeAmbiguous,
			RequireEachIncludedType: p.RequireEachIncludedType,
			MinLowercase:            p.MinLowercase,
			MinUppercase:            p.MinUppercase,
			MinNumbers:              p.MinNumbers,
			MinSymbols:              p.MinSymbols,
		},
	}
}

// encode keeps the recipe's indented layout for people reading the object
// with `aws s3 cp ... -`, and leaves <, > and & unescaped because they are
// common password symbols, not HTML.
func (r record) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
