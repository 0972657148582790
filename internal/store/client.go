package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A Lambda invocation has a hard deadline (10 s for this function), so every
// wait is bounded: an S3 that hangs or refuses must turn into an error the
// handler can still answer with, not a timed-out invocation.
const (
	maxAttempts = 3
	maxBackoff  = 200 * time.Millisecond
	// attemptTimeout bounds one HTTP exchange, connect included. A small
	// PutObject normally answers within tens of milliseconds; an attempt
	// still silent after this is stuck, and a retry on a new connection is
	// the better bet. Not much shorter, though: a create-only write whose
	// attempt timed out after S3 stored it gets a 412 on the retry, and its
	// outcome can then no longer be told (the function may not read the
	// object to compare), so each premature timeout costs a 502.
	attemptTimeout = 2 * time.Second
)

// pathStyleEnv names our own switch for S3-compatible test servers, which
// serve buckets under a path rather than a host name. The SDK reads no
// standard variable or shared-config key for this.
const pathStyleEnv = "S3_USE_PATH_STYLE"

// NewClient returns an S3 client built from the SDK's default configuration,
// so the standard variables (AWS_REGION, AWS_ENDPOINT_URL_S3, credentials)
// apply unchanged, with bounded retries and timeouts.
func NewClient(ctx context.Context) (*s3.Client, error) {
	pathStyle := false
	if v, ok := os.LookupEnv(pathStyleEnv); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("store: %s=%q: want true or false", pathStyleEnv, v)
		}
		pathStyle = b
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = maxBackoff
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(attemptTimeout)),
	)
	if err != nil {
		return nil, fmt.Errorf("store: load AWS config: %w", err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }), nil
}
