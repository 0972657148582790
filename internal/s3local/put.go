package s3local

import (
	"encoding/base64"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Server-side encryption request and response headers.
const (
	sseHeader       = "X-Amz-Server-Side-Encryption"
	sseKeyHeader    = "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"
	sseContext      = "X-Amz-Server-Side-Encryption-Context"
	sseBucketKey    = "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"
	maxKeyLength    = 1024
	defaultMIMEType = "binary/octet-stream"
)

// unsupportedPutHeaders change what a PUT means in ways this store does not
// implement; accepting them silently would make a test pass here and fail
// on S3.
var unsupportedPutHeaders = []string{
	"x-amz-copy-source",
	"If-Match",
	"x-amz-tagging",
	"x-amz-object-lock-mode",
	"x-amz-object-lock-retain-until-date",
	"x-amz-object-lock-legal-hold",
	"x-amz-website-redirect-location",
	"x-amz-write-offset-bytes",
	"x-amz-server-side-encryption-customer-algorithm",
}

// storedHeaders are echoed by GET and HEAD as they were sent.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Language", "Expires", sseContext}

func validateKey(key string) error {
	if len(key) > maxKeyLength {
		return newError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	}
	if !utf8.ValidString(key) {
		return errInvalidArgument("Object keys must be valid UTF-8.")
	}
	return nil
}

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, name, key string) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	if err := validateKey(key); err != nil {
		return err
	}
	for _, h := range unsupportedPutHeaders {
		if r.Header.Get(h) != "" {
			return errUnsupportedHeader(h)
		}
	}
	createOnly := false
	switch v := r.Header.Get("If-None-Match"); v {
	case "":
	case "*":
		createOnly = true
	default:
		// S3 supports only "*" here and answers other values this way.
		return errUnsupportedHeader("If-None-Match: " + v)
	}
	if c := r.Header.Get("x-amz-storage-class"); c != "" && c != "STANDARD" {
		return errUnsupportedHeader("x-amz-storage-class: " + c)
	}
	header, err := objectHeaders(r.Header)
	if err != nil {
		return err
	}
	in, err := parseIntegrity(r)
	if err != nil {
		return err
	}
	p, err := s.receive(r, in)
	if err != nil {
		return err
	}
	defer p.discard()

	v := &version{
		Blob:              newID(),
		LastModified:      time.Now().UTC().Truncate(time.Millisecond),
		ETag:              p.etag(),
		Size:              p.size,
		Header:            header,
		ChecksumAlgorithm: p.algorithm.name,
		Checksum:          base64.StdEncoding.EncodeToString(p.sum),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	// Checking and committing under the bucket's lock is what makes
	// If-None-Match atomic: of concurrent create-only PUTs exactly one wins.
	if createOnly && b.current(key) != nil {
		return errPreconditionFailed("If-None-Match")
	}
	v.ID = b.newVersionID()
	if err := os.Rename(p.tmp, b.blobPath(v.Blob)); err != nil {
		return err
	}
	p.tmp = ""
	versions, replaced := b.withNewest(key, v)
	if err := b.commit(key, versions); err != nil {
		b.removeBlob(v.Blob)
		return err
	}
	if replaced != nil {
		b.removeBlob(replaced.Blob)
	}

	w.Header().Set("ETag", v.ETag)
	writeVersionHeader(w.Header(), b.everVersioned(), v.ID)
	setChecksumHeaders(w.Header(), v)
	for _, h := range []string{sseHeader, sseKeyHeader, sseContext, sseBucketKey} {
		if value, ok := v.Header[h]; ok {
			w.Header().Set(h, value)
		}
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// objectHeaders validates what a PUT says about its object and returns the
// headers GET and HEAD will echo.
func objectHeaders(h http.Header) (map[string]string, error) {
	stored := map[string]string{"Content-Type": defaultMIMEType}
	if ct := h.Get("Content-Type"); ct != "" {
		stored["Content-Type"] = ct
	}
	// aws-chunked describes this request's framing, not the object.
	var encodings []string
	for _, v := range h.Values("Content-Encoding") {
		for token := range strings.SplitSeq(v, ",") {
			if token = strings.TrimSpace(token); token != "" && token != "aws-chunked" {
				encodings = append(encodings, token)
			}
		}
	}
	if len(encodings) > 0 {
		stored["Content-Encoding"] = strings.Join(encodings, ",")
	}
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			stored[name] = v
		}
	}
	for name, values := range h {
		if strings.HasPrefix(name, "X-Amz-Meta-") {
			stored[name] = values[0]
		}
	}
	if err := encryptionHeaders(h, stored); err != nil {
		return nil, err
	}
	return stored, nil
}

// encryptionHeaders validates the server-side encryption a PUT asks for and
// records it in stored, as S3 would report it. The data itself is not
// encrypted (see the package doc).
func encryptionHeaders(h http.Header, stored map[string]string) error {
	algorithm := h.Get(sseHeader)
	switch algorithm {
	case "":
		// S3 encrypts every new object with SSE-S3 unless told otherwise.
		algorithm = "AES256"
	case "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return errInvalidArgument("The encryption method specified is not supported")
	}
	stored[sseHeader] = algorithm
	kms := strings.HasPrefix(algorithm, "aws:kms")
	if !kms && (h.Get(sseKeyHeader) != "" || h.Get(sseContext) != "") {
		return errInvalidArgument("Server Side Encryption with KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	}
	if kms && h.Get(sseKeyHeader) != "" {
		stored[sseKeyHeader] = h.Get(sseKeyHeader)
	}
	if v := h.Get(sseBucketKey); v != "" {
		enabled, err := strconv.ParseBool(v)
		if err != nil {
			return errInvalidArgument("Bucket key enabled must be true or false")
		}
		if enabled && kms {
			stored[sseBucketKey] = "true"
		}
	}
	return nil
}

// writeVersionHeader adds x-amz-version-id, which S3 sends only for
// buckets that have had versioning enabled.
func writeVersionHeader(h http.Header, everVersioned bool, id string) {
	if everVersioned {
		h.Set("x-amz-version-id", id)
	}
}
