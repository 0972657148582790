package main

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/passwordgen/passwordgen/internal/request"
)

// record is the stored object: the recipe's fields, so existing readers keep
// working, plus the type of secret, every parameter that shaped it, its
// entropy and who asked for it. Password holds a passphrase too, under the
// recipe's name.
type record struct {
	Password    string     `json:"password"`
	Type        string     `json:"type"`
	Length      int        `json:"length"`
	CreatedAt   string     `json:"created_at"`
	Parameters  parameters `json:"parameters"`
	EntropyBits float64    `json:"entropy_bits"`
	// CreatedBy is the caller: the API client's JWT subject, or "iam" for
	// a direct invocation.
	CreatedBy string `json:"created_by"`
}

// parameters holds the parameters of the record's type, and only those:
// exactly one of the two is set, and its fields appear directly under
// "parameters".
type parameters struct {
	*PasswordParameters
	*PassphraseParameters
}

// PasswordParameters are a password's request fields. Exported only
// because encoding/json cannot decode into an unexported embedded pointer.
type PasswordParameters struct {
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

// PassphraseParameters are a passphrase's request fields.
type PassphraseParameters struct {
	Words      int    `json:"words"`
	Separator  string `json:"separator"`
	Capitalize bool   `json:"capitalize"`
}

func newRecord(secret string, req request.Request, entropyBits float64, now time.Time, createdBy string) record {
	rec := record{
		Password:    secret,
		Type:        req.Type,
		Length:      len(secret),
		CreatedAt:   now.UTC().Format(time.RFC3339),
		EntropyBits: entropyBits,
		CreatedBy:   createdBy,
	}
	if req.Type == request.TypePassphrase {
		o := req.Passphrase
		rec.Parameters.PassphraseParameters = &PassphraseParameters{Words: o.Words, Separator: o.Separator, Capitalize: o.Capitalize}
		return rec
	}
	p := req.Policy
	rec.Parameters.PasswordParameters = &PasswordParameters{
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
	}
	return rec
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
