package s3local_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// request sends one raw HTTP request, unsigned, and returns the answer.
func request(t *testing.T, srv *httptest.Server, method, path string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, string(raw)
}

type s3Error struct {
	XMLName                        xml.Name `xml:"Error"`
	Code, Message, Key, BucketName string
	RequestID                      string `xml:"RequestId"`
}

func parseError(t *testing.T, body string) s3Error {
	t.Helper()
	var e s3Error
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q is not S3 error XML: %v", body, err)
	}
	return e
}

// newBucketStore starts a store on a fresh directory holding the given
// versioned buckets.
func newBucketStore(t testing.TB, buckets ...string) *httptest.Server {
	t.Helper()
	s := open(t, t.TempDir())
	for _, name := range buckets {
		if err := s.CreateBucket(name, true); err != nil {
			t.Fatal(err)
		}
	}
	return serve(t, s)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func md5Base64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func crc32Of(s string) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(s))))
}

func crc32cOf(s string) string {
	sum := crc32.Checksum([]byte(s), crc32.MakeTable(crc32.Castagnoli))
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, sum))
}

// chunked frames parts as aws-chunked, each chunk signed with sig if it is
// not "", followed by the trailer lines.
func chunked(sig string, parts []string, trailers ...string) string {
	var b strings.Builder
	ext := ""
	if sig != "" {
		ext = ";chunk-signature=" + sig
	}
	for _, p := range append(parts, "") {
		fmt.Fprintf(&b, "%x%s\r\n", len(p), ext)
		if p != "" {
			b.WriteString(p + "\r\n")
		}
	}
	for _, tr := range trailers {
		b.WriteString(tr + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func streamingHeaders(mode string, decoded int, extra ...string) map[string]string {
	h := map[string]string{
		"Content-Encoding":             "aws-chunked",
		"x-amz-content-sha256":         mode,
		"x-amz-decoded-content-length": strconv.Itoa(decoded),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// TestPutBodies covers the body framings and digests clients send: what is
// accepted must read back byte for byte, and what is refused must leave
// nothing behind.
func TestPutBodies(t *testing.T) {
	const data = "0123456789abcdefghij"
	parts := []string{data[:7], data[7:16], data[16:]}
	sig := strings.Repeat("ab", 32)
	tests := []struct {
		name     string
		header   map[string]string
		body     string
		wantCode string // "" means stored
	}{
		{"plain", nil, data, ""},
		{"payload digest matches", map[string]string{"x-amz-content-sha256": sha256Hex(data)}, data, ""},
		{"payload digest differs", map[string]string{"x-amz-content-sha256": sha256Hex("other")}, data, "XAmzContentSHA256Mismatch"},
		{"payload digest malformed", map[string]string{"x-amz-content-sha256": "abc"}, data, "InvalidArgument"},
		{"Content-MD5 matches", map[string]string{"Content-MD5": md5Base64(data)}, data, ""},
		{"Content-MD5 differs", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, data, "BadDigest"},
		{"Content-MD5 malformed", map[string]string{"Content-MD5": "nope"}, data, "InvalidDigest"},
		{"crc32 header matches", map[string]string{"x-amz-checksum-crc32": crc32Of(data), "x-amz-sdk-checksum-algorithm": "CRC32"}, data, ""},
		{"crc32 header differs", map[string]string{"x-amz-checksum-crc32": crc32Of("other")}, data, "BadDigest"},
		{"crc32 header malformed", map[string]string{"x-amz-checksum-crc32": "AAAA"}, data, "InvalidRequest"},
		{"two checksums", map[string]string{"x-amz-checksum-crc32": crc32Of(data), "x-amz-checksum-crc32c": crc32cOf(data)}, data, "InvalidRequest"},
		{"sdk algorithm without checksum", map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}, data, "InvalidRequest"},
		{"unknown checksum", map[string]string{"x-amz-checksum-xxhash64": "AAAAAAAAAAA="}, data, "NotImplemented"},
		{"unsigned trailer", streamingHeaders("STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(data), "x-amz-trailer", "x-amz-checksum-crc32c"),
			chunked("", parts, "x-amz-checksum-crc32c:"+crc32cOf(data)), ""},
		{"unsigned trailer differs", streamingHeaders("STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(data), "x-amz-trailer", "x-amz-checksum-crc32c"),
			chunked("", parts, "x-amz-checksum-crc32c:"+crc32cOf("other")), "BadDigest"},
		{"trailer missing", streamingHeaders("STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(data), "x-amz-trailer", "x-amz-checksum-crc32"),
			chunked("", parts), "InvalidRequest"},
		{"signed chunks", streamingHeaders("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", len(data)), chunked(sig, parts), ""},
		{"signed chunks with trailer", streamingHeaders("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", len(data), "x-amz-trailer", "x-amz-checksum-crc32"),
			chunked(sig, parts, "x-amz-checksum-crc32:"+crc32Of(data), "x-amz-trailer-signature:"+sig), ""},
		{"decoded length too large", streamingHeaders("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", len(data)+1), chunked(sig, parts), "IncompleteBody"},
		{"decoded length too small", streamingHeaders("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", len(data)-1), chunked(sig, parts), "IncompleteBody"},
		{"decoded length missing", map[string]string{"Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, chunked(sig, parts), "MissingContentLength"},
		{"chunk size not hex", streamingHeaders("STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(data)), "zz\r\n" + data + "\r\n0\r\n\r\n", "InvalidRequest"},
		{"chunk without line end", streamingHeaders("STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(data)), "14\r\n" + data + "0\r\n\r\n", "InvalidRequest"},
		{"final line missing", streamingHeaders("STREAMING-UNSIGNED-PAYLOAD-TRAILER", len(data)), "14\r\n" + data + "\r\n0\r\n", "IncompleteBody"},
	}
	srv := newBucketStore(t, "bkt")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fmt.Sprintf("/bkt/put-%d", i)
			resp, body := request(t, srv, http.MethodPut, path, tt.header, tt.body)
			if tt.wantCode == "" {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("PUT: %d %s", resp.StatusCode, body)
				}
				if resp, got := request(t, srv, http.MethodGet, path, nil, ""); resp.StatusCode != http.StatusOK || got != data {
					t.Errorf("GET after PUT: %d %q, want %q", resp.StatusCode, got, data)
				}
				return
			}
			if e := parseError(t, body); resp.StatusCode < 400 || e.Code != tt.wantCode {
				t.Errorf("PUT: %d %s, want %s", resp.StatusCode, e.Code, tt.wantCode)
			}
			if resp, _ := request(t, srv, http.MethodHead, path, nil, ""); resp.StatusCode != http.StatusNotFound {
				t.Errorf("HEAD after a refused PUT: %d, want 404", resp.StatusCode)
			}
		})
	}
}

// TestTruncatedBody: a client that announces more bytes than it sends, then
// hangs up, stores nothing, whatever the framing.
func TestTruncatedBody(t *testing.T) {
	done := make(chan struct{}, 1)
	srv := newStore(t, false, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if r.Method == http.MethodPut && r.URL.Path != "/bkt" {
				done <- struct{}{}
			}
		})
	})
	request(t, srv, http.MethodPut, "/bkt", nil, "")
	tests := []struct{ name, head, body string }{
		{"plain", "Content-Length: 100\r\n", "only twenty bytes..."},
		{"aws-chunked", "Content-Length: 100\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nx-amz-decoded-content-length: 50\r\n", "32\r\nonly part of the chunk"},
	}
	for _, tt := range tests {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "PUT /bkt/%s HTTP/1.1\r\nHost: s3\r\n%s\r\n%s", tt.name, tt.head, tt.body)
		conn.Close()
		<-done
		if resp, _ := request(t, srv, http.MethodHead, "/bkt/"+tt.name, nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: HEAD after a truncated PUT: %d, want 404", tt.name, resp.StatusCode)
		}
	}
}

// TestErrorDocuments: errors are S3's XML with the fields SDKs read, and
// the request id matches the header.
func TestErrorDocuments(t *testing.T) {
	srv := newBucketStore(t, "bkt")
	tests := []struct {
		name, method, path string
		header             map[string]string
		status             int
		code, key, bucket  string
	}{
		{"missing bucket", http.MethodGet, "/nope/k", nil, 404, "NoSuchBucket", "k", "nope"},
		{"missing key", http.MethodGet, "/bkt/a%20b/c", nil, 404, "NoSuchKey", "a b/c", "bkt"},
		{"missing version", http.MethodGet, "/bkt/k?versionId=" + strings.Repeat("A", 26), nil, 404, "NoSuchVersion", "k", "bkt"},
		{"malformed version id", http.MethodGet, "/bkt/k?versionId=..%2F..", nil, 400, "InvalidArgument", "k", "bkt"},
		{"ListObjects v1", http.MethodGet, "/bkt", nil, 501, "NotImplemented", "", "bkt"},
		{"ACL", http.MethodGet, "/bkt/k?acl", nil, 501, "NotImplemented", "k", "bkt"},
		{"DeleteObjects", http.MethodPost, "/bkt?delete", nil, 501, "NotImplemented", "", "bkt"},
		{"CopyObject", http.MethodPut, "/bkt/k", map[string]string{"x-amz-copy-source": "/bkt/j"}, 501, "NotImplemented", "k", "bkt"},
		{"If-None-Match with an ETag", http.MethodPut, "/bkt/k", map[string]string{"If-None-Match": `"abc"`}, 501, "NotImplemented", "k", "bkt"},
		{"multipart", http.MethodPost, "/bkt/k?uploads", nil, 501, "NotImplemented", "k", "bkt"},
		{"unknown parameter", http.MethodGet, "/bkt/k?partNumber=1", nil, 501, "NotImplemented", "k", "bkt"},
		{"bad bucket name", http.MethodPut, "/Bad_Name", nil, 400, "InvalidBucketName", "", "Bad_Name"},
		{"existing bucket", http.MethodPut, "/bkt", nil, 409, "BucketAlreadyOwnedByYou", "", "bkt"},
		{"key too long", http.MethodPut, "/bkt/" + strings.Repeat("k", 1025), nil, 400, "KeyTooLongError", strings.Repeat("k", 1025), "bkt"},
		{"unknown encryption", http.MethodPut, "/bkt/k", map[string]string{"x-amz-server-side-encryption": "rot13"}, 400, "InvalidArgument", "k", "bkt"},
		{"KMS key without aws:kms", http.MethodPut, "/bkt/k", map[string]string{"x-amz-server-side-encryption": "AES256", "x-amz-server-side-encryption-aws-kms-key-id": "key"}, 400, "InvalidArgument", "k", "bkt"},
		{"SSE-C", http.MethodPut, "/bkt/k", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256"}, 501, "NotImplemented", "k", "bkt"},
		{"bad versioning", http.MethodPut, "/bkt?versioning", nil, 400, "MalformedXML", "", "bkt"},
		{"bad max-keys", http.MethodGet, "/bkt?list-type=2&max-keys=-1", nil, 400, "InvalidArgument", "", "bkt"},
		{"bad continuation token", http.MethodGet, "/bkt?list-type=2&continuation-token=%25", nil, 400, "InvalidArgument", "", "bkt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := request(t, srv, tt.method, tt.path, tt.header, "")
			e := parseError(t, body)
			if resp.StatusCode != tt.status || e.Code != tt.code || e.Key != tt.key || e.BucketName != tt.bucket {
				t.Errorf("got %d %+v, want %d %s key %q bucket %q", resp.StatusCode, e, tt.status, tt.code, tt.key, tt.bucket)
			}
			if e.Message == "" || e.RequestID == "" || e.RequestID != resp.Header.Get("x-amz-request-id") {
				t.Errorf("message %q, request id %q (header %q)", e.Message, e.RequestID, resp.Header.Get("x-amz-request-id"))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}
