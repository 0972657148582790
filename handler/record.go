package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
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
	// ExpiresAt is when the password stops being served, RFC 3339; S3's
	// lifecycle removes it within a day or so after.
	ExpiresAt string `json:"expires_at,omitempty"`
	// RotateEveryDays is the rotation period the password was stored with.
	RotateEveryDays int `json:"rotate_every_days,omitempty"`
	// RotatedFrom is the version a rotation replaced.
	RotatedFrom string `json:"rotated_from,omitempty"`
	// Nonce is 128 random bits, new in every stored body. With SSE-S3 an
	// object's ETag is the MD5 of its body, and whoever may list the
	// bucket sees it (the rotator does): every other field of a record can
	// be guessed, so without the nonce the ETag would let them test
	// guesses of a short password offline.
	Nonce string `json:"nonce"`
}

// parameters holds the parameters of the record's type, and only those:
// exactly one of the two is set, and its fields appear directly under
// "parameters".
type parameters struct {
	*request.PasswordParameters
	*request.PassphraseParameters
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
	rec.Parameters.PasswordParameters, rec.Parameters.PassphraseParameters = req.Parameters()
	if req.ExpiresInDays != 0 {
		rec.ExpiresAt = now.UTC().Add(time.Duration(req.ExpiresInDays) * day).Format(time.RFC3339)
	}
	rec.RotateEveryDays = req.RotateEveryDays
	return rec
}

// day is a day of expiry: expires_at is the creation time plus whole
// 24-hour days, and S3's lifecycle acts at the first midnight UTC after
// that, so the retriever refuses a password before S3 removes it.
const day = 24 * time.Hour

// nonceBytes is the nonce's size: 128 bits, beyond any offline search.
const nonceBytes = 16

// encode returns the body to store, with a fresh nonce read from random.
// It keeps the recipe's indented layout for people reading the object with
// `aws s3 cp ... -`, and leaves <, > and & unescaped because they are
// common password symbols, not HTML.
func (r record) encode(random io.Reader) ([]byte, error) {
	nonce := make([]byte, nonceBytes)
	if _, err := io.ReadFull(random, nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	r.Nonce = base64.RawURLEncoding.EncodeToString(nonce)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
