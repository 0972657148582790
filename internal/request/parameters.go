package request

import (
	"bytes"
	"encoding/json"
)

// PasswordParameters are a password's request fields by their JSON names:
// what a stored record says shaped the password, and what the rotator
// needs to generate the next one.
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

// Parameters returns the parameters of r's type: exactly one of the two is
// non-nil.
func (r Request) Parameters() (*PasswordParameters, *PassphraseParameters) {
	if r.Type == TypePassphrase {
		o := r.Passphrase
		return nil, &PassphraseParameters{Words: o.Words, Separator: o.Separator, Capitalize: o.Capitalize}
	}
	p := r.Policy
	return &PasswordParameters{
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
	}, nil
}

// GenerationJSON returns the request body that asks for another secret
// like the one r asks for: its type and every field of that type, and
// nothing about where or how long it is kept. Parse gives the same
// parameters back, under the limits and rules in force at that time.
func (r Request) GenerationJSON() []byte {
	body := struct {
		Type   string `json:"type"`
		Length int    `json:"length,omitempty"`
		*PasswordParameters
		*PassphraseParameters
	}{Type: r.Type}
	body.PasswordParameters, body.PassphraseParameters = r.Parameters()
	if body.PasswordParameters != nil {
		body.Length = r.Policy.Length
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" stays one byte, which matters in a tag
	_ = enc.Encode(body)     // strings, bools and ints always encode
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
