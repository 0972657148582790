package s3contract_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/s3contract"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

func TestMain(m *testing.M) { miniotest.Main(m) }

// TestMinIO holds the contract to a real S3 implementation, so the suite
// cannot drift into asserting what only the embedded store does.
func TestMinIO(t *testing.T) {
	srv := miniotest.Start(t)
	// The function's client comes from config.LoadDefaultConfig, which
	// turns on request checksums; so does this one.
	client := s3.New(srv.Client(t).Options(), func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	})
	s3contract.Run(t, s3contract.Target{Client: client, KMSKeyID: srv.KMSKeyName, MinIO: true})
}
