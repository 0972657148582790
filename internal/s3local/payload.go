package s3local

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxObjectSize is S3's limit for a single PUT.
const maxObjectSize = 5 << 30

// payload is a PUT body received into a temporary file and verified against
// every digest the request carried.
type payload struct {
	tmp       string // the temporary file, until it is committed or discarded
	size      int64
	md5       []byte
	algorithm *checksumAlgorithm // the request's, or defaultChecksum
	sum       []byte             // algorithm's digest of the body
}

func (p *payload) etag() string { return `"` + hex.EncodeToString(p.md5) + `"` }

// discard removes the temporary file unless it was committed.
func (p *payload) discard() {
	if p.tmp != "" {
		_ = os.Remove(p.tmp)
	}
}

// integrity is what a request says its body must be.
type integrity struct {
	contentMD5 []byte // Content-MD5, if sent
	sha256     []byte // x-amz-content-sha256 when it is a digest, not a mode
	checksum   checksumRequest
	// chunked: the body is aws-chunked; length is then its decoded size.
	chunked bool
	length  int64
}

func parseIntegrity(r *http.Request) (integrity, error) {
	var in integrity
	var err error
	if v := r.Header.Get("Content-MD5"); v != "" {
		in.contentMD5, err = base64.StdEncoding.DecodeString(v)
		if err != nil || len(in.contentMD5) != md5.Size {
			return integrity{}, newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
	}
	mode := r.Header.Get("x-amz-content-sha256")
	switch {
	case strings.HasPrefix(mode, "STREAMING-"):
		in.chunked = true
	case mode == "", mode == "UNSIGNED-PAYLOAD":
	default:
		in.sha256, err = hex.DecodeString(mode)
		if err != nil || len(in.sha256) != sha256.Size {
			return integrity{}, errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
		}
	}
	for _, enc := range r.Header.Values("Content-Encoding") {
		for token := range strings.SplitSeq(enc, ",") {
			in.chunked = in.chunked || strings.TrimSpace(token) == "aws-chunked"
		}
	}
	if in.checksum, err = parseChecksumRequest(r.Header); err != nil {
		return integrity{}, err
	}
	if in.checksum.algorithm != nil && in.checksum.value == "" && !in.chunked {
		return integrity{}, errInvalidRequest("x-amz-trailer requires an aws-chunked body.")
	}
	in.length = r.ContentLength
	if in.chunked {
		in.length, err = strconv.ParseInt(r.Header.Get("x-amz-decoded-content-length"), 10, 64)
		if err != nil {
			in.length = -1
		}
	}
	if in.length < 0 {
		return integrity{}, newError(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
	}
	if in.length > maxObjectSize {
		return integrity{}, newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	}
	return in, nil
}

// readError marks a failure to read the request body, as opposed to a
// failure to write the temporary file.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// receive reads r's body into a temporary file and verifies it. On error
// nothing is left behind.
func (s *Server) receive(r *http.Request, in integrity) (*payload, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), "put-*")
	if err != nil {
		return nil, err
	}
	p := &payload{tmp: f.Name()}
	if err := p.fill(f, r.Body, in); err != nil {
		p.discard()
		return nil, err
	}
	return p, nil
}

// fill copies body into f, hashing it on the way, and checks every digest.
func (p *payload) fill(f *os.File, body io.Reader, in integrity) error {
	var chunks *chunkedReader
	if in.chunked {
		chunks = newChunkedReader(body)
		body = chunks
	}
	p.algorithm = in.checksum.algorithm
	if p.algorithm == nil {
		p.algorithm = defaultChecksum
	}
	md5Hash, checksumHash := md5.New(), p.algorithm.new()
	hashes := []io.Writer{md5Hash, checksumHash}
	var sha256Hash hash.Hash
	if in.sha256 != nil {
		sha256Hash = sha256.New()
		hashes = append(hashes, sha256Hash)
	}
	err := finishTemp(f, func(w io.Writer) error {
		// One byte more than announced shows a body that is too long.
		n, err := io.Copy(io.MultiWriter(append(hashes, w)...), io.LimitReader(bodyReader{body}, in.length+1))
		p.size = n
		return err
	})
	if err != nil {
		return bodyError(err)
	}
	if p.size != in.length {
		return errIncompleteBody()
	}
	p.md5, p.sum = md5Hash.Sum(nil), checksumHash.Sum(nil)
	if in.sha256 != nil && !bytes.Equal(sha256Hash.Sum(nil), in.sha256) {
		return newError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	if in.contentMD5 != nil && !bytes.Equal(p.md5, in.contentMD5) {
		return newError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
	}
	if in.checksum.algorithm == nil {
		return nil
	}
	sent := in.checksum.value
	if sent == "" {
		var ok bool
		if sent, ok = chunks.trailers[p.algorithm.header()]; !ok {
			return errInvalidRequest("The body did not end with the trailer %s announced in x-amz-trailer.", p.algorithm.header())
		}
	}
	return verifyChecksum(p.algorithm, sent, p.sum)
}

// bodyError turns a failure while receiving a body into S3's answer: a body
// that broke off or is not valid aws-chunked framing is the client's
// problem; anything else is this store's.
func bodyError(err error) error {
	var re *readError
	if !errors.As(err, &re) {
		return err
	}
	if errors.Is(re.err, errMalformedChunk) {
		return errInvalidRequest("The aws-chunked body is malformed.")
	}
	return errIncompleteBody()
}
