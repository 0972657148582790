package s3local_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/s3contract"
)

// newStore starts s3local on a fresh directory behind an httptest server.
func newStore(t testing.TB, tls bool, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	var h http.Handler = open(t, t.TempDir())
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// newClient is the SDK client as the function builds it, pointed at srv:
// the checksum settings are those config.LoadDefaultConfig resolves.
func newClient(srv *httptest.Server) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "eu-west-1",
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local-secret", ""),
		HTTPClient:                 srv.Client(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

// putFraming records how the SDK framed the bodies of its PUTs.
type putFraming struct {
	mu      sync.Mutex
	framing map[string]int // x-amz-content-sha256 mode, or "digest"
}

func (p *putFraming) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Get("x-id") == "PutObject" {
			mode := r.Header.Get("x-amz-content-sha256")
			if !strings.HasPrefix(mode, "STREAMING-") && mode != "UNSIGNED-PAYLOAD" {
				mode = "digest"
			}
			if r.Header.Get("Content-Encoding") == "aws-chunked" {
				mode += " aws-chunked"
			}
			p.mu.Lock()
			p.framing[mode]++
			p.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// TestContract runs the shared store contract over plain HTTP, as the local
// stack serves it, and over HTTPS, where the SDK switches PutObject to
// aws-chunked bodies with a trailing checksum.
func TestContract(t *testing.T) {
	for _, tt := range []struct {
		name        string
		tls         bool
		wantFraming string
	}{
		{"http", false, "digest"},
		{"https", true, "STREAMING-UNSIGNED-PAYLOAD-TRAILER aws-chunked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			framing := &putFraming{framing: map[string]int{}}
			srv := newStore(t, tt.tls, framing.wrap)
			t.Run("contract", func(t *testing.T) {
				s3contract.Run(t, s3contract.Target{Client: newClient(srv), KMSKeyID: "local-kms-key"})
			})
			// Without this the suite could pass while never exercising the
			// framing real clients use on this transport.
			if framing.framing[tt.wantFraming] == 0 {
				t.Errorf("no PutObject arrived as %q; saw %v", tt.wantFraming, framing.framing)
			}
		})
	}
}
