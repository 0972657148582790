package s3local

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestChunkedReader(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		trailers map[string]string
		err      error
	}{
		{"empty", "0\r\n\r\n", "", nil, nil},
		{"unsigned", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", nil, nil},
		{"signed", "5;chunk-signature=ab\r\nhello\r\n0;chunk-signature=cd\r\n\r\n", "hello", nil, nil},
		{"trailers", "5\r\nhello\r\n0\r\nX-Amz-Checksum-CRC32: AAAAAA==\r\nx-amz-trailer-signature:ab\r\n\r\n", "hello",
			map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-trailer-signature": "ab"}, nil},
		{"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", nil, nil},
		{"cut in data", "5\r\nhel", "", nil, io.ErrUnexpectedEOF},
		{"cut before final chunk", "5\r\nhello\r\n", "", nil, io.ErrUnexpectedEOF},
		{"cut in trailers", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", "", nil, io.ErrUnexpectedEOF},
		{"no data end", "5\r\nhello0\r\n\r\n", "", nil, errMalformedChunk},
		{"bare LF", "5\nhello\r\n0\r\n\r\n", "", nil, errMalformedChunk},
		{"negative size", "-5\r\nhello\r\n0\r\n\r\n", "", nil, errMalformedChunk},
		{"huge size", "ffffffffffffffffff\r\n", "", nil, errMalformedChunk},
		{"trailer without colon", "0\r\nnonsense\r\n\r\n", "", nil, errMalformedChunk},
		{"endless header line", strings.Repeat("1", 2*maxChunkLine), "", nil, errMalformedChunk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChunkedReader(strings.NewReader(tt.in))
			got, err := io.ReadAll(c)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if string(got) != tt.want {
				t.Errorf("decoded %q, want %q", got, tt.want)
			}
			for k, v := range tt.trailers {
				if c.trailers[k] != v {
					t.Errorf("trailer %s = %q, want %q", k, c.trailers[k], v)
				}
			}
		})
	}
}

// FuzzChunkedReader: no input panics or loops, and what decodes cleanly is
// exactly the chunk data, however the reads are sized.
func FuzzChunkedReader(f *testing.F) {
	f.Add("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", uint8(3))
	f.Add("3;chunk-signature=00\r\nabc\r\n0;chunk-signature=00\r\n\r\n", uint8(1))
	f.Add("0\r\n\r\n", uint8(0))
	f.Fuzz(func(t *testing.T, in string, step uint8) {
		whole, errWhole := io.ReadAll(newChunkedReader(strings.NewReader(in)))
		c := newChunkedReader(strings.NewReader(in))
		var stepped []byte
		buf := make([]byte, int(step)+1)
		var err error
		for range len(in) + 2 {
			var n int
			n, err = c.Read(buf)
			stepped = append(stepped, buf[:n]...)
			if err != nil {
				break
			}
		}
		if (errWhole == nil) != (err == io.EOF) {
			t.Fatalf("reading whole: %v; reading in steps of %d: %v", errWhole, len(buf), err)
		}
		if errWhole == nil && string(whole) != string(stepped) {
			t.Fatalf("whole read %q, stepped read %q", whole, stepped)
		}
		if len(whole) > len(in) {
			t.Fatalf("decoded %d bytes from %d", len(whole), len(in))
		}
	})
}
