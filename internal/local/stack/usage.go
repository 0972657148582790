package stack

import (
	"fmt"
	"strings"
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

// printUsage tells the user where the stack is and what to type. The
// --endpoint-url options are spelled out because the AWS CLI v2 that Debian
// ships (2.9) ignores AWS_ENDPOINT_URL and its variants.
func printUsage(o Options, lambdaURL, s3URL string) {
	fmt.Fprintf(o.Out, `The password generator is running on this machine.
  Lambda Invoke API  %s  function %s, %d runtime processes
  S3 API (MinIO)     %s  bucket %s, versioned, SSE-KMS, kept in %s

Try it from another terminal (MinIO checks signatures: these are its
administrator's keys; the function has its own, which may only store):

%s

Names are create-only: invoking an existing name again answers statusCode 409.
Press Ctrl-C to stop; stored passwords stay in the data directory.
`, lambdaURL, functionName, o.Concurrency, s3URL, o.Bucket, o.DataDir,
		strings.Join(commands(lambdaURL, s3URL, o.Bucket), "\n"))
}
