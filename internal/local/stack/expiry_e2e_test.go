package stack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/lifecycle"
	localstack "github.com/passwordgen/passwordgen/internal/local/stack"
	"github.com/passwordgen/passwordgen/internal/testkit/backdate"
)

// expiringPassword creates a password that expires after 7 days over the
// HTTP API: MinIO holds it under the stack's 7-day lifecycle rule (its
// x-amz-expiration names the rule), the API reads it with its expires_at,
// and, once it is 8 days old (see backdate), answers 404 "Password
// expired" for it and its first version. It returns the passwords stored,
// for the leak check.
func expiringPassword(t *testing.T, l *local, auth string) []string {
	ctx := context.Background()
	created := l.call(t, "POST", "/passwords", auth, `{"name": "team-a/expiring", "expires_in_days": 7}`)
	if created.status != 201 || created.body["expires_at"] == nil {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	first := created.body["version_id"].(string)
	bucket, key := aws.String(localstack.DefaultBucket), aws.String("passwords/team-a/expiring.json")
	head, err := l.s3Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if rule := `rule-id="` + lifecycle.ExpiryID(7) + `"`; !strings.Contains(aws.ToString(head.Expiration), rule) {
		t.Errorf("MinIO's expiration %q does not name %s", aws.ToString(head.Expiration), rule)
	}
	if r := l.call(t, "GET", "/passwords/team-a/expiring", auth, ""); r.status != 200 || r.body["expires_at"] != created.body["expires_at"] {
		t.Errorf("GET before it expires: %d, expires_at %v, want 200 and %v", r.status, r.body["expires_at"], created.body["expires_at"])
	}
	aged, err := backdate.Record(ctx, l.s3Client(), localstack.DefaultBucket, *key, first, 8*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/passwords/team-a/expiring", "/passwords/team-a/expiring?version_id=" + first} {
		r := l.call(t, "GET", path, auth, "")
		if msg, _ := r.body["message"].(string); r.status != 404 || r.body["error"] != "Password expired" || !strings.Contains(msg, "team-a/expiring expired at ") {
			t.Errorf("GET %s once expired: %d %v, want 404 Password expired", path, r.status, r.body["error"])
		}
	}
	return []string{l.stored(t, "team-a/expiring", first), l.stored(t, "team-a/expiring", aged)}
}
