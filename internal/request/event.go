package request

import (
	"bytes"
	"encoding/base64"
)

// requestMembers returns the request fields an event carries: the event
// object itself for a direct invocation, or the JSON object in the body of
// an API Gateway (REST or HTTP API) or Function URL event.
func requestMembers(event []byte) ([]member, error) {
	top, err := decodeObject(event, "")
	if err != nil {
		return nil, err
	}
	if !isHTTPEvent(top) {
		return top, nil
	}
	body, err := httpBody(top)
	if err != nil {
		return nil, err
	}
	// HTTP clients send no body for "all defaults"; some send a newline.
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	return decodeObject(body, "body")
}

// isHTTPEvent recognises the envelopes by keys that no request has.
func isHTTPEvent(top []member) bool {
	for _, m := range top {
		if m.key == "body" || m.key == "requestContext" {
			return true
		}
	}
	return false
}

// httpBody returns the body of an HTTP event, base64-decoded when the event
// says so. A request field next to the body would be silently ignored, so it
// is an error instead.
func httpBody(top []member) ([]byte, error) {
	var body string
	var encoded bool
	for _, m := range top {
		if _, ok := fields[m.key]; ok {
			return nil, &Error{Field: m.key, Message: "belongs inside body when the event is an API Gateway or Function URL event"}
		}
		switch m.key {
		case "body":
			switch v := m.value.(type) {
			case nil:
			case string:
				body = v
			default:
				return nil, &Error{Field: "body", Message: "must be the request JSON as a string, or null, got " + describe(v)}
			}
		case "isBase64Encoded":
			if err := setBool(&encoded, m.value); err != nil {
				return nil, &Error{Field: "isBase64Encoded", Message: err.Error()}
			}
		}
	}
	if !encoded {
		return []byte(body), nil
	}
	decoded, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, &Error{Field: "body", Message: "is not valid base64 although isBase64Encoded is true"}
	}
	return decoded, nil
}
