// Package stack runs the password generator on one machine, without an
// AWS account: the real bootstrap built from handler/, in a pool of runtime
// processes behind Lambda's Invoke API, and the pinned MinIO server holding
// the stack's bucket, versioned and encrypted with SSE-KMS as deployed. The
// function gets the environment the stack gives it, pointed at MinIO, and
// signs as a MinIO user limited to the S3 statements of the deployed
// function policy, so that least privilege holds here too. The same `aws
// lambda invoke` and `aws s3` commands as in production work against the
// local endpoints (with --endpoint-url).
//
// Both endpoints listen on 127.0.0.1 by default: the Invoke API checks no
// credentials, and MinIO's administrator credentials are the well-known
// ones printed for the AWS CLI, so anyone who can reach them can read the
// passwords.
package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/lambdabuild"
	"github.com/passwordgen/passwordgen/internal/local/invokeapi"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
)

// Defaults, documented in README. The ports are next to each other, one
// per endpoint of the stack (9703 and up are for the endpoints still to
// come), and away from those of common local services (MinIO 9000/9001,
// LocalStack 4566, `sam local start-lambda` 3001).
const (
	DefaultLambdaAddr  = "127.0.0.1:9701"
	DefaultS3Addr      = "127.0.0.1:9702"
	DefaultBucket      = "password-generator-local"
	DefaultConcurrency = 4
	// DefaultDataDir is relative to the root of the Go module, so the
	// data is the same whichever directory of the repository the stack is
	// started from; it is gitignored.
	DefaultDataDir = ".local/minio"
)

// What the stack fixes, as the recipe and the Pulumi stack's defaults do.
const (
	functionName = "password-generator"
	region       = "us-east-1"
	keyPrefix    = fnconfig.DefaultKeyPrefix
	// kmsKeyName is the MinIO KMS key the data directory's key file
	// holds. The function sends it as KMS_KEY_ID, where the deployed stack
	// sends the key's ARN: MinIO knows its keys by name only.
	kmsKeyName = "password-generator-local"
	// Stand-ins for the deployed stack's log group and key, so that the
	// function's policy is built by the same code as on AWS; only its S3
	// statements are loaded into MinIO.
	logGroupARN = "arn:aws:logs:" + region + ":" + lambdaruntime.AccountID + ":log-group:/aws/lambda/" + functionName
	kmsKeyARN   = "arn:aws:kms:" + region + ":" + lambdaruntime.AccountID + ":key/00000000-0000-4000-8000-000000000000"
)

// MinIO's administrator, whom the user's AWS CLI signs as: fixed, because
// README shows them, and MinIO wants a secret of at least 8 characters.
// The function signs as functionUser instead, with a secret new at every
// start.
var admin = minio.Credentials{AccessKey: "local", SecretKey: "local-secret"}

const functionUser = "password-generator"

// stopGrace bounds how long a stop waits for invocations in flight: longer
// than the function's 10-second timeout, so none is cut short.
const stopGrace = 15 * time.Second

// Options configures Run; zero values take the defaults above.
type Options struct {
	LambdaAddr string // host:port of the Invoke API; port 0 picks a free one
	S3Addr     string // host:port of the S3 API (MinIO); port 0 too
	// DataDir holds MinIO's data, and the KMS key it is encrypted with,
	// across restarts; a relative path is resolved against the working
	// directory.
	DataDir     string
	Bucket      string
	Concurrency int // runtime processes, so concurrent invocations are served
	// Policy is the organization's password policy as JSON, such as
	// {"minEntropyBits": 80, "maxRepeat": 2}; "" for none. It is validated
	// as a deployment validates it.
	Policy string
	// Out receives the endpoints and the commands to try; Log the
	// function's log lines, the stack's own and MinIO's build progress.
	// Nil discards.
	Out io.Writer
	Log io.Writer
}

// Run builds and starts the stack, prints how to use it, and serves until
// ctx ends. It then stops everything in order: the Invoke API finishes the
// invocations in flight (Event ones included), the runtime processes exit,
// and MinIO, which they write to, stops last. Run returns nil after a stop
// by ctx, and an error if the stack could not start or failed.
func Run(ctx context.Context, o Options) error {
	o, err := o.withDefaults(ctx)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(o.Log, nil))
	defer func() {
		// After every deferred stop below, and only when asked to stop.
		if ctx.Err() != nil {
			log.Info("stopped")
		}
	}()

	lambdaLn, err := net.Listen("tcp", o.LambdaAddr)
	if err != nil {
		return fmt.Errorf("listen for the Lambda Invoke API on %s: %w", o.LambdaAddr, err)
	}
	defer lambdaLn.Close()
	warnIfExposed(log, "the Lambda Invoke API", lambdaLn.Addr())

	unlock, err := lockDir(o.DataDir)
	if err != nil {
		return err
	}
	defer unlock()
	s3Server, err := startS3(ctx, o, log)
	if err != nil {
		return stopped(ctx, err)
	}
	defer s3Server.Stop()
	failed := make(chan error, 2)
	go func() {
		<-s3Server.Exited()
		failed <- fmt.Errorf("MinIO stopped (%v):\n%s", s3Server.Err(), s3Server.LogTail())
	}()
	fnUser, err := prepareS3(ctx, s3Server, o.Bucket)
	if err != nil {
		return stopped(ctx, err)
	}

	build, err := os.MkdirTemp("", "passwordgen-local-")
	if err != nil {
		return fmt.Errorf("create a build directory: %w", err)
	}
	defer os.RemoveAll(build)
	log.Info("building the function", "package", lambdabuild.Function)
	art, err := lambdabuild.Build(ctx, lambdabuild.Options{GOARCH: runtime.GOARCH, OutDir: build})
	if err != nil {
		return stopped(ctx, err)
	}
	s3URL := endpoint(s3Server.Addr)
	fn, err := lambdaruntime.Start(ctx, lambdaruntime.Config{
		Binary:       art.Binary,
		Env:          functionEnv(o.Bucket, s3URL, fnUser, o.Policy),
		Concurrency:  o.Concurrency,
		FunctionName: functionName,
		Region:       region,
		Logs:         o.Log,
	})
	if err != nil {
		return stopped(ctx, fmt.Errorf("start the function: %w", err))
	}
	defer fn.Close()
	api, err := invokeapi.New(invokeapi.Config{
		Region:    region,
		Functions: map[string]invokeapi.Invoker{functionName: fn},
		Log:       log,
	})
	if err != nil {
		return err
	}
	defer api.Close()
	lambdaSrv := serve(lambdaLn, api, "Lambda", failed)
	defer shutdown(lambdaSrv, log)

	printUsage(o, endpoint(lambdaLn.Addr()), s3URL)
	select {
	case <-ctx.Done():
		log.Info("stopping")
		return nil
	case err := <-failed:
		return err
	}
}

func (o Options) withDefaults(ctx context.Context) (Options, error) {
	var err error
	if o.LambdaAddr == "" {
		o.LambdaAddr = DefaultLambdaAddr
	}
	if o.S3Addr == "" {
		o.S3Addr = DefaultS3Addr
	}
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	switch {
	case o.Concurrency < 0:
		return o, fmt.Errorf("concurrency %d is negative", o.Concurrency)
	case o.Concurrency == 0:
		o.Concurrency = DefaultConcurrency
	}
	if o.Policy != "" {
		if o.Policy, err = checkPolicy(o.Policy); err != nil {
			return o, err
		}
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.DataDir == "" {
		root, err := lambdabuild.ModuleRoot(ctx)
		if err != nil {
			return o, fmt.Errorf("default data directory (run from the repository, or set one): %w", err)
		}
		o.DataDir = filepath.Join(root, DefaultDataDir)
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return o, fmt.Errorf("data directory %s: %w", o.DataDir, err)
	}
	o.DataDir = dir
	return o, nil
}

// checkPolicy validates a policy given as JSON the way a deployment does,
// and returns it encoded as the function's environment carries it.
func checkPolicy(text string) (string, error) {
	p, err := fnconfig.Config{Policy: text}.DecodePolicy()
	if err == nil {
		_, err = orgpolicy.Validate(p, request.DefaultLimits().MaxLength)
	}
	if err == nil {
		text, err = fnconfig.EncodePolicy(p)
	}
	if err != nil {
		return "", fmt.Errorf("policy: %w", err)
	}
	return text, nil
}

// functionEnv is what the Pulumi stack sets on the function by default, with
// MinIO as its S3 endpoint and the function's own MinIO user; policy is
// encoded, "" for none.
func functionEnv(bucket, s3URL string, user minio.Credentials, policy string) []string {
	deployed := fnconfig.Config{Bucket: bucket, KeyPrefix: keyPrefix, KMSKeyID: kmsKeyName, Limits: request.DefaultLimits(), Policy: policy}
	return append(deployed.Environ(),
		"AWS_ENDPOINT_URL_S3="+s3URL,
		// MinIO serves buckets under a path, not a host name.
		"S3_USE_PATH_STYLE=true",
		"AWS_ACCESS_KEY_ID="+user.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+user.SecretKey,
	)
}

// warnIfExposed warns when an endpoint listens beyond this machine.
func warnIfExposed(log *slog.Logger, what string, addr net.Addr) {
	if !addr.(*net.TCPAddr).IP.IsLoopback() {
		log.Warn("listening beyond this machine: anyone who reaches this address can invoke the function and read the stored passwords, since the local endpoints check no credentials or print theirs",
			"api", what, "address", addr.String())
	}
}

// endpoint is the URL clients on this machine use for a listener; an
// unspecified address (0.0.0.0 or [::]) is reached over loopback.
func endpoint(addr net.Addr) string {
	tcp := addr.(*net.TCPAddr)
	ip := tcp.IP
	switch {
	case ip.IsUnspecified() && ip.To4() != nil:
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// serve runs an HTTP server on ln in the background; failed receives the
// reason if it stops other than by shutdown.
func serve(ln net.Listener, h http.Handler, name string, failed chan<- error) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("%s server on %s: %w", name, ln.Addr(), err)
		}
	}()
	return srv
}

// shutdown lets requests in flight finish, up to stopGrace, then closes
// what is left.
func shutdown(srv *http.Server, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("requests still open at stop were cut off", "error", err.Error())
		srv.Close()
	}
}

// stopped reports err unless ctx ended, in which case the failure is the
// stop itself (an interrupted build, say) and not worth an error.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
