package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/store"
)

// TestPathStyle uses a host name, not an IP address: for an IP the SDK
// picks path-style addressing by itself, for a name only when told to.
func TestPathStyle(t *testing.T) {
	fake := newFakeS3(t, ok)
	t.Setenv("AWS_ENDPOINT_URL_S3", strings.Replace(fake.URL, "127.0.0.1", "localhost", 1))
	if _, err := newStore(t, "bucket", "").Put(context.Background(), "k.json", []byte("{}"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := fake.requests[0].path; got != "/bucket/k.json" {
		t.Fatalf("request path = %q, want /bucket/k.json", got)
	}
}

func TestPathStyleRejectsUnclearValue(t *testing.T) {
	useEndpoint(t, "http://127.0.0.1:1", "AKIDEXAMPLE", "secret")
	t.Setenv("S3_USE_PATH_STYLE", "yes")
	_, err := store.NewClient(context.Background())
	if err == nil || !strings.Contains(err.Error(), "S3_USE_PATH_STYLE") {
		t.Fatalf("NewClient error = %v, want one naming S3_USE_PATH_STYLE", err)
	}
}
