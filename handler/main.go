// Command bootstrap is the password generator's Lambda function, built for
// the provided.al2023 runtime (`go build -tags lambda.norpc -o bootstrap
// ./handler`). Each invocation generates one password or passphrase from
// the caller's request, under the organization's policy, and stores it,
// encrypted and create-only, in S3; the response names the stored object and
// never carries the secret.
package main

import (
	"context"
	"crypto/rand"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

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
		logger.Error("invalid function configuration", "error", err.Error())
		os.Exit(1)
	}
	policy, err := compilePolicy(cfg)
	if err != nil {
		logger.Error("invalid password policy", "error", err.Error())
		os.Exit(1)
	}
	client, err := store.NewClient(context.Background())
	if err != nil {
		logger.Error("cannot configure the S3 client", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(&function{
		config: cfg,
		policy: policy,
		store:  store.New(client, cfg.Bucket, cfg.KMSKeyID),
		random: rand.Reader,
		now:    time.Now,
		log:    logger,
	})
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
