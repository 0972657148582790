package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/passwordgen/passwordgen/internal/store"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

func TestMain(m *testing.M) { miniotest.Main(m) }

// useEndpoint points the SDK's default configuration at endpoint, isolated
// from any AWS configuration of the machine running the tests.
func useEndpoint(t testing.TB, endpoint, accessKey, secretKey string) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3":         endpoint,
		"AWS_ACCESS_KEY_ID":           accessKey,
		"AWS_SECRET_ACCESS_KEY":       secretKey,
		"AWS_REGION":                  "us-east-1",
		"AWS_CONFIG_FILE":             none,
		"AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_PROFILE":                 "",
		"S3_USE_PATH_STYLE":           "true",
	} {
		t.Setenv(k, v)
	}
}

// newStore returns a Store on a client built by store.NewClient from the
// environment useEndpoint set.
func newStore(t testing.TB, bucket, kmsKeyID string) *store.Store {
	t.Helper()
	client, err := store.NewClient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return store.New(client, bucket, kmsKeyID)
}

// secretRecord returns a record holding a fresh random "password". Tests
// compare against it but never print it.
func secretRecord(t testing.TB) []byte {
	t.Helper()
	b := make([]byte, 16)
	rand.Read(b)
	return []byte(`{"password":"` + hex.EncodeToString(b) + `","length":32}`)
}

// minioStore returns a Store writing to a fresh versioned bucket on the
// test MinIO server, the server, and the bucket's name.
func minioStore(t testing.TB, kmsKeyID string) (*store.Store, *miniotest.Server, string) {
	t.Helper()
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	useEndpoint(t, srv.Endpoint, srv.AccessKey, srv.SecretKey)
	return newStore(t, bucket, kmsKeyID), srv, bucket
}
