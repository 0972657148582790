package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// member is one key and value of a JSON object, in document order. Values
// come from a decoder with UseNumber, so numbers keep their literal text and
// are never rounded through float64.
type member struct {
	key   string
	value any
}

// decodeObject decodes data as exactly one JSON object, rejecting duplicate
// keys (encoding/json would silently keep the last one) and trailing data.
// subject is the field the data came from, "" for the event itself.
func decodeObject(data []byte, subject string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, objectError(subject, `is empty; send a JSON object such as {"length": 20}`)
	}
	if err != nil {
		return nil, objectError(subject, syntaxMessage(err))
	}
	if tok != json.Delim('{') {
		return nil, objectError(subject, `must be a JSON object such as {"length": 20}, got `+describe(tok))
	}
	var members []member
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, objectError(subject, syntaxMessage(err))
		}
		key, _ := tok.(string) // inside an object the decoder yields only string keys
		var value any
		if err := dec.Decode(&value); err != nil {
			return nil, objectError(subject, syntaxMessage(err))
		}
		if seen[key] {
			return nil, &Error{Field: fieldLabel(key), Message: "appears more than once"}
		}
		seen[key] = true
		members = append(members, member{key, value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, objectError(subject, syntaxMessage(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, objectError(subject, "has data after the JSON object")
	}
	return members, nil
}

func objectError(subject, message string) *Error {
	if subject == "" {
		return &Error{Message: "event " + message}
	}
	return &Error{Field: subject, Message: message}
}

// syntaxMessage describes a decoding failure without quoting the input;
// encoding/json's own messages quote at most one character.
func syntaxMessage(err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("is not valid JSON: %v (at byte %d)", se, se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "is not valid JSON: it ends before the object is complete"
	default:
		return "is not valid JSON"
	}
}

// describe names a decoded value for a "got ..." clause.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case string:
		return "the string " + strconv.Quote(excerpt(v))
	case json.Number:
		return excerpt(string(v))
	case map[string]any:
		return "an object"
	default: // []any, or the json.Delim('[') that decodeObject meets first
		return "an array"
	}
}

// excerpt keeps messages short whatever the caller sent.
func excerpt(s string) string {
	const limit = 24
	n := 0
	for i := range s {
		if n == limit {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

// fieldLabel returns key for use as Error.Field: as is when it looks like a
// field name, otherwise quoted and shortened so that a hostile key cannot
// bloat or garble the message.
func fieldLabel(key string) string {
	if key != "" && len(key) <= 64 && !strings.ContainsFunc(key, func(r rune) bool {
		return r <= ' ' || r > '~' || r == '"' || r == '\\'
	}) {
		return key
	}
	return strconv.Quote(excerpt(key))
}
