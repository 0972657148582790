// Command local runs the password generator on this machine without an AWS
// account (`make local`, or `go run ./internal/cmd/local`): it builds the
// functions from handler/, serves them on Lambda's Invoke API and behind
// the HTTP API with its token issuer, next to the pinned MinIO server
// (built on first use, see internal/local/minio), and prints the AWS CLI
// and curl commands to try. Ctrl-C or SIGTERM stops it, as does the end of
// the process that started it; a second Ctrl-C ends it at once.
//
// Every flag can also be set by an environment variable, which the flag
// overrides:
//
//	-lambda-addr      PASSWORDGEN_LOCAL_LAMBDA_ADDR      Invoke API address (127.0.0.1:9701)
//	-s3-addr          PASSWORDGEN_LOCAL_S3_ADDR          S3 API address (127.0.0.1:9702)
//	-http-addr        PASSWORDGEN_LOCAL_HTTP_ADDR        HTTP API address (127.0.0.1:9703)
//	-issuer-addr      PASSWORDGEN_LOCAL_ISSUER_ADDR      token issuer address (127.0.0.1:9704)
//	-data             PASSWORDGEN_LOCAL_DATA             MinIO's data and KMS key (.local/minio in the module root)
//	-bucket           PASSWORDGEN_LOCAL_BUCKET           bucket name (password-generator-local)
//	-concurrency      PASSWORDGEN_LOCAL_CONCURRENCY      runtime processes of each function (4)
//	-api-rate-limit   PASSWORDGEN_LOCAL_API_RATE_LIMIT   HTTP API requests per second (10)
//	-api-burst-limit  PASSWORDGEN_LOCAL_API_BURST_LIMIT  HTTP API burst (20)
//	-client           PASSWORDGEN_LOCAL_CLIENTS          name=id:secret: another id and secret for the
//	                                                     issuer's generator, reader, admin or team-a client
//	                                                     (default name:name-local-secret); repeatable,
//	                                                     space-separated in the variable
//	-policy           PASSWORDGEN_LOCAL_POLICY           organization password policy as JSON (none)
//	-rotate-every     PASSWORDGEN_LOCAL_ROTATE_EVERY     how often the rotator runs on its own, as a Go
//	                                                     duration such as 1m or 24h (0: on demand only)
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
	"strings"
	"syscall"
	"time"

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
			fmt.Fprintln(os.Stderr, "local: is another `make local` running? Choose other addresses with -lambda-addr, -s3-addr, -http-addr and -issuer-addr.")
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
	fs.StringVar(&o.HTTPAddr, "http-addr", orDefault(getenv("PASSWORDGEN_LOCAL_HTTP_ADDR"), stack.DefaultHTTPAddr),
		"`host:port` of the HTTP API (env PASSWORDGEN_LOCAL_HTTP_ADDR)")
	fs.StringVar(&o.IssuerAddr, "issuer-addr", orDefault(getenv("PASSWORDGEN_LOCAL_ISSUER_ADDR"), stack.DefaultIssuerAddr),
		"`host:port` of the token issuer (env PASSWORDGEN_LOCAL_ISSUER_ADDR)")
	for _, f := range []struct {
		dst       *int
		flag, env string
		def       int
		usage     string
	}{
		{&o.Concurrency, "concurrency", "PASSWORDGEN_LOCAL_CONCURRENCY", stack.DefaultConcurrency, "`number` of runtime processes of each function serving invocations at once"},
		{&o.RateLimit, "api-rate-limit", "PASSWORDGEN_LOCAL_API_RATE_LIMIT", stack.DefaultRateLimit, "`requests` per second the HTTP API lets through, from every caller together"},
		{&o.BurstLimit, "api-burst-limit", "PASSWORDGEN_LOCAL_API_BURST_LIMIT", stack.DefaultBurstLimit, "`requests` the HTTP API lets through at once, from every caller together"},
	} {
		def := f.def
		if v := getenv(f.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return o, fmt.Errorf("%s=%q: want a whole number of at least 1", f.env, v)
			}
			def = n
		}
		fs.IntVar(f.dst, f.flag, def, f.usage+" (env "+f.env+")")
	}
	o.Clients = stack.DefaultClients()
	overrides := clientFlag{clients: o.Clients}
	for _, v := range strings.Fields(getenv("PASSWORDGEN_LOCAL_CLIENTS")) {
		if err := overrides.Set(v); err != nil {
			return o, fmt.Errorf("PASSWORDGEN_LOCAL_CLIENTS: %w", err)
		}
	}
	fs.Var(&overrides, "client", "`name=id:secret` gives the issuer's generator, reader, admin or team-a client another id and secret; repeatable (env PASSWORDGEN_LOCAL_CLIENTS, space-separated)")
	fs.StringVar(&o.Policy, "policy", getenv("PASSWORDGEN_LOCAL_POLICY"),
		"organization password policy as `JSON`, such as {\"minEntropyBits\": 80} (env PASSWORDGEN_LOCAL_POLICY; default none)")
	var every time.Duration
	if v := getenv("PASSWORDGEN_LOCAL_ROTATE_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return o, fmt.Errorf("PASSWORDGEN_LOCAL_ROTATE_EVERY=%q: want a duration such as 1m or 24h, or 0", v)
		}
		every = d
	}
	fs.DurationVar(&o.RotateEvery, "rotate-every", every,
		"`interval` at which the rotator runs on its own, as the deployed schedule does, such as 1m or 24h; 0 runs it on demand only (env PASSWORDGEN_LOCAL_ROTATE_EVERY)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q; see -help", fs.Arg(0))
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"-concurrency", o.Concurrency}, {"-api-rate-limit", o.RateLimit}, {"-api-burst-limit", o.BurstLimit}} {
		if f.n < 1 {
			return o, fmt.Errorf("%s %d: want at least 1", f.name, f.n)
		}
	}
	if o.RotateEvery < 0 {
		return o, fmt.Errorf("-rotate-every %v: want 0 (on demand only) or more", o.RotateEvery)
	}
	return o, nil
}

// clientFlag sets another id and secret on one of the default clients.
type clientFlag struct{ clients []stack.Client }

func (c *clientFlag) String() string { return "" }

func (c *clientFlag) Set(v string) error {
	name, creds, ok := strings.Cut(v, "=")
	id, secret, ok2 := strings.Cut(creds, ":")
	if !ok || !ok2 || id == "" || secret == "" {
		return fmt.Errorf("%q: want name=id:secret", v)
	}
	for i := range c.clients {
		if c.clients[i].Name == name {
			c.clients[i].ID, c.clients[i].Secret = id, secret
			return nil
		}
	}
	var names []string
	for _, cl := range c.clients {
		names = append(names, cl.Name)
	}
	return fmt.Errorf("%q: no client %q; the clients are %s", v, name, strings.Join(names, ", "))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
