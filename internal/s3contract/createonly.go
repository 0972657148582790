package s3contract

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// testCreateOnly is the function's protection against overwriting a stored
// password: If-None-Match: * refuses while a current version exists.
func testCreateOnly(t *testing.T, target Target) {
	c := target.Client
	bucket, key := newBucket(t, c), "passwords/create-only.json"
	first := mustPut(t, c, bucket, key, `{"n":1}`, createOnly)
	if aws.ToString(first.VersionId) == "" {
		t.Fatal("PutObject in a versioned bucket returned no version id")
	}
	_, err := put(t.Context(), c, bucket, key, `{"n":2}`, createOnly)
	wantError(t, "create-only PutObject of an existing key", err, http.StatusPreconditionFailed, "PreconditionFailed")
	body, got := mustGet(t, c, bucket, key, "")
	if body != `{"n":1}` {
		t.Errorf("after a refused create-only PUT the object reads %q, want the first write", body)
	}
	if etag := aws.ToString(first.ETag); etag == "" || etag != aws.ToString(got.ETag) {
		t.Errorf("PutObject ETag %q, GetObject ETag %q: want the same, non-empty", etag, aws.ToString(got.ETag))
	}
	if n := len(versionsOf(t, c, bucket, key).Versions); n != 1 {
		t.Errorf("a refused create-only PUT left %d versions, want 1", n)
	}

	// An overwrite without the condition still works and keeps history.
	mustPut(t, c, bucket, key, `{"n":3}`)
	if n := len(versionsOf(t, c, bucket, key).Versions); n != 2 {
		t.Errorf("after an overwrite there are %d versions, want 2", n)
	}
}

// testCreateOnlyRace: of concurrent create-only PUTs of one key exactly one
// succeeds; the others fail without storing anything. S3 documents 412, or
// 409 ConditionalRequestConflict for writes that overlap in flight.
func testCreateOnlyRace(t *testing.T, target Target) {
	const writers = 20
	c := target.Client
	bucket, key := newBucket(t, c), "passwords/race.json"
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			_, errs[i] = put(t.Context(), c, bucket, key, fmt.Sprintf(`{"writer":%d}`, i), createOnly)
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("writers %d and %d both succeeded", winner, i)
			}
			winner = i
			continue
		}
		var api smithy.APIError
		if !errors.As(err, &api) || (api.ErrorCode() != "PreconditionFailed" && api.ErrorCode() != "ConditionalRequestConflict") {
			t.Errorf("writer %d: %v, want PreconditionFailed or ConditionalRequestConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	if body, _ := mustGet(t, c, bucket, key, ""); body != fmt.Sprintf(`{"writer":%d}`, winner) {
		t.Errorf("object reads %q, want the successful writer's body", body)
	}
	if n := len(versionsOf(t, c, bucket, key).Versions); n != 1 {
		t.Errorf("%d versions after the race, want 1", n)
	}
}
