package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// attemptLog watches the attempts of one Put, across the SDK's retries and
// ours. A create-only write that was retried after an attempt that may have
// reached S3 (a timeout, a dropped connection, a 5xx) can be refused by our
// own first write: that 412 does not prove someone else holds the key.
type attemptLog struct {
	uncertain bool
}

// refused reports a refused conditional write as reason (ErrExists for a
// create, ErrChanged for a replacement), unless an earlier attempt may
// itself have stored the object, which would make S3 refuse the retry just
// the same: then the outcome is unknown.
func (a *attemptLog) refused(key string, reason, cause error) error {
	if a.uncertain {
		return fmt.Errorf("store %s: outcome unknown: refused after an attempt that may have stored it: %w", key, cause)
	}
	return fmt.Errorf("store %s: %w", key, reason)
}

// option installs the log in one PutObject call's middleware stack, right
// inside the retry loop so it sees every attempt.
func (a *attemptLog) option(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(a, "Retry", middleware.After)
	})
}

func (a *attemptLog) ID() string { return "passwordgenAttemptLog" }

func (a *attemptLog) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleFinalize(ctx, in)
	if err != nil && mayHaveStored(err) {
		a.uncertain = true
	}
	return out, md, err
}

// mayHaveStored reports whether a failed attempt could have been committed:
// S3 applies nothing it answers with a 4xx, and nothing reaches it when the
// connection cannot be opened.
func mayHaveStored(err error) bool {
	if status := httpStatus(err); status != 0 {
		return status >= http.StatusInternalServerError
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op != "dial"
}
