package leastprivilege

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

func TestMain(m *testing.M) {
	code := miniotest.Run(m)
	handlerbuild.Remove()
	os.Exit(code)
}

// Stand-ins for the stack's log group and key. MinIO never sees them (it
// refuses non-S3 resources); they only have to pass the builders' checks so
// the statements that name them can be compared.
const (
	logGroupARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/passwordgen"
	kmsKeyARN   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	prefix      = "passwords/"
)

// timeout bounds each request a test makes; MinIO on loopback answers in
// milliseconds, so reaching it means the server is stuck.
const timeout = 30 * time.Second

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// viaS3 is S3 in the region of kmsKeyARN, the only way the policies let a
// principal use the key.
var viaS3 = iampolicy.S3Endpoint{Region: "us-east-1", DNSSuffix: "amazonaws.com"}

// forBucket is want with every KMS statement limited, as the builders limit
// it, to S3's use of the key for bucketARN.
func forBucket(want []iampolicy.Statement, bucketARN string) []iampolicy.Statement {
	out := slices.Clone(want)
	for i, st := range out {
		if strings.HasPrefix(st.Action[0], "kms:") {
			out[i].Condition = map[string]map[string][]string{"StringEquals": {
				"kms:ViaService":                   {"s3." + viaS3.Region + "." + viaS3.DNSSuffix},
				"kms:EncryptionContext:aws:s3:arn": {bucketARN},
			}}
		}
	}
	return out
}

// decrypt is the statement that lets readers decrypt with the stack's key.
var decrypt = iampolicy.Statement{Sid: "DecryptWithKey", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{kmsKeyARN}}

// encryption is one way the stored objects are encrypted, for the tests of
// the policies that read them.
type encryption struct {
	name      string
	kmsKeyARN string // the key the policies name; "" for SSE-S3
	put       s3.PutObjectInput
	// others are the statements besides S3 a reading policy holds for it.
	others []iampolicy.Statement
}

// encryptions are SSE-S3 and SSE-KMS with the server's key.
func encryptions(srv *miniotest.Server) []encryption {
	return []encryption{
		{"sse-s3", "", s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAes256}, nil},
		{"sse-kms", kmsKeyARN, s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(srv.KMSKeyName)}, []iampolicy.Statement{decrypt}},
	}
}

// splitS3 separates the statements MinIO can evaluate from the rest (see
// minio.S3Statements); a policy that cannot be split fails the test.
func splitS3(t *testing.T, doc iampolicy.Document) (s3Only iampolicy.Document, others []iampolicy.Statement) {
	t.Helper()
	s3Only, others, err := minio.S3Statements(doc)
	if err != nil {
		t.Fatal(err)
	}
	return s3Only, others
}

// assertShape compares statements that MinIO cannot decide with the exact
// statements the policy must hold: same Sid, effect, principal, actions,
// resources and conditions, and no other statement.
func assertShape(t *testing.T, got, want []iampolicy.Statement) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements:\n got %+v\nwant %+v", got, want)
	}
}

// asUser creates a MinIO user whose only policy is doc and returns the
// server as that user sees it: its Client and Env carry the user's keys.
func asUser(t *testing.T, srv *miniotest.Server, doc iampolicy.Document) *miniotest.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// A copy of the server's description with the user's keys. MinIO
	// allows access keys of at most 20 characters.
	user := *srv
	user.AccessKey, user.SecretKey = rand.Text()[:20], rand.Text()
	root := minio.Credentials{AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
	if err := minio.AddUser(ctx, srv.Endpoint, root, minio.Credentials{AccessKey: user.AccessKey, SecretKey: user.SecretKey}, doc); err != nil {
		t.Fatal(err)
	}
	return &user
}

// request is one S3 call made with a principal's client.
type request struct {
	name string
	do   func(context.Context, *s3.Client) error
}

// assertDenied makes each request, and those of bucketAdminRequests, with
// client and requires the server to refuse it as AccessDenied: any other
// error (a missing key, a bad request) would mean the policy was never
// consulted. The bucket, read with the root client, must be unchanged
// afterwards, so no request was refused only after it took effect.
func assertDenied(t *testing.T, root, client *s3.Client, bucket string, requests []request) {
	t.Helper()
	before := stateOf(t, root, bucket)
	for _, r := range append(requests, bucketAdminRequests(t, bucket)...) {
		t.Run("denied "+r.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := r.do(ctx, client)
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
				t.Errorf("got error %v, want AccessDenied", err)
			}
		})
	}
	if after := stateOf(t, root, bucket); !reflect.DeepEqual(after, before) {
		t.Errorf("denied requests changed the bucket:\nbefore %+v\n after %+v", before, after)
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func readObject(ctx context.Context, c *s3.Client, bucket, key, version string) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: optional(version)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func getObject(bucket, key, version string) func(context.Context, *s3.Client) error {
	return func(ctx context.Context, c *s3.Client) error {
		_, err := readObject(ctx, c, bucket, key, version)
		return err
	}
}

func putObject(bucket, key string) func(context.Context, *s3.Client) error {
	return func(ctx context.Context, c *s3.Client) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("{}")})
		return err
	}
}

func deleteObject(bucket, key, version string) func(context.Context, *s3.Client) error {
	return func(ctx context.Context, c *s3.Client) error {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: optional(version)})
		return err
	}
}

// listObjects lists under prefix; "" lists the whole bucket, sending no
// prefix at all.
func listObjects(bucket, prefix string) func(context.Context, *s3.Client) error {
	return func(ctx context.Context, c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: optional(prefix)})
		return err
	}
}

func listVersions(bucket, prefix string) func(context.Context, *s3.Client) error {
	return func(ctx context.Context, c *s3.Client) error {
		_, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: optional(prefix)})
		return err
	}
}

// bucketAdminRequests are what neither principal may do to the bucket
// itself: open it to everyone, delete it, or turn off the versioning that
// keeps overwritten passwords.
func bucketAdminRequests(t *testing.T, bucket string) []request {
	t.Helper()
	openToAll, err := iampolicy.Document{Version: "2012-10-17", Statement: []iampolicy.Statement{{
		Effect: "Allow", Principal: "*", Action: []string{"s3:GetObject"}, Resource: []string{bucketARN(bucket) + "/*"},
	}}}.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return []request{
		{"PutBucketPolicy", func(ctx context.Context, c *s3.Client) error {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &openToAll})
			return err
		}},
		{"DeleteBucket", func(ctx context.Context, c *s3.Client) error {
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
			return err
		}},
		{"PutBucketVersioning suspend", func(ctx context.Context, c *s3.Client) error {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
				Bucket:                  &bucket,
				VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended},
			})
			return err
		}},
	}
}

// bucketState is everything a denied request could have changed: every
// version and delete marker, the bucket policy and versioning.
type bucketState struct {
	Versions   []string
	Policy     string
	Versioning types.BucketVersioningStatus
}

func stateOf(t *testing.T, root *s3.Client, bucket string) bucketState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var st bucketState
	list, err := root.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("list versions: %v", err)
	}
	for _, v := range list.Versions {
		st.Versions = append(st.Versions, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
	}
	for _, m := range list.DeleteMarkers {
		st.Versions = append(st.Versions, "delete marker "+aws.ToString(m.Key)+"@"+aws.ToString(m.VersionId))
	}
	slices.Sort(st.Versions)
	policy, err := root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	var apiErr smithy.APIError
	switch {
	case err == nil:
		st.Policy = aws.ToString(policy.Policy)
	case !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchBucketPolicy":
		t.Fatalf("get bucket policy: %v", err)
	}
	versioning, err := root.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("get versioning: %v", err)
	}
	st.Versioning = versioning.Status
	return st
}

// putAsRoot stores body with the server's root keys, for objects a test
// needs that its principal may not write.
func putAsRoot(t *testing.T, root *s3.Client, in *s3.PutObjectInput, body []byte) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	in.Body = bytes.NewReader(body)
	out, err := root.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("put %s as root: %v", aws.ToString(in.Key), err)
	}
	return aws.ToString(out.VersionId)
}
