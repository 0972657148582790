package s3local_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/s3local"
)

func serve(t testing.TB, s *s3local.Server) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func open(t testing.TB, dir string) *s3local.Server {
	t.Helper()
	s, err := s3local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readAll(t *testing.T, c *s3.Client, bucket, key, versionID string) string {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := c.GetObject(t.Context(), in)
	if err != nil {
		t.Fatalf("GetObject %s %s: %v", key, versionID, err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// versionSummary lists key, version id and latest flag of every version and
// delete marker in bucket, in listing order.
func versionSummary(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var got []string
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: &bucket, MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			got = append(got, strings.Join([]string{aws.ToString(v.Key), aws.ToString(v.VersionId), "latest=" + strconv.FormatBool(aws.ToBool(v.IsLatest))}, " "))
		}
		for _, m := range out.DeleteMarkers {
			got = append(got, strings.Join([]string{aws.ToString(m.Key), aws.ToString(m.VersionId), "marker latest=" + strconv.FormatBool(aws.ToBool(m.IsLatest))}, " "))
		}
	}
	return got
}

// TestPersistence: everything survives a restart on the same directory.
func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.CreateBucket("stack-bucket", true); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, s)
	c := newClient(srv)
	var ids []string
	for _, body := range []string{"one", "two"} {
		out, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("stack-bucket"), Key: aws.String("passwords/p.json"), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.VersionId))
	}
	for _, key := range []string{"gone", "a/b", "a/c", "z"} {
		if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("stack-bucket"), Key: &key, Body: strings.NewReader(key)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("stack-bucket"), Key: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	before := versionSummary(t, c, "stack-bucket")
	if len(before) != 7 {
		t.Fatalf("before restart: %q, want 7 versions and markers", before)
	}
	srv.Close()

	c2 := newClient(serve(t, open(t, dir)))
	if after := versionSummary(t, c2, "stack-bucket"); !slices.Equal(before, after) {
		t.Errorf("versions after restart:\n%q\nbefore:\n%q", after, before)
	}
	for i, want := range []string{"one", "two"} {
		if got := readAll(t, c2, "stack-bucket", "passwords/p.json", ids[i]); got != want {
			t.Errorf("version %d after restart reads %q, want %q", i, got, want)
		}
	}
	v, err := c2.GetBucketVersioning(t.Context(), &s3.GetBucketVersioningInput{Bucket: aws.String("stack-bucket")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning after restart: %v %v", v, err)
	}
}

// TestCreateBucket: the Go API the local stack calls is idempotent and
// turns versioning on when asked, without ever turning it off.
func TestCreateBucket(t *testing.T) {
	s := open(t, t.TempDir())
	c := newClient(serve(t, s))
	status := func() types.BucketVersioningStatus {
		out, err := c.GetBucketVersioning(t.Context(), &s3.GetBucketVersioningInput{Bucket: aws.String("bucket")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	steps := []struct {
		versioned bool
		want      types.BucketVersioningStatus
	}{
		{false, ""},
		{false, ""},
		{true, types.BucketVersioningStatusEnabled},
		{true, types.BucketVersioningStatusEnabled},
		{false, types.BucketVersioningStatusEnabled},
	}
	for i, step := range steps {
		if err := s.CreateBucket("bucket", step.versioned); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := status(); got != step.want {
			t.Errorf("step %d: versioning %q, want %q", i, got, step.want)
		}
	}
	for _, bad := range []string{"", "ab", "Upper", "a..b", "../x", "127.0.0.1", strings.Repeat("a", 64)} {
		if err := s.CreateBucket(bad, false); err == nil {
			t.Errorf("CreateBucket(%q) succeeded", bad)
		}
	}
}

// TestVersioningModes: without versioning, and with it suspended, each
// write replaces the single "null" version, as on S3.
func TestVersioningModes(t *testing.T) {
	s := open(t, t.TempDir())
	srv := serve(t, s)
	c := newClient(srv)
	if err := s.CreateBucket("plain", false); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	put := func(bucket, body string) *s3.PutObjectOutput {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	if out := put("plain", "1"); out.VersionId != nil {
		t.Errorf("unversioned PUT returned version id %q", aws.ToString(out.VersionId))
	}
	put("plain", "2")
	if got := versionSummary(t, c, "plain"); !slices.Equal(got, []string{"k null latest=true"}) {
		t.Errorf("unversioned bucket versions %q", got)
	}
	if got := readAll(t, c, "plain", "k", "null"); got != "2" {
		t.Errorf("null version reads %q", got)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("plain"), Key: aws.String("k")})
	if err != nil || aws.ToBool(del.DeleteMarker) {
		t.Fatalf("unversioned DELETE: marker %v, %v", aws.ToBool(del.DeleteMarker), err)
	}
	if got := versionSummary(t, c, "plain"); len(got) != 0 {
		t.Errorf("unversioned DELETE left %q", got)
	}

	if err := s.CreateBucket("suspended", true); err != nil {
		t.Fatal(err)
	}
	kept := aws.ToString(put("suspended", "versioned").VersionId)
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String("suspended"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended},
	})
	if err != nil {
		t.Fatal(err)
	}
	put("suspended", "a")
	if out := put("suspended", "b"); aws.ToString(out.VersionId) != "null" {
		t.Errorf("suspended PUT version %q, want null", aws.ToString(out.VersionId))
	}
	want := []string{"k null latest=true", "k " + kept + " latest=false"}
	if got := versionSummary(t, c, "suspended"); !slices.Equal(got, want) {
		t.Errorf("suspended bucket versions %q, want %q", got, want)
	}
	if got := readAll(t, c, "suspended", "k", kept); got != "versioned" {
		t.Errorf("version from before suspension reads %q", got)
	}
}

// TestKeys: any key S3 allows round-trips and stays inside the bucket.
func TestKeys(t *testing.T) {
	c := newClient(newBucketStore(t, "keys", "other"))
	keys := []string{"../other/x", "a/../../b", "./.", "sp ace+plus", "ü/日本/🔑", "%2F%00", "a//b/", strings.Repeat("k", 1024), "tab\there", "\\back\\slash"}
	for _, key := range keys {
		if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("keys"), Key: &key, Body: strings.NewReader(key)}); err != nil {
			t.Fatalf("PutObject %q: %v", key, err)
		}
	}
	for _, key := range keys {
		if got := readAll(t, c, "keys", key, ""); got != key {
			t.Errorf("key %q reads %q", key, got)
		}
	}
	listed, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("keys")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range listed.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, want) {
		t.Errorf("listed %q, want %q", got, want)
	}
	other, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("other")})
	if err != nil || len(other.Contents) != 0 {
		t.Errorf("a key escaped into another bucket: %v %v", other.Contents, err)
	}
}

// TestURLEncodedListing: with encoding-type=url, which the AWS CLI always
// asks for, names are percent-encoded and decode back to the keys.
func TestURLEncodedListing(t *testing.T) {
	srv := newBucketStore(t, "enc")
	for _, path := range []string{"/enc/dir%20one/a%2Bb", "/enc/x%26y"} {
		if resp, body := request(t, srv, http.MethodPut, path, nil, "x"); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", path, resp.StatusCode, body)
		}
	}
	_, body := request(t, srv, http.MethodGet, "/enc?list-type=2&delimiter=%2F&encoding-type=url", nil, "")
	for _, want := range []string{"<Prefix>dir+one%2F</Prefix>", "<Key>x%26y</Key>", "<Delimiter>%2F</Delimiter>", "<EncodingType>url</EncodingType>"} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %s:\n%s", want, body)
		}
	}
	_, body = request(t, srv, http.MethodGet, "/enc?versions&prefix=dir%20one%2F&encoding-type=url", nil, "")
	if !strings.Contains(body, "<Key>dir+one%2Fa%2Bb</Key>") || !strings.Contains(body, "<Prefix>dir+one%2F</Prefix>") {
		t.Errorf("version listing not URL-encoded:\n%s", body)
	}
}

// TestListVersionsWithDelimiter: version listings fold keys into common
// prefixes and page through them like object listings.
func TestListVersionsWithDelimiter(t *testing.T) {
	c := newClient(newBucketStore(t, "folders"))
	for _, key := range []string{"a/1", "a/2", "a/2", "b/1", "c", "c", "d"} {
		if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("folders"), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String("folders"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range out.CommonPrefixes {
			got = append(got, aws.ToString(cp.Prefix))
		}
		for _, v := range out.Versions {
			got = append(got, aws.ToString(v.Key)+" latest="+strconv.FormatBool(aws.ToBool(v.IsLatest)))
		}
	}
	want := []string{"a/", "b/", "c latest=true", "c latest=false", "d latest=true"}
	if !slices.Equal(got, want) {
		t.Errorf("listed %q, want %q", got, want)
	}
}

// TestConditionalGet: GET's conditional headers and ranges, which the CLI
// uses for large downloads.
func TestConditionalGet(t *testing.T) {
	srv := newBucketStore(t, "bkt")
	resp, _ := request(t, srv, http.MethodPut, "/bkt/k", nil, "0123456789")
	etag := resp.Header.Get("ETag")
	if etag != `"781e5e245d69b566979b86e28d23f2c7"` {
		t.Fatalf("PUT returned ETag %q, want the body's quoted MD5", etag)
	}
	tests := []struct {
		name   string
		header map[string]string
		status int
		body   string
	}{
		{"plain", nil, 200, "0123456789"},
		{"If-Match hit", map[string]string{"If-Match": etag}, 200, "0123456789"},
		{"If-Match miss", map[string]string{"If-Match": `"nope"`}, 412, ""},
		{"If-None-Match hit", map[string]string{"If-None-Match": etag}, 304, ""},
		{"If-None-Match miss", map[string]string{"If-None-Match": `"nope"`}, 200, "0123456789"},
		{"If-Modified-Since future", map[string]string{"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 304, ""},
		{"If-Unmodified-Since past", map[string]string{"If-Unmodified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"}, 412, ""},
		{"range", map[string]string{"Range": "bytes=2-4"}, 206, "234"},
	}
	for _, tt := range tests {
		resp, body := request(t, srv, http.MethodGet, "/bkt/k", tt.header, "")
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		if tt.status == 412 {
			if e := parseError(t, body); e.Code != "PreconditionFailed" {
				t.Errorf("%s: code %s", tt.name, e.Code)
			}
		} else if body != tt.body {
			t.Errorf("%s: body %q, want %q", tt.name, body, tt.body)
		}
	}
}

// TestUnsignedRequests: requests without any Authorization work, e.g. curl.
func TestUnsignedRequests(t *testing.T) {
	srv := newBucketStore(t, "bkt")
	resp, _ := request(t, srv, http.MethodPut, "/bkt/k", map[string]string{"Content-Type": "application/json", "x-amz-meta-owner": "team-a"}, "{}")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-amz-server-side-encryption") != "AES256" {
		t.Fatalf("unsigned PUT: %d, encryption %q (S3 applies AES256 by default)", resp.StatusCode, resp.Header.Get("x-amz-server-side-encryption"))
	}
	resp, body := request(t, srv, http.MethodGet, "/bkt/k", nil, "")
	if resp.StatusCode != http.StatusOK || body != "{}" || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("x-amz-meta-owner") != "team-a" {
		t.Errorf("unsigned GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}
