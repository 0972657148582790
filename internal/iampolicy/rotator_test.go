package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

// TestRotatorNeverReads: whatever the encryption, with or without keys
// that encrypted earlier versions, the rotator's policy grants no action
// that reads a password: no object or version read, no decryption, and no
// wildcard that would include them.
func TestRotatorNeverReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
	}{
		{"dedicated or existing key", testKey},
		{"sse-s3", ""},
		{"multi-region key", otherKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Rotator(RotatorArgs{FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: tc.key, Through: testS3}, testQueue})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if strings.ContainsAny(a, "*?") || slices.Contains([]string{"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "kms:Decrypt"}, a) {
						t.Errorf("%s grants %s", st.Sid, a)
					}
				}
			}
		})
	}
}
