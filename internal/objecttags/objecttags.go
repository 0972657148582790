// Package objecttags is what a stored password carries as S3 object tags:
// its expiry, which S3's lifecycle rules filter on, and its rotation
// period and generation parameters, which let the rotator generate the
// next version without ever reading the current one. It also checks tags
// against S3's limits, so a request that cannot be tagged is refused before
// anything is generated rather than failing at S3.
//
// It is pure string handling, with no AWS imports.
package objecttags

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The tag keys.
const (
	// KeyExpiresInDays holds the days after which S3 expires the object;
	// the bucket has one lifecycle rule per value the deployment offers.
	KeyExpiresInDays = "expires_in_days"
	// KeyRotateEveryDays holds the rotation period in days.
	KeyRotateEveryDays = "rotate_every_days"
	// KeyRotatedAt holds the scheduled time of the run that wrote the
	// version, so a rerun of that run finds it already done.
	KeyRotatedAt = "rotated_at"
	// KeyRotatedFrom holds the version id the rotation replaced.
	KeyRotatedFrom = "rotated_from"
	// paramsKey prefixes the numbered tags that hold the generation
	// parameters: params_1, params_2, ...
	paramsKey = "params_"
)

// S3's limits on object tags.
const (
	MaxTags        = 10
	MaxKeyLength   = 128
	MaxValueLength = 256
)

// ErrTooLarge reports parameters that do not fit in the tags S3 allows.
var ErrTooLarge = errors.New("too large for S3 object tags")

// maxParamTags is what the parameters may use: the rotation tags take the
// other four (expiry and rotation never meet on one object, but rotated_at
// and rotated_from join rotate_every_days on every rotated version).
const maxParamTags = MaxTags - 4

// encoding keeps every character of the parameters inside S3's tag
// alphabet: base64url uses letters, digits, '-' and '_', all allowed,
// whereas most password symbols are not.
var encoding = base64.RawURLEncoding

// EncodeParams splits params (compact JSON) into tags, at most
// MaxValueLength characters each. Params too large for the tags left beside
// the rotation tags give an error wrapping ErrTooLarge that says by how
// much.
func EncodeParams(params []byte) (map[string]string, error) {
	text := encoding.EncodeToString(params)
	if limit := maxParamTags * MaxValueLength; len(text) > limit {
		return nil, fmt.Errorf("the generation parameters take %d characters once encoded, %w: at most %d fit (%d tags of %d)", len(text), ErrTooLarge, limit, maxParamTags, MaxValueLength)
	}
	tags := make(map[string]string)
	for i := 1; text != ""; i++ {
		n := min(len(text), MaxValueLength)
		tags[paramsKey+strconv.Itoa(i)] = text[:n]
		text = text[n:]
	}
	return tags, nil
}

// Rotation returns the tags that make a version rotate every periodDays
// with params: what the generator stores and each rotated version keeps.
func Rotation(params []byte, periodDays int) (map[string]string, error) {
	tags, err := EncodeParams(params)
	if err != nil {
		return nil, err
	}
	tags[KeyRotateEveryDays] = strconv.Itoa(periodDays)
	return tags, nil
}

// DecodeParams joins what EncodeParams split. It returns nil, nil when tags
// hold no parameters: an object stored without rotation.
func DecodeParams(tags map[string]string) ([]byte, error) {
	count := 0
	for k := range tags {
		if strings.HasPrefix(k, paramsKey) {
			count++
		}
	}
	if count == 0 {
		return nil, nil
	}
	var b strings.Builder
	for i := 1; i <= count; i++ {
		part, ok := tags[paramsKey+strconv.Itoa(i)]
		if !ok {
			return nil, fmt.Errorf("%d tags %s*, but %s%d is missing", count, paramsKey, paramsKey, i)
		}
		b.WriteString(part)
	}
	params, err := encoding.DecodeString(b.String())
	if err != nil {
		return nil, fmt.Errorf("tags %s*: %w", paramsKey, err)
	}
	return params, nil
}

// Header returns tags as the x-amz-tagging header of a PutObject, refusing
// what S3 would refuse, so the error names the tag rather than an HTTP 400.
func Header(tags map[string]string) (string, error) {
	if len(tags) > MaxTags {
		return "", fmt.Errorf("%d tags, more than the %d S3 allows", len(tags), MaxTags)
	}
	q := url.Values{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if err := Check(k, tags[k]); err != nil {
			return "", err
		}
		q.Set(k, tags[k])
	}
	return q.Encode(), nil
}

// Check reports whether key and value are a tag S3 accepts.
func Check(key, value string) error {
	switch {
	case key == "" || len(key) > MaxKeyLength:
		return fmt.Errorf("tag key %q: must be 1 to %d characters", key, MaxKeyLength)
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return fmt.Errorf("tag key %q: the aws: prefix is reserved", key)
	case len(value) > MaxValueLength:
		return fmt.Errorf("tag %s: value of %d characters, more than %d", key, len(value), MaxValueLength)
	}
	for _, s := range []string{key, value} {
		if i := strings.IndexFunc(s, func(r rune) bool { return !allowed(r) }); i >= 0 {
			return fmt.Errorf("tag %s: character %q is not allowed in S3 tags", key, s[i])
		}
	}
	return nil
}

// allowed is S3's tag alphabet as this package uses it: ASCII letters,
// digits, space and + - = . _ : / @. S3 also accepts other Unicode letters,
// which nothing here writes.
func allowed(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" +-=._:/@", r)
}
