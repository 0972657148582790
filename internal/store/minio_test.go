package store_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/store"
	"github.com/passwordgen/passwordgen/internal/testkit/deadend"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

func TestCreateStoresEncryptedRecord(t *testing.T) {
	tests := []struct {
		name    string
		kms     bool
		wantSSE types.ServerSideEncryption
	}{
		{"SSE-S3", false, types.ServerSideEncryptionAes256},
		{"SSE-KMS", true, types.ServerSideEncryptionAwsKms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := miniotest.Start(t)
			kmsKeyID := ""
			if tt.kms {
				kmsKeyID = srv.KMSKeyName
			}
			st, _, bucket := minioStore(t, kmsKeyID)
			body := secretRecord(t)
			version, err := st.Put(context.Background(), "passwords/a.json", body, store.PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if version == "" {
				t.Fatal("no version id from a versioned bucket")
			}
			head, err := srv.Client(t).HeadObject(context.Background(), &s3.HeadObjectInput{
				Bucket: aws.String(bucket), Key: aws.String("passwords/a.json"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if head.ServerSideEncryption != tt.wantSSE {
				t.Errorf("ServerSideEncryption = %q, want %q", head.ServerSideEncryption, tt.wantSSE)
			}
			if tt.kms && !strings.HasSuffix(aws.ToString(head.SSEKMSKeyId), srv.KMSKeyName) {
				t.Errorf("SSEKMSKeyId = %q, want the key %q", aws.ToString(head.SSEKMSKeyId), srv.KMSKeyName)
			}
			if ct := aws.ToString(head.ContentType); ct != "application/json" {
				t.Errorf("ContentType = %q", ct)
			}
			if aws.ToString(head.VersionId) != version {
				t.Errorf("Put returned version %q, object has %q", version, aws.ToString(head.VersionId))
			}
			if !bytes.Equal(read(t, srv, bucket, "passwords/a.json", ""), body) {
				t.Error("stored bytes differ from the record")
			}
		})
	}
}

func TestCreateRefusesExistingKey(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	first := secretRecord(t)
	if _, err := st.Put(context.Background(), "a.json", first, store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := st.Put(context.Background(), "a.json", secretRecord(t), store.PutOptions{})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second create: %v, want ErrExists", err)
	}
	if n := len(versions(t, srv, bucket, "a.json")); n != 1 {
		t.Fatalf("%d versions after a refused create, want 1", n)
	}
	if !bytes.Equal(read(t, srv, bucket, "a.json", ""), first) {
		t.Error("refused create changed the stored record")
	}
}

func TestOverwriteKeepsPreviousVersion(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	bodies := [][]byte{secretRecord(t), secretRecord(t)}
	var ids []string
	for i, body := range bodies {
		id, err := st.Put(context.Background(), "a.json", body, store.PutOptions{Overwrite: i > 0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if n := len(versions(t, srv, bucket, "a.json")); n != 2 {
		t.Fatalf("%d versions after an overwrite, want 2", n)
	}
	for i, id := range ids {
		if !bytes.Equal(read(t, srv, bucket, "a.json", id), bodies[i]) {
			t.Errorf("version %d (%s) does not hold record %d", i, id, i)
		}
	}
}

func TestConcurrentCreatesOneWins(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	const writers = 20
	errs := make([]error, writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			body := secretRecord(t)
			<-start
			_, errs[i] = st.Put(context.Background(), "a.json", body, store.PutOptions{})
		})
	}
	close(start)
	wg.Wait()
	created, existed := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case errors.Is(err, store.ErrExists):
			existed++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if created != 1 || existed != writers-1 {
		t.Fatalf("%d created, %d ErrExists; want 1 and %d", created, existed, writers-1)
	}
	if n := len(versions(t, srv, bucket, "a.json")); n != 1 {
		t.Fatalf("%d versions, want 1", n)
	}
}

// TestUnreachableS3AnswersBeforeDeadline: an S3 that refuses or hangs must
// produce an error while the caller (a Lambda invocation) still has time to
// answer.
func TestUnreachableS3AnswersBeforeDeadline(t *testing.T) {
	tests := []struct {
		name     string
		endpoint func(testing.TB) string
	}{
		{"connection refused", deadend.Refused},
		{"no answer", deadend.Stalled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := miniotest.Start(t)
			bucket := srv.NewBucket(t)
			useEndpoint(t, tt.endpoint(t), srv.AccessKey, srv.SecretKey)
			// Longer than Put's own 5-second budget: the point is that Put
			// gives up by itself, as the default Lambda's 10 seconds require.
			ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
			defer cancel()
			_, err := newStore(t, bucket, "").Put(ctx, "a.json", secretRecord(t), store.PutOptions{})
			if err == nil || errors.Is(err, store.ErrExists) {
				t.Fatalf("Put = %v, want a storage error", err)
			}
			if ctx.Err() != nil {
				t.Fatal("Put returned only when the caller's deadline had passed")
			}
			if n := len(versions(t, srv, bucket, "a.json")); n != 0 {
				t.Fatalf("%d versions stored, want none", n)
			}
		})
	}
}

// TestDamagedBodyIsNotStored sends the write over HTTPS, as to real S3,
// through a proxy that damages the body: S3 must refuse it rather than store
// a partial or altered record. Over HTTPS the SDK does not sign the payload;
// the SHA-256 checksum Put sends is what protects it.
func TestDamagedBodyIsNotStored(t *testing.T) {
	tests := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"cut in half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"password altered", func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"password":"`))
			b[i+len(`"password":"`)] ^= 1
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := miniotest.Start(t)
			bucket := srv.NewBucket(t)
			trailers := make(chan string, 1)
			proxy := httptest.NewTLSServer(damagingProxy(srv.Endpoint, func(r *http.Request, b []byte) []byte {
				trailers <- r.Header.Get("X-Amz-Trailer")
				return tt.damage(b)
			}))
			defer proxy.Close()
			useEndpoint(t, proxy.URL, srv.AccessKey, srv.SecretKey)
			trust(t, proxy)

			_, err := newStore(t, bucket, "").Put(context.Background(), "a.json", secretRecord(t), store.PutOptions{})
			if err == nil {
				t.Fatal("Put of a damaged body succeeded")
			}
			t.Logf("refused: %v", err)
			if trailer := <-trailers; trailer != "x-amz-checksum-sha256" {
				t.Errorf("request carried trailer %q, want a SHA-256 checksum", trailer)
			}
			if n := len(versions(t, srv, bucket, "a.json")); n != 0 {
				t.Fatalf("%d versions stored, want none", n)
			}
		})
	}
}

// trust makes the SDK accept the test server's certificate.
func trust(t *testing.T, s *httptest.Server) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", path)
}

// damagingProxy forwards requests to target with their body passed through
// damage, everything else (signature included) unchanged.
func damagingProxy(target string, damage func(*http.Request, []byte) []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(damage(r, body)))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		out.Host = r.Host
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
}

// versions lists the stored versions of key.
func versions(t *testing.T, srv *miniotest.Server, bucket, key string) []types.ObjectVersion {
	t.Helper()
	out, err := srv.Client(t).ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(bucket), Prefix: aws.String(key),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Versions
}

// read returns the bytes of key, of one version if versionID is not "".
func read(t *testing.T, srv *miniotest.Server, bucket, key, versionID string) []byte {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := srv.Client(t).GetObject(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestConditionalReplace is the rotator's guard: a replacement names the
// ETag it saw, and a write made since, or a delete, wins over it.
func TestConditionalReplace(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	ctx := context.Background()
	tags := map[string]string{objecttags.KeyRotateEveryDays: "30", "params_1": "e30"}
	if _, err := st.Put(ctx, "a.json", secretRecord(t), store.PutOptions{Tags: tags}); err != nil {
		t.Fatal(err)
	}
	head, err := srv.Client(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("a.json")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := srv.Client(t).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("a.json")})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	for _, tag := range got.TagSet {
		stored[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if !maps.Equal(stored, tags) {
		t.Errorf("stored tags %v, want %v", stored, tags)
	}

	// Someone overwrites after the rotator listed the object.
	if _, err := st.Put(ctx, "a.json", secretRecord(t), store.PutOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "a.json", secretRecord(t), store.PutOptions{IfMatch: aws.ToString(head.ETag)}); !errors.Is(err, store.ErrChanged) {
		t.Fatalf("replace with a stale ETag: %v, want ErrChanged", err)
	}
	if n := len(versions(t, srv, bucket, "a.json")); n != 2 {
		t.Fatalf("%d versions after a refused replace, want 2", n)
	}
	head, err = srv.Client(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("a.json")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "a.json", secretRecord(t), store.PutOptions{IfMatch: aws.ToString(head.ETag)}); err != nil {
		t.Fatalf("replace with the current ETag: %v", err)
	}

	if _, err := srv.Client(t).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("a.json")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "a.json", secretRecord(t), store.PutOptions{IfMatch: aws.ToString(head.ETag)}); !errors.Is(err, store.ErrChanged) {
		t.Fatalf("replace of a deleted object: %v, want ErrChanged", err)
	}
}

func TestPutRefusesTagsS3Would(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	_, err := st.Put(context.Background(), "a.json", secretRecord(t), store.PutOptions{Tags: map[string]string{"k": "a!b"}})
	if err == nil || !strings.Contains(err.Error(), "not allowed in S3 tags") {
		t.Fatalf("Put with an illegal tag: %v", err)
	}
	if n := len(versions(t, srv, bucket, "a.json")); n != 0 {
		t.Errorf("%d versions stored by a refused Put", n)
	}
}
