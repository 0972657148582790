package s3local

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// chunkedReader decodes an aws-chunked body, the framing SDKs use to stream
// a payload whose signature or checksum is only known at its end:
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n   (repeated)
//	0[;chunk-signature=<sig>]\r\n
//	[<trailer name>:<value>\r\n ...]                  (e.g. x-amz-checksum-crc32)
//	\r\n
//
// Chunk and trailer signatures are not verified (see the package doc). It
// returns io.EOF only after the final chunk and the trailers arrived intact,
// so a cut-off body is always an error.
type chunkedReader struct {
	r         *bufio.Reader
	remaining int64 // data bytes left in the current chunk
	finished  bool
	err       error
	// trailers holds the trailer values by lower-case name once the body
	// has been read to the end.
	trailers map[string]string
}

// maxChunkLine bounds a chunk header or trailer line; real ones are under
// 200 bytes.
const maxChunkLine = 4096

// errMalformedChunk is a body that does not follow the aws-chunked framing.
var errMalformedChunk = errors.New("malformed aws-chunked body")

func newChunkedReader(r io.Reader) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, maxChunkLine), trailers: map[string]string{}}
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.err == nil && c.remaining == 0 {
		if c.finished {
			return 0, io.EOF
		}
		c.err = c.nextChunk()
	}
	if c.err != nil {
		return 0, c.err
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.r.Read(p)
	c.remaining -= int64(n)
	switch {
	case err == io.EOF:
		c.err = io.ErrUnexpectedEOF
	case err != nil:
		c.err = err
	case c.remaining == 0:
		c.err = c.expectLineEnd()
	}
	if c.err != nil && n == 0 {
		return 0, c.err
	}
	return n, nil
}

// nextChunk reads a chunk header, and after the final one the trailers.
func (c *chunkedReader) nextChunk() error {
	line, err := c.line()
	if err != nil {
		return err
	}
	sizeText, _, _ := strings.Cut(line, ";")
	size, err := strconv.ParseUint(sizeText, 16, 62)
	if err != nil {
		return errMalformedChunk
	}
	if size > 0 {
		c.remaining = int64(size)
		return nil
	}
	for {
		line, err := c.line()
		if err != nil {
			return err
		}
		if line == "" {
			c.finished = true
			return nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return errMalformedChunk
		}
		c.trailers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
}

// line reads one CRLF-terminated line without its line end.
func (c *chunkedReader) line() (string, error) {
	raw, err := c.r.ReadSlice('\n')
	switch {
	case err == io.EOF:
		return "", io.ErrUnexpectedEOF
	case errors.Is(err, bufio.ErrBufferFull):
		return "", errMalformedChunk
	case err != nil:
		return "", err
	}
	line, ok := bytes.CutSuffix(raw, []byte("\r\n"))
	if !ok {
		return "", errMalformedChunk
	}
	return string(line), nil
}

func (c *chunkedReader) expectLineEnd() error {
	line, err := c.line()
	if err == nil && line != "" {
		return errMalformedChunk
	}
	return err
}
