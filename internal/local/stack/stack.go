// Package stack runs the password generator on one machine, without an
// AWS account: the real bootstrap built from handler/, as the generator, the
// retriever and the rotator, each in a pool of runtime processes behind
// Lambda's Invoke API, the rotator also on a schedule if asked; the HTTP
// API in front of the first two with its JWT authorizer, and the OAuth
// issuer its tokens come from; and the pinned MinIO server
// holding the stack's bucket, versioned and encrypted with SSE-KMS as
// deployed. The functions get the environment the stack gives them,
// pointed at MinIO, and each signs as a MinIO user limited to the S3
// statements of its deployed role policy, so that least privilege holds
// here too. The same `aws lambda invoke` and `aws s3` commands as in
// production work against the local endpoints (with --endpoint-url), and
// curl against the HTTP API with a token from the issuer.
//
// Every endpoint listens on 127.0.0.1 by default: the Invoke API checks no
// credentials, and MinIO's administrator credentials and the issuer's
// client secrets are the well-known ones printed for the CLI, so anyone
// who can reach them can read the passwords.
package stack

import (
	"context"
	"crypto/rsa"
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

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/lambdabuild"
	"github.com/passwordgen/passwordgen/internal/local/invokeapi"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
)

// Defaults, documented in README. The ports are next to each other, one
// per endpoint of the stack (the HTTP API's and the issuer's, 9703 and
// 9704, are in api.go), and away from those of common local services
// (MinIO 9000/9001, LocalStack 4566, `sam local start-lambda` 3001).
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
	// Stand-ins for the deployed stack's log groups and key, so that the
	// functions' policies are built by the same code as on AWS; only their
	// S3 statements are loaded into MinIO.
	logGroupARN          = "arn:aws:logs:" + region + ":" + lambdaruntime.AccountID + ":log-group:/aws/lambda/" + functionName
	retrieverLogGroupARN = "arn:aws:logs:" + region + ":" + lambdaruntime.AccountID + ":log-group:/aws/lambda/" + retrieverName
	rotatorLogGroupARN   = "arn:aws:logs:" + region + ":" + lambdaruntime.AccountID + ":log-group:/aws/lambda/" + rotatorName
	// rotatorFailureQueueARN stands in for the queue the deployed
	// rotator's failed runs go to; no run is sent there locally.
	rotatorFailureQueueARN = "arn:aws:sqs:" + region + ":" + lambdaruntime.AccountID + ":" + rotatorName + "-failures"
	kmsKeyARN              = "arn:aws:kms:" + region + ":" + lambdaruntime.AccountID + ":key/00000000-0000-4000-8000-000000000000"
)

// MinIO's administrator, whom the user's AWS CLI signs as: fixed, because
// README shows them, and MinIO wants a secret of at least 8 characters.
// The functions sign as users of their own, named after them, with
// secrets new at every start.
var admin = minio.Credentials{AccessKey: "local", SecretKey: "local-secret"}

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
	Concurrency int // runtime processes of each function, so concurrent invocations are served
	// HTTPAddr and IssuerAddr are the host:port of the HTTP API and of
	// its token issuer.
	HTTPAddr   string
	IssuerAddr string
	// RateLimit (requests per second) and BurstLimit are the HTTP API's
	// throttle, shared by every caller.
	RateLimit  int
	BurstLimit int
	// Clients are the issuer's app clients; nil means DefaultClients.
	Clients []Client
	// IssuerKey signs the issuer's tokens; nil means a new key at every
	// start, so no token outlives the stack.
	IssuerKey *rsa.PrivateKey
	// Policy is the organization's password policy as JSON, such as
	// {"minEntropyBits": 80, "maxRepeat": 2}; "" for none. It is validated
	// as a deployment validates it.
	Policy string
	// RotateEvery is how often the rotator runs on its own, as the
	// deployed schedule runs it; 0 runs it on demand only.
	RotateEvery time.Duration
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

	// Every address first, so one that is taken fails the start at once.
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for _, l := range []struct{ what, addr string }{
		{"the Lambda Invoke API", o.LambdaAddr}, {"the HTTP API", o.HTTPAddr}, {"the token issuer", o.IssuerAddr},
	} {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("listen for %s on %s: %w", l.what, l.addr, err)
		}
		lns = append(lns, ln)
		warnIfExposed(log, l.what, ln.Addr())
	}
	lambdaLn, httpLn, issuerLn := lns[0], lns[1], lns[2]

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
	failed := make(chan error, 4) // MinIO and three servers
	go func() {
		<-s3Server.Exited()
		failed <- fmt.Errorf("MinIO stopped (%v):\n%s", s3Server.Err(), s3Server.LogTail())
	}()
	users, err := prepareS3(ctx, s3Server, o.Bucket)
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
	functions := map[apispec.Function]lambdaruntime.Invoker{}
	byName := map[string]invokeapi.Invoker{}
	for _, f := range []struct {
		fn      apispec.Function
		name    string
		timeout time.Duration // 0: lambdaruntime's default, the deployed 10 s
		env     []string      // what the function has besides the others'
	}{
		{apispec.Generator, functionName, 0, nil},
		{apispec.Retriever, retrieverName, 0, nil},
		// The rotator takes a run's scheduled time from its payload even
		// when it lies ahead, so a run on demand can be as of a later day.
		{apispec.Rotator, rotatorName, rotatorTimeout, []string{fnconfig.EnvTrustScheduledTime + "=true"}},
	} {
		started, err := lambdaruntime.Start(ctx, lambdaruntime.Config{
			Binary:       art.Binary,
			Handler:      f.fn.Handler(),
			Env:          append(functionEnv(o.Bucket, s3URL, users[f.fn], o.Policy, clientPrefixes(o.Clients)), f.env...),
			Concurrency:  o.Concurrency,
			Timeout:      f.timeout,
			FunctionName: f.name,
			Region:       region,
			Logs:         o.Log,
		})
		if err != nil {
			return stopped(ctx, fmt.Errorf("start the function %s: %w", f.name, err))
		}
		defer started.Close()
		functions[f.fn], byName[f.name] = started, started
	}
	api, err := invokeapi.New(invokeapi.Config{Region: region, Functions: byName, Log: log})
	if err != nil {
		return err
	}
	defer api.Close()
	lambdaSrv := serve(lambdaLn, api, "Lambda", failed)
	defer shutdown(lambdaSrv, log)
	httpSrv, issuerSrv, err := serveAPI(apiConfig{
		clients: o.Clients, key: o.IssuerKey, rate: o.RateLimit, burst: o.BurstLimit,
		functions: functions, log: log, accessLog: o.Log,
	}, httpLn, issuerLn, failed)
	if err != nil {
		return err
	}
	defer shutdown(issuerSrv, log)
	defer shutdown(httpSrv, log)

	if o.RotateEvery > 0 {
		// Deferred last, so the schedule stops before the functions it
		// invokes are closed, whether the stack stops or fails.
		scheduled, stopSchedule := context.WithCancel(ctx)
		wait := schedule(scheduled, o.RotateEvery, functions[apispec.Rotator], log)
		defer func() {
			stopSchedule()
			wait()
		}()
	}
	printUsage(o, endpoints{lambda: endpoint(lambdaLn.Addr()), s3: s3URL, http: endpoint(httpLn.Addr()), issuer: endpoint(issuerLn.Addr())})
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
	if o.HTTPAddr == "" {
		o.HTTPAddr = DefaultHTTPAddr
	}
	if o.IssuerAddr == "" {
		o.IssuerAddr = DefaultIssuerAddr
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.BurstLimit == 0 {
		o.BurstLimit = DefaultBurstLimit
	}
	if o.Clients == nil {
		o.Clients = DefaultClients()
	}
	if o.RotateEvery < 0 {
		return o, fmt.Errorf("rotation interval %v is negative", o.RotateEvery)
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

// functionEnv is what the Pulumi stack sets on both functions by default,
// with MinIO as their S3 endpoint and a function's own MinIO user; policy
// is encoded, "" for none.
func functionEnv(bucket, s3URL string, user minio.Credentials, policy string, prefixes apispec.ClientPrefixes) []string {
	deployed := fnconfig.Config{Bucket: bucket, KeyPrefix: keyPrefix, KMSKeyID: kmsKeyName, Limits: request.DefaultLimits(), Policy: policy, ClientPrefixes: prefixes}
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
