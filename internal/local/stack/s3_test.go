package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/lifecycle"
	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// localS3 is MinIO started and prepared as Run does, on dir.
type localS3 struct {
	srv    *minio.Server
	admin  *s3.Client // the keys README gives the user
	fn     *s3.Client // the generator's keys
	ret    *s3.Client // the retriever's keys
	bucket string
}

func startLocalS3(t *testing.T, dir string) *localS3 {
	t.Helper()
	miniotest.Binary(t) // skips, or fails in CI, without the pinned build
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o := Options{S3Addr: "127.0.0.1:0", DataDir: dir, Bucket: DefaultBucket, Log: io.Discard}
	srv, err := startS3(ctx, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	users, err := prepareS3(ctx, srv, o.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	return &localS3{srv: srv, admin: s3Client(srv, admin), fn: s3Client(srv, users[apispec.Generator]), ret: s3Client(srv, users[apispec.Retriever]), bucket: o.Bucket}
}

func (l *localS3) put(t *testing.T, key, body string, edit func(*s3.PutObjectInput)) (*s3.PutObjectOutput, error) {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(key), Body: strings.NewReader(body)}
	if edit != nil {
		edit(in)
	}
	return l.admin.PutObject(context.Background(), in)
}

func (l *localS3) mustPut(t *testing.T, key, body string) string {
	t.Helper()
	out, err := l.put(t, key, body, nil)
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return aws.ToString(out.VersionId)
}

func (l *localS3) get(key, version string) (string, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := l.admin.GetObject(context.Background(), in)
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

// status is the HTTP status of a failed request, 0 if it did not fail so.
func status(err error) int {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		return resp.HTTPStatusCode()
	}
	return 0
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// TestLocalS3 checks, through the AWS SDK, the local S3 as the stack sets it
// up: the S3 behaviour the HTTP API and rotation will rely on, as S3
// documents it, and the function's least privilege.
func TestLocalS3(t *testing.T) {
	l := startLocalS3(t, t.TempDir())
	ctx := context.Background()

	t.Run("default encryption is SSE-KMS with the stack's key", func(t *testing.T) {
		l.mustPut(t, "passwords/default-encryption.json", "{}")
		head, err := l.admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(l.bucket), Key: aws.String("passwords/default-encryption.json")})
		if err != nil || head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(head.SSEKMSKeyId), kmsKeyName) {
			t.Errorf("an object stored without encryption headers: %v, %+v; want aws:kms with %s", err, head, kmsKeyName)
		}
	})

	t.Run("version listing with pagination", func(t *testing.T) {
		key := "passwords/paged.json"
		var stored []string
		for _, body := range []string{"v1", "v2", "v3"} {
			stored = append([]string{l.mustPut(t, key, body)}, stored...) // newest first, as listed
		}
		var listed []string
		in := &s3.ListObjectVersionsInput{Bucket: aws.String(l.bucket), Prefix: aws.String(key), MaxKeys: aws.Int32(1)}
		for pages := 1; ; pages++ {
			out, err := l.admin.ListObjectVersions(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Versions) > 1 {
				t.Fatalf("page %d holds %d versions, want at most MaxKeys 1", pages, len(out.Versions))
			}
			for _, v := range out.Versions {
				listed = append(listed, aws.ToString(v.VersionId))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			if pages > len(stored) {
				t.Fatalf("still truncated after %d pages", pages)
			}
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
		}
		if strings.Join(listed, ",") != strings.Join(stored, ",") {
			t.Errorf("listed versions %v, want %v", listed, stored)
		}
	})

	t.Run("GET by versionId", func(t *testing.T) {
		key := "passwords/by-version.json"
		first := l.mustPut(t, key, "first")
		l.mustPut(t, key, "second")
		for version, want := range map[string]string{first: "first", "": "second"} {
			if got, err := l.get(key, version); err != nil || got != want {
				t.Errorf("get version %q: %q, %v; want %q", version, got, err, want)
			}
		}
	})

	t.Run("404 on a delete marker", func(t *testing.T) {
		key := "passwords/deleted.json"
		kept := l.mustPut(t, key, "kept")
		del, err := l.admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(key)})
		if err != nil || !aws.ToBool(del.DeleteMarker) {
			t.Fatalf("delete: %v, %+v; want a delete marker", err, del)
		}
		if _, err := l.get(key, ""); status(err) != http.StatusNotFound || errorCode(err) != "NoSuchKey" {
			t.Errorf("get behind a delete marker: %v, want 404 NoSuchKey", err)
		}
		if got, err := l.get(key, kept); err != nil || got != "kept" {
			t.Errorf("get the version behind the marker: %q, %v", got, err)
		}
	})

	t.Run("If-None-Match and If-Match", func(t *testing.T) {
		key := "passwords/conditional.json"
		first, err := l.put(t, key, "first", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
		if err != nil {
			t.Fatalf("create with If-None-Match: %v", err)
		}
		if _, err := l.put(t, key, "again", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }); status(err) != http.StatusPreconditionFailed {
			t.Errorf("create over an existing key: %v, want 412", err)
		}
		if _, err := l.put(t, key, "second", func(in *s3.PutObjectInput) { in.IfMatch = first.ETag }); err != nil {
			t.Errorf("replace with the current ETag: %v", err)
		}
		if _, err := l.put(t, key, "third", func(in *s3.PutObjectInput) { in.IfMatch = first.ETag }); status(err) != http.StatusPreconditionFailed {
			t.Errorf("replace with a stale ETag: %v, want 412", err)
		}
		if got, _ := l.get(key, ""); got != "second" {
			t.Errorf("after the conditional writes the object holds %q, want %q", got, "second")
		}
		if _, err := l.put(t, "passwords/never-stored.json", "x", func(in *s3.PutObjectInput) { in.IfMatch = first.ETag }); status(err) != http.StatusNotFound {
			t.Errorf("If-Match on a missing key: %v, want 404 as S3 answers", err)
		}
	})

	t.Run("tags on PutObject and GetObjectTagging", func(t *testing.T) {
		key := "passwords/tagged.json"
		if _, err := l.put(t, key, "{}", func(in *s3.PutObjectInput) { in.Tagging = aws.String("rotation=due&owner=team-a") }); err != nil {
			t.Fatal(err)
		}
		out, err := l.admin.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(l.bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tag := range out.TagSet {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if len(got) != 2 || got["rotation"] != "due" || got["owner"] != "team-a" {
			t.Errorf("tags %v, want rotation=due and owner=team-a", got)
		}
	})

	// MinIO holds the rules as given, and applies each to the objects
	// tagged with its value: HEAD answers the date its scanner (or a read
	// after that date) expires the version, and the rule that will, as S3
	// does (x-amz-expiration). A value without a rule, or no tag, gets
	// none.
	t.Run("the stack's lifecycle rules", func(t *testing.T) {
		rules, err := lifecycle.Rules(keyPrefix, request.DefaultExpiryDays())
		if err != nil {
			t.Fatal(err)
		}
		out, err := l.admin.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(l.bucket)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(out.Rules) // plain SDK values always marshal
		want, _ := json.Marshal(s3Rules(rules))
		if !bytes.Equal(got, want) {
			t.Errorf("lifecycle rules read back:\n%s\nwant\n%s", got, want)
		}
		head := func(key, version string) *s3.HeadObjectOutput {
			t.Helper()
			out, err := l.admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(key), VersionId: aws.String(version)})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		// S3 counts days from the write, rounded up to the next midnight UTC.
		expiry := func(from time.Time, days int, rule string) string {
			due := from.UTC().AddDate(0, 0, days).Truncate(24*time.Hour).AddDate(0, 0, 1)
			return fmt.Sprintf(`expiry-date="%s", rule-id="%s"`, due.Format(http.TimeFormat), rule)
		}
		for _, tt := range []struct {
			tags string
			rule string
			days int
		}{
			{"expires_in_days=7", lifecycle.ExpiryID(7), 7},
			{"expires_in_days=365", lifecycle.ExpiryID(365), 365},
			{"expires_in_days=8", "", 0},
			{"", "", 0},
		} {
			key := "passwords/lifecycle-" + strings.TrimPrefix(tt.tags, "expires_in_days=") + ".json"
			first, err := l.put(t, key, "{}", func(in *s3.PutObjectInput) { in.Tagging = aws.String(tt.tags) })
			if err != nil {
				t.Fatal(err)
			}
			version := aws.ToString(first.VersionId)
			// Current, then replaced: the tagged version goes a day after
			// its successor was written.
			current := head(key, version)
			l.mustPut(t, key, "{}")
			successor, noncurrent := head(key, ""), head(key, version)
			var wantCurrent, wantNoncurrent string
			if tt.rule != "" {
				wantCurrent = expiry(aws.ToTime(current.LastModified), tt.days, tt.rule)
				wantNoncurrent = expiry(aws.ToTime(successor.LastModified), lifecycle.NoncurrentDays, tt.rule)
			}
			if got := aws.ToString(current.Expiration); got != wantCurrent {
				t.Errorf("%q, current: expiration %q, want %q", tt.tags, got, wantCurrent)
			}
			if got := aws.ToString(noncurrent.Expiration); got != wantNoncurrent {
				t.Errorf("%q, noncurrent: expiration %q, want %q", tt.tags, got, wantNoncurrent)
			}
		}
	})

	// The function's keys hold the S3 statements of the deployed function
	// policy and nothing more: it stores below passwords/ as the store
	// does, and every read, list, delete or write elsewhere is refused.
	t.Run("the function may only store", func(t *testing.T) {
		bucket := aws.String(l.bucket)
		_, err := l.fn.PutObject(ctx, &s3.PutObjectInput{
			Bucket: bucket, Key: aws.String("passwords/fn.json"), Body: strings.NewReader("{}"),
			IfNoneMatch: aws.String("*"), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(kmsKeyName),
		})
		if err != nil {
			t.Fatalf("the function could not store: %v", err)
		}
		for name, do := range map[string]func() error{
			"GetObject": func() error {
				_, err := l.fn.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("passwords/fn.json")})
				return err
			},
			"ListObjectsV2": func() error {
				_, err := l.fn.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
				return err
			},
			"DeleteObject": func() error {
				_, err := l.fn.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("passwords/fn.json")})
				return err
			},
			"PutObject outside the prefix": func() error {
				_, err := l.fn.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("elsewhere.json"), Body: strings.NewReader("{}")})
				return err
			},
		} {
			if err := do(); errorCode(err) != "AccessDenied" {
				t.Errorf("%s with the function's keys: %v, want AccessDenied", name, err)
			}
		}
	})

	// The retriever's keys hold the S3 statements of its deployed role
	// policy: it reads and lists below passwords/, and every write or
	// delete is refused.
	t.Run("the retriever may only read", func(t *testing.T) {
		bucket := aws.String(l.bucket)
		stored := l.mustPut(t, "passwords/ret.json", "{}")
		if got, err := l.ret.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("passwords/ret.json"), VersionId: aws.String(stored)}); err != nil {
			t.Errorf("the retriever could not read: %v", err)
		} else {
			got.Body.Close()
		}
		if _, err := l.ret.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("passwords/ret.json")}); err != nil {
			t.Errorf("the retriever could not list versions: %v", err)
		}
		for name, do := range map[string]func() error{
			"PutObject": func() error {
				_, err := l.ret.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("passwords/ret.json"), Body: strings.NewReader("{}")})
				return err
			},
			"DeleteObject": func() error {
				_, err := l.ret.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("passwords/ret.json"), VersionId: aws.String(stored)})
				return err
			},
		} {
			if err := do(); errorCode(err) != "AccessDenied" {
				t.Errorf("%s with the retriever's keys: %v, want AccessDenied", name, err)
			}
		}
	})
}

// TestLocalS3KeepsDataAndKeyAcrossRestarts stops MinIO and starts it again
// on the same directory, as a second `make local` does: the bucket and the
// function's user are set up again (its new keys work), and what was stored
// with SSE-KMS can still be read, because the key was kept, readable by its
// owner only. Without the key file, the stored data is refused rather than
// met with a new key.
func TestLocalS3KeepsDataAndKeyAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	first := startLocalS3(t, dir)
	version := first.mustPut(t, "passwords/kept.json", "kept")
	key, err := os.ReadFile(filepath.Join(dir, kmsKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	first.srv.Stop()

	again := startLocalS3(t, dir)
	if got, err := again.get("passwords/kept.json", version); err != nil || got != "kept" {
		t.Errorf("after a restart the stored object reads %q, %v", got, err)
	}
	if _, err := again.fn.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(again.bucket), Key: aws.String("passwords/after-restart.json"), Body: strings.NewReader("{}"),
	}); err != nil {
		t.Errorf("after a restart the function cannot store with its new keys: %v", err)
	}
	if info, err := os.Stat(filepath.Join(dir, kmsKeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", err, info)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, kmsKeyFile)); !bytes.Equal(now, key) {
		t.Error("the KMS key changed across a restart")
	}
	again.srv.Stop()

	if err := os.Remove(filepath.Join(dir, kmsKeyFile)); err != nil {
		t.Fatal(err)
	}
	_, err = startS3(context.Background(), Options{S3Addr: "127.0.0.1:0", DataDir: dir, Log: io.Discard}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "which is missing: restore the file") {
		t.Errorf("start without the key file: %v, want a refusal", err)
	}
}
