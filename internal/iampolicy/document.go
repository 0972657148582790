// Package iampolicy builds the IAM policy documents the stack deploys: the
// Lambda and Scheduler trust policies; the generator's, the retriever's, the
// rotator's and the schedule's inline policies; the readers' managed policy;
// the password bucket's and the audit bucket's policies; and the dedicated
// KMS key's policy.
//
// Documents are plain Go values serialized with encoding/json, so the same
// bytes can be handed to Pulumi, compared against golden files and loaded into
// another policy engine (MinIO) by tests. Every builder validates its inputs
// up front: a malformed ARN or prefix would otherwise produce a policy that
// silently grants more, or less, than intended.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// version is the only policy language version that supports policy
// variables and the condition operators used here.
const version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement. Action and Resource are always
// lists, so a statement reads the same however many entries it has.
type Statement struct {
	Sid    string `json:"Sid,omitempty"`
	Effect string `json:"Effect"`
	// Principal is "*" or a map such as {"Service": ["lambda.amazonaws.com"]};
	// identity policies leave it nil.
	Principal any                            `json:"Principal,omitempty"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource,omitempty"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// JSON returns the document as compact JSON. Compact rather than indented
// because IAM counts whitespace against the 10,240-character limit on a
// role's inline policies; the documents stay far below it, but the margin
// costs nothing. HTML escaping is off so a prefix containing '&' is stored
// as written, not as \u0026. encoding/json sorts map keys, so the same
// document always yields the same bytes.
func (d Document) JSON() (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return "", fmt.Errorf("iampolicy: encode document: %w", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
