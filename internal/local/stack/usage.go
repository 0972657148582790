package stack

import (
	"fmt"
	"strings"

	"github.com/passwordgen/passwordgen/internal/local/issuer"
)

// The recipe's two invocations, as README shows them.
var recipePayloads = []string{
	`{"length": 20, "name": "test-password-1"}`,
	`{"length": 12, "include_symbols": false, "name": "simple-password"}`,
}

// commands are the shell commands printUsage offers, in order: the export
// of the settings the AWS CLI needs, then the commands to try.
func commands(lambdaURL, s3URL, bucket string) []string {
	cmds := []string{fmt.Sprintf("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s", admin.AccessKey, admin.SecretKey, region)}
	for _, payload := range recipePayloads {
		cmds = append(cmds, fmt.Sprintf("aws lambda invoke --endpoint-url %s --function-name %s --cli-binary-format raw-in-base64-out --payload '%s' response.json",
			lambdaURL, functionName, payload))
	}
	folder := "s3://" + bucket + "/" + keyPrefix
	return append(cmds,
		"cat response.json",
		fmt.Sprintf("aws s3 ls --endpoint-url %s %s", s3URL, folder),
		fmt.Sprintf("aws s3 cp --endpoint-url %s %stest-password-1.json -", s3URL, folder),
	)
}

// apiCommands are the shell commands printUsage offers for the HTTP API:
// a token for client, then create, read back and list a password. The
// token is cut from the issuer's JSON with sed, which every shell has.
func apiCommands(httpURL, issuerURL string, client Client) []string {
	auth := `-H "Authorization: Bearer $TOKEN"`
	return []string{
		fmt.Sprintf(`TOKEN=$(curl -s -u %s:%s -d grant_type=client_credentials %s%s | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')`,
			client.ID, client.Secret, issuerURL, issuer.TokenPath),
		fmt.Sprintf(`curl -s -i %s -H 'Content-Type: application/json' -d '{"length": 20, "name": "team-a/db-admin"}' %s/passwords`, auth, httpURL),
		fmt.Sprintf(`curl -s -i %s %s/passwords/team-a/db-admin`, auth, httpURL),
		fmt.Sprintf(`curl -s %s '%s/passwords?prefix=team-a/'`, auth, httpURL),
	}
}

// rotationCommands are the shell commands printUsage offers for the
// rotator: a password that rotates daily, a run as of two days from now
// (the local rotator trusts a scheduled time in the future; `date -d` is
// GNU date's), its counts, and the password's two versions.
func rotationCommands(lambdaURL, s3URL, bucket string) []string {
	return []string{
		fmt.Sprintf(`aws lambda invoke --endpoint-url %s --function-name %s --cli-binary-format raw-in-base64-out --payload '{"name": "rotating-password", "rotate_every_days": 1}' response.json`,
			lambdaURL, functionName),
		fmt.Sprintf(`aws lambda invoke --endpoint-url %s --function-name %s --cli-binary-format raw-in-base64-out --payload "{\"scheduled_time\": \"$(date -u -d '+2 days' +%%Y-%%m-%%dT%%H:%%M:%%SZ)\"}" rotation.json`,
			lambdaURL, rotatorName),
		"cat rotation.json",
		fmt.Sprintf("aws s3api list-object-versions --endpoint-url %s --bucket %s --prefix %srotating-password.json --query 'Versions[].[VersionId,LastModified]' --output text",
			s3URL, bucket, keyPrefix),
	}
}

// endpoints are the stack's URLs.
type endpoints struct {
	lambda, s3, http, issuer string
}

// printUsage tells the user where the stack is and what to type. The
// --endpoint-url options are spelled out because the AWS CLI v2 that Debian
// ships (2.9) ignores AWS_ENDPOINT_URL and its variants.
func printUsage(o Options, e endpoints) {
	var clients []string
	var admin Client
	for _, c := range o.Clients {
		limit := "every name"
		if len(c.Prefixes) > 0 {
			limit = "names under " + strings.Join(c.Prefixes, ", ")
		}
		clients = append(clients, fmt.Sprintf("    %-10s %s:%s  %s, %s", c.Name, c.ID, c.Secret, strings.Join(c.Scopes, " "), limit))
		if c.Name == "admin" {
			admin = c
		}
	}
	rotates := "on demand"
	if o.RotateEvery > 0 {
		rotates = "every " + o.RotateEvery.String() + " and on demand"
	}
	fmt.Fprintf(o.Out, `The password generator is running on this machine.
  Lambda Invoke API  %s  functions %s, %s and %s (runs %s), %d runtime processes each
  S3 API (MinIO)     %s  bucket %s, versioned, SSE-KMS, kept in %s
  HTTP API           %s  POST /passwords, GET /passwords/{name+}, GET /passwords; %d requests/s, bursts of %d
  Token issuer       %s  client_credentials; clients (id:secret, scopes, names):
%s

Try it from another terminal (MinIO checks signatures: these are its
administrator's keys; the functions have their own, which may only store,
only read, or only rotate):

%s

Through the HTTP API, with a token (for an hour) of the admin client:

%s

Rotation: a password stored with rotate_every_days gets a new version once
that many days have passed, when the rotator runs. It takes the run's time
from its payload, so a run can be as of a later day:

%s

Names are create-only: creating an existing name again answers 409.
Press Ctrl-C to stop; stored passwords stay in the data directory.
`, e.lambda, functionName, retrieverName, rotatorName, rotates, o.Concurrency, e.s3, o.Bucket, o.DataDir,
		e.http, o.RateLimit, o.BurstLimit, e.issuer, strings.Join(clients, "\n"),
		strings.Join(commands(e.lambda, e.s3, o.Bucket), "\n"),
		strings.Join(apiCommands(e.http, e.issuer, admin), "\n"),
		strings.Join(rotationCommands(e.lambda, e.s3, o.Bucket), "\n"))
}
