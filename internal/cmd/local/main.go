// Command local runs the password generator on this machine without an AWS
// account (`make local`, or `go run ./internal/cmd/local`): it builds the
// function from handler/, serves it on Lambda's Invoke API next to the
// pinned MinIO server (built on first use, see internal/local/minio), and
// prints the AWS CLI commands to try. Ctrl-C or SIGTERM stops it, as does
// the end of the process that started it; a second Ctrl-C ends it at once.
//
// Every flag can also be set by an environment variable, which the flag
// overrides:
//
//	-lambda-addr  PASSWORDGEN_LOCAL_LAMBDA_ADDR  Invoke API address (127.0.0.1:9701)
//	-s3-addr      PASSWORDGEN_LOCAL_S3_ADDR      S3 API address (127.0.0.1:9702)
//	-data         PASSWORDGEN_LOCAL_DATA         MinIO's data and KMS key (.local/minio in the module root)
//	-bucket       PASSWORDGEN_LOCAL_BUCKET       bucket name (password-generator-local)
//	-concurrency  PASSWORDGEN_LOCAL_CONCURRENCY  runtime processes (4)
//	-policy       PASSWORDGEN_LOCAL_POLICY       organization password policy as JSON (none)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/passwordgen/passwordgen/internal/local/stack"
)

func main() {
	o, err := options(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(2)
	}
	o.Out, o.Log = os.Stdout, os.Stderr
	if err := stopWithParent(); err != nil {
		fmt.Fprintln(os.Stderr, "local: ask to be stopped with the parent process:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		// A second Ctrl-C ends the process at once, should the orderly
		// stop take too long; the runtime processes and MinIO die with
		// it (their parent-death signal). SIGTERM stays caught:
		// the kernel sends the parent-death signal again for each thread
		// of an exiting `go run`.
		signal.Reset(os.Interrupt)
	}()
	if err := stack.Run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintln(os.Stderr, "local: is another `make local` running? Choose other addresses with -lambda-addr and -s3-addr.")
		}
		os.Exit(1)
	}
}

// options reads the flags, each defaulting to its environment variable.
func options(args []string, getenv func(string) string, usage io.Writer) (stack.Options, error) {
	var o stack.Options
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&o.LambdaAddr, "lambda-addr", orDefault(getenv("PASSWORDGEN_LOCAL_LAMBDA_ADDR"), stack.DefaultLambdaAddr),
		"`host:port` of the Lambda Invoke API (env PASSWORDGEN_LOCAL_LAMBDA_ADDR)")
	fs.StringVar(&o.S3Addr, "s3-addr", orDefault(getenv("PASSWORDGEN_LOCAL_S3_ADDR"), stack.DefaultS3Addr),
		"`host:port` of the S3 API, served by MinIO (env PASSWORDGEN_LOCAL_S3_ADDR)")
	fs.StringVar(&o.DataDir, "data", getenv("PASSWORDGEN_LOCAL_DATA"),
		"`directory` keeping MinIO's data and KMS key across restarts (env PASSWORDGEN_LOCAL_DATA; default "+stack.DefaultDataDir+" in the module root)")
	fs.StringVar(&o.Bucket, "bucket", orDefault(getenv("PASSWORDGEN_LOCAL_BUCKET"), stack.DefaultBucket),
		"`name` of the bucket passwords are stored in (env PASSWORDGEN_LOCAL_BUCKET)")
	concurrency := stack.DefaultConcurrency
	if v := getenv("PASSWORDGEN_LOCAL_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return o, fmt.Errorf("PASSWORDGEN_LOCAL_CONCURRENCY=%q: want a whole number of at least 1", v)
		}
		concurrency = n
	}
	fs.IntVar(&o.Concurrency, "concurrency", concurrency,
		"`number` of runtime processes serving invocations at once (env PASSWORDGEN_LOCAL_CONCURRENCY)")
	fs.StringVar(&o.Policy, "policy", getenv("PASSWORDGEN_LOCAL_POLICY"),
		"organization password policy as `JSON`, such as {\"minEntropyBits\": 80} (env PASSWORDGEN_LOCAL_POLICY; default none)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q; see -help", fs.Arg(0))
	case o.Concurrency < 1:
		return o, fmt.Errorf("-concurrency %d: want at least 1", o.Concurrency)
	}
	return o, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
