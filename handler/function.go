package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/passwordgen/passwordgen/internal/apievent"
	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/passphrase"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/store"
)

// putter is the one S3 operation the function needs; tests substitute it to
// reach failure paths a real server will not produce on demand.
type putter interface {
	Put(ctx context.Context, key string, body []byte, opts store.PutOptions) (versionID string, err error)
}

// function implements lambda.Handler on raw payload bytes rather than a
// typed event, so that every payload — an array, a broken API Gateway body,
// invalid JSON — gets an answer from this code and never a runtime-level
// unmarshal error.
type function struct {
	config fnconfig.Config
	policy *orgpolicy.Compiled
	store  putter
	random io.Reader
	now    func() time.Time
	log    *slog.Logger
}

// deadlineMargin is kept free before the invocation deadline so that a slow
// S3 call is abandoned while there is still time to answer; otherwise Lambda
// kills the function and the caller sees a bare timeout instead of a 5xx.
const deadlineMargin = 500 * time.Millisecond

// Invoke never returns an error: every outcome, including storage failures,
// is an HTTP-style response the caller and API Gateway can act on.
func (f *function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := time.Now()
	ctx, cancel := withDeadlineMargin(ctx)
	defer cancel()
	ev := apievent.Parse(payload)
	out := f.handle(ctx, payload, ev)
	out.caller = ev.Caller()
	if out.status == http.StatusOK && out.dryRun == nil && ev.RouteKey == apispec.RouteCreate {
		// Through the API a new password is a created resource; a direct
		// invocation keeps the recipe's 200.
		out.status = http.StatusCreated
	}
	out.log(ctx, f.log, time.Since(start))
	return out.response(requestID(ctx))
}

// withDeadlineMargin shortens ctx's deadline by deadlineMargin.
func withDeadlineMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-deadlineMargin))
	}
	return context.WithCancel(ctx)
}

// handle runs one request and reports what happened; it does no logging or
// encoding so that each outcome is decided in exactly one place.
func (f *function) handle(ctx context.Context, payload []byte, ev apievent.Event) outcome {
	req, err := request.Parse(payload, f.config.Limits)
	if err != nil {
		return rejected(err)
	}
	// Before anything else, so that a request whose tags cannot be stored
	// is refused before a password exists, dry runs included.
	tags, err := objectTags(req)
	if err != nil {
		return rejected(err)
	}
	gen, err := f.generator(req)
	switch {
	case orgpolicy.IsTooLarge(err):
		return failed(http.StatusInternalServerError, "", "", fmt.Errorf("apply the organization policy: %w", err))
	case err != nil:
		return rejected(err)
	}
	if req.DryRun {
		return dryRun(req, gen.EntropyBits(), f.effectivePolicy())
	}
	now := f.now()
	name := req.Name
	if name == "" {
		if name, err = naming.NewName(now, f.random); err != nil {
			return failed(http.StatusInternalServerError, "", "", fmt.Errorf("name the password: %w", err))
		}
	}
	key := naming.Key(f.config.KeyPrefix, name)
	if !f.config.ClientPrefixes.Allows(ev.HasToken(), ev.ClientID(), name) {
		return forbidden(name, f.config.ClientPrefixes.Refusal(ev.ClientID(), name))
	}
	pw, err := gen.Generate(f.random)
	if err != nil {
		return failed(http.StatusInternalServerError, name, key, fmt.Errorf("generate: %w", err))
	}
	rec := newRecord(pw, req, gen.EntropyBits(), now, ev.Caller())
	body, err := rec.encode(f.random)
	if err != nil {
		return failed(http.StatusInternalServerError, name, key, fmt.Errorf("encode: %w", err))
	}
	versionID, err := f.store.Put(ctx, key, body, store.PutOptions{Overwrite: req.Overwrite, Tags: tags})
	switch {
	case errors.Is(err, store.ErrExists):
		return conflict(name, key)
	case errors.Is(err, store.ErrDenied):
		// S3 answered, so this is a 502 even if the deadline has passed since.
		return failed(http.StatusBadGateway, name, key, err)
	case err != nil:
		return failed(storageStatus(ctx, err), name, key, err)
	}
	return stored(name, key, versionID, rec)
}

// objectTags are the tags a password is stored with, in the same PutObject,
// so that no version exists without them: its expiry, which the bucket's
// lifecycle rules filter on, or its rotation period and the parameters the
// rotator generates the next version from. Never the password. Parameters
// too large for S3's tags are the caller's to shorten, so a 400.
func objectTags(req request.Request) (map[string]string, error) {
	switch {
	case req.ExpiresInDays != 0:
		return map[string]string{objecttags.KeyExpiresInDays: strconv.Itoa(req.ExpiresInDays)}, nil
	case req.RotateEveryDays != 0:
		tags, err := objecttags.Rotation(req.GenerationJSON(), req.RotateEveryDays)
		if err != nil {
			return nil, &request.Error{Field: "rotate_every_days", Message: err.Error() +
				"; the rotator needs them to generate the next version: shorten exclude_characters or symbols, or store the password without rotation"}
		}
		return tags, nil
	}
	return nil, nil
}

// generator is what both types of secret offer.
type generator interface {
	Generate(r io.Reader) (string, error)
	EntropyBits() float64
}

// generator returns the generator for a request under the organization's
// policy, or why the request cannot be served: every error but one the
// caller can fix, with a message that says how; orgpolicy.IsTooLarge marks
// the one that only the deployer can.
func (f *function) generator(req request.Request) (generator, error) {
	if req.Type == request.TypePassphrase {
		g, err := passphrase.New(req.Passphrase)
		if err != nil {
			return nil, err
		}
		// The entropy floor is the one rule of the policy that concerns
		// passphrases; the character rules are about passwords.
		if err := f.policy.CheckPassphrase(req.Passphrase.Words, passphrase.BitsPerWord(), passphrase.MaxWords); err != nil {
			return nil, err
		}
		return g, nil
	}
	g, err := f.policy.Password(req.Policy)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// effectivePolicy is the policy in force, as a dry run reports it: the
// organization's rules and the deployment's length bounds.
func (f *function) effectivePolicy() effectivePolicy {
	return effectivePolicy{Policy: f.policy.Policy(), MinLength: f.config.Limits.MinLength, MaxLength: f.config.Limits.MaxLength}
}

// storageStatus separates "S3 was too slow" from "S3 said no", because the
// first is worth retrying as is and the second usually is not.
func storageStatus(ctx context.Context, err error) int {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
