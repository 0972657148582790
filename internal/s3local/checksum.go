package s3local

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"slices"
	"strings"
)

// checksumAlgorithm is one of S3's additional checksums, sent as
// x-amz-checksum-<name> in a header or an aws-chunked trailer.
type checksumAlgorithm struct {
	name string // as S3 spells it in x-amz-sdk-checksum-algorithm, e.g. CRC32C
	new  func() hash.Hash
}

// header is the lower-case name of the header or trailer carrying the
// checksum.
func (a *checksumAlgorithm) header() string {
	return checksumHeaderPrefix + strings.ToLower(a.name)
}

const checksumHeaderPrefix = "x-amz-checksum-"

// crc64NVME is the reflected CRC-64/NVME polynomial, the form crc64.MakeTable
// takes.
const crc64NVME = 0x9a6c9329ac4bc9b5

var (
	crc32cTable = crc32.MakeTable(crc32.Castagnoli)
	crc64Table  = crc64.MakeTable(crc64NVME)
)

var checksumAlgorithms = []*checksumAlgorithm{
	{"CRC32", func() hash.Hash { return crc32.NewIEEE() }},
	{"CRC32C", func() hash.Hash { return crc32.New(crc32cTable) }},
	{"CRC64NVME", func() hash.Hash { return crc64.New(crc64Table) }},
	{"SHA1", sha1.New},
	{"SHA256", sha256.New},
	{"SHA512", sha512.New},
	{"MD5", md5.New},
}

// defaultChecksum is what S3 computes and stores for an upload that carries
// no checksum of its own, so later reads can still be verified.
var defaultChecksum = checksumAlgorithms[2]

func checksumByHeader(name string) *checksumAlgorithm {
	for _, a := range checksumAlgorithms {
		if strings.EqualFold(name, a.header()) {
			return a
		}
	}
	return nil
}

// checksumRequest is the additional checksum a PUT asks S3 to verify.
type checksumRequest struct {
	algorithm *checksumAlgorithm // nil: none was sent
	// value is the base64 checksum from the header; "" when it arrives as
	// an aws-chunked trailer.
	value string
}

// These x-amz-checksum-* headers configure checksums instead of carrying one.
var checksumSettingHeaders = []string{"x-amz-checksum-mode", "x-amz-checksum-type", "x-amz-checksum-algorithm"}

// parseChecksumRequest finds the one additional checksum a PUT may carry,
// as a header or as a trailer announced in x-amz-trailer.
func parseChecksumRequest(h http.Header) (checksumRequest, error) {
	var found []checksumRequest
	for name, values := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, checksumHeaderPrefix) || slices.Contains(checksumSettingHeaders, lower) {
			continue
		}
		a := checksumByHeader(lower)
		if a == nil {
			return checksumRequest{}, errUnsupportedHeader(lower)
		}
		if _, err := decodeChecksum(a, values[0]); err != nil {
			return checksumRequest{}, err
		}
		found = append(found, checksumRequest{algorithm: a, value: values[0]})
	}
	for _, trailer := range h.Values("x-amz-trailer") {
		for name := range strings.SplitSeq(trailer, ",") {
			name = strings.TrimSpace(name)
			a := checksumByHeader(name)
			if a == nil {
				return checksumRequest{}, errNotImplemented("This local store does not implement the trailer %q.", name)
			}
			found = append(found, checksumRequest{algorithm: a})
		}
	}
	if len(found) > 1 {
		return checksumRequest{}, errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	var req checksumRequest
	if len(found) == 1 {
		req = found[0]
	}
	if sdk := h.Get("x-amz-sdk-checksum-algorithm"); sdk != "" {
		if req.algorithm == nil {
			return checksumRequest{}, errInvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if !strings.EqualFold(sdk, req.algorithm.name) {
			return checksumRequest{}, errInvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return req, nil
}

func decodeChecksum(a *checksumAlgorithm, value string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) != a.new().Size() {
		return nil, errInvalidRequest("Value for %s header is invalid.", a.header())
	}
	return raw, nil
}

// verifyChecksum compares what the client sent with what arrived.
func verifyChecksum(a *checksumAlgorithm, sent string, computed []byte) error {
	want, err := decodeChecksum(a, sent)
	if err != nil {
		return err
	}
	if !bytes.Equal(want, computed) {
		return newError(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", a.name)
	}
	return nil
}

// checksumType is S3's x-amz-checksum-type for a stored version: a single
// PUT's checksum always covers the whole object.
func checksumType(v *version) string {
	if v.ChecksumAlgorithm == "" {
		return ""
	}
	return "FULL_OBJECT"
}

// setChecksumHeaders adds a version's checksum to a response.
func setChecksumHeaders(h http.Header, v *version) {
	if a := checksumByName(v.ChecksumAlgorithm); a != nil {
		h.Set(a.header(), v.Checksum)
		h.Set("x-amz-checksum-type", checksumType(v))
	}
}

func checksumByName(name string) *checksumAlgorithm {
	for _, a := range checksumAlgorithms {
		if a.name == name {
			return a
		}
	}
	return nil
}
