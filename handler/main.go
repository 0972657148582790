// Command bootstrap is the password generator's Lambda code, built for the
// provided.al2023 runtime (`go build -tags lambda.norpc -o bootstrap
// ./handler`). One binary serves the stack's three functions, chosen by the
// handler name Lambda passes as _HANDLER:
//
//   - "bootstrap", the generator: each invocation generates one password or
//     passphrase from the caller's request, under the organization's
//     policy, and stores it, encrypted and create-only, in S3; the response
//     names the stored object and never carries the secret.
//   - "retrieve", the retriever behind the HTTP API's GET routes: it
//     answers one stored password, or lists names or versions, to a caller
//     the API authorized, under a role that can only read.
//   - "rotate", the rotator, on a schedule: it replaces each password whose
//     rotation period has passed with a new one of the same parameters,
//     under a role that can list, read tags and write, but never read a
//     password.
package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/store"
)

func main() {
	logger := lambdacontext.NewLogger()
	cfg, err := fnconfig.FromEnv(os.LookupEnv)
	if err != nil {
		// Exiting before the runtime loop makes Lambda report Runtime.ExitError
		// with this line in the function's log: the clearest signal a deployer
		// gets for a broken environment.
		exit(logger, "invalid function configuration", err)
	}
	policy, err := compilePolicy(cfg)
	if err != nil {
		exit(logger, "invalid password policy", err)
	}
	client, err := store.NewClient(context.Background())
	if err != nil {
		exit(logger, "cannot configure the S3 client", err)
	}
	st := store.New(client, cfg.Bucket, cfg.KMSKeyID)
	switch handler := os.Getenv("_HANDLER"); handler {
	case apispec.Generator.Handler():
		lambda.Start(&function{config: cfg, policy: policy, store: st, random: rand.Reader, now: time.Now, log: logger})
	case apispec.Retriever.Handler():
		lambda.Start(&retriever{config: cfg, store: st, now: time.Now, log: logger})
	case apispec.Rotator.Handler():
		// It generates as the generator does, and stores through its own
		// conditional writes.
		lambda.Start(&rotator{gen: &function{config: cfg, policy: policy, random: rand.Reader, now: time.Now}, store: st, log: logger})
	default:
		logger.Error("unknown handler: set the function's handler to "+apispec.Generator.Handler()+", "+apispec.Retriever.Handler()+" or "+apispec.Rotator.Handler(), "handler", handler)
		os.Exit(1)
	}
}

func exit(logger *slog.Logger, msg string, err error) {
	logger.Error(msg, "error", err.Error())
	os.Exit(1)
}

// compilePolicy compiles the organization's policy the deployment carries.
// The deployment validated it in full; this parses the patterns again and
// checks the settings, without the costlier checks.
func compilePolicy(cfg fnconfig.Config) (*orgpolicy.Compiled, error) {
	rules, err := cfg.DecodePolicy()
	if err != nil {
		return nil, err
	}
	return orgpolicy.Compile(rules, cfg.Limits.MaxLength)
}
