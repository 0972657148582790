package stack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	localstack "github.com/passwordgen/passwordgen/internal/local/stack"
	"github.com/passwordgen/passwordgen/internal/rotation"
	"github.com/passwordgen/passwordgen/internal/testkit/apitest"
)

// TestRotatorEndToEnd runs the local stack with its schedule every second:
// each scheduled run, as of its own time, finds nothing due and says so in
// the stack's log; a run on demand through the Invoke API as of two days
// ahead rotates the password created with rotate_every_days 1 and no
// other, and the HTTP API then reads the new version, written by the
// rotator. No password appears in a log or an answer but the GET's.
func TestRotatorEndToEnd(t *testing.T) {
	l := startLocal(t, 1000, 1000, func(o *localstack.Options) { o.RotateEvery = time.Second })
	admin := l.token(t, "admin")
	for _, body := range []string{`{"name": "team-a/rotating", "rotate_every_days": 1}`, `{"name": "team-a/monthly", "rotate_every_days": 30}`, `{"name": "team-a/plain"}`} {
		if r := l.call(t, "POST", "/passwords", admin, body); r.status != 201 {
			t.Fatalf("create %s: %d %s", body, r.status, r.raw)
		}
	}
	first := l.stored(t, "team-a/rotating", "")

	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(l.log.String(), `msg="scheduled rotation" function=password-rotator`) {
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled run within 30 s:\n%s", l.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Contains(l.log.String(), "scheduled rotation failed") || !strings.Contains(l.log.String(), "due=0 rotated=0") {
		t.Errorf("a scheduled run as of now rotated something or failed:\n%s", l.log)
	}

	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	// As `aws lambda invoke` sends it.
	res := apitest.Call(t, l.lambda, "POST", "/2015-03-31/functions/password-rotator/invocations", "", `{"scheduled_time":"`+at+`"}`)
	var report rotation.Report
	if res.Status != 200 || res.Header.Get("X-Amz-Function-Error") != "" || json.Unmarshal([]byte(res.Body), &report) != nil {
		t.Fatalf("rotate: %d %v %s", res.Status, res.Header, res.Body)
	}
	if report.ScheduledTime != at || report.Due != 1 || report.Rotated != 1 || !report.Complete {
		t.Errorf("report %+v, want team-a/rotating rotated as of %s", report, at)
	}
	l.mu.Lock()
	l.answers = append(l.answers, res.Body)
	l.mu.Unlock()

	versions, err := l.s3Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(localstack.DefaultBucket), Prefix: aws.String("passwords/team-a/")})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, v := range versions.Versions {
		count[aws.ToString(v.Key)]++
	}
	if want := map[string]int{"passwords/team-a/rotating.json": 2, "passwords/team-a/monthly.json": 1, "passwords/team-a/plain.json": 1}; len(count) != 3 || count["passwords/team-a/rotating.json"] != 2 || count["passwords/team-a/monthly.json"] != 1 || count["passwords/team-a/plain.json"] != 1 {
		t.Errorf("versions %v, want %v", count, want)
	}
	r := l.call(t, "GET", "/passwords/team-a/rotating", admin, "")
	current := l.stored(t, "team-a/rotating", "")
	if r.status != 200 || r.body["created_by"] != "rotator" || r.body["rotate_every_days"] != float64(1) || r.body["password"] != current || current == first {
		t.Errorf("GET after the rotation: %d, created_by %v, rotate_every_days %v, a new password %v", r.status, r.body["created_by"], r.body["rotate_every_days"], current != first)
	}

	l.assertOnlyAskedFor(t, first, current, l.stored(t, "team-a/monthly", ""), l.stored(t, "team-a/plain", ""))
}
