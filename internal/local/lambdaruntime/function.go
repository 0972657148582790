// Package lambdaruntime runs a Lambda function's real bootstrap executable on
// this machine the way AWS Lambda runs it: every runtime process talks to its
// own implementation of the Lambda Runtime API (2018-06-01), invocations wait
// for an idle process, and deadlines, crashes and failed cold starts end the
// way they do in the service. Tests, benchmarks and the local stack use it so
// that they exercise the binary that gets deployed, not a copy of its logic.
package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Config describes the function and its pool of runtime processes.
type Config struct {
	Binary string // the bootstrap executable
	// Env is the function's own environment (KEY=value). It is all the
	// processes inherit besides the variables Lambda sets, so nothing leaks
	// in from this machine; an entry overrides a Lambda default of the same
	// key, except AWS_LAMBDA_RUNTIME_API.
	Env []string
	// Handler is the function's handler setting, which Lambda passes to
	// the runtime as _HANDLER; default "bootstrap".
	Handler      string
	Concurrency  int           // runtime processes; default 1
	Timeout      time.Duration // per invocation; default 10s, at most 15m
	FunctionName string        // default "function"
	MemoryMB     int           // AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 128
	Region       string        // AWS_REGION and the function ARN's region; default us-east-1
	// Logs receives the processes' stdout and stderr, whole lines at a time
	// so that concurrent processes never interleave within a line. Nil
	// discards them.
	Logs io.Writer
}

// Invoker runs one invocation; *Function is one. The local APIs serve
// functions through it, and their tests substitute fakes.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (Result, error)
}

// Result is what Lambda's Invoke API returns for one invocation.
type Result struct {
	RequestID string
	// Payload is the function's response, or for a function error the error
	// document ({"errorType": ..., "errorMessage": ...}).
	Payload []byte
	// FunctionError is "" on success and "Unhandled" otherwise, the value of
	// Lambda's X-Amz-Function-Error header.
	FunctionError string
}

// Errors Invoke returns instead of a Result.
var (
	ErrClosed          = errors.New("lambdaruntime: function closed")
	ErrPayloadTooLarge = fmt.Errorf("lambdaruntime: payload exceeds Lambda's %d-byte limit for synchronous invocation", maxPayload)
)

// Function is a running pool of runtime processes.
type Function struct {
	cfg   Config
	arn   string
	queue chan *invocation // unbuffered: an invocation waits until a process polls
	out   *sink
	life  context.Context // ends at Close
	end   context.CancelFunc
	wg    sync.WaitGroup // one per supervised process slot
}

const (
	defaultTimeout = 10 * time.Second
	maxTimeout     = 15 * time.Minute
)

// AccountID is the account in local functions' ARNs: no AWS account exists
// locally, but ARNs still need one.
const AccountID = "000000000000"

var functionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckFunctionName reports why name breaks Lambda's rule for function
// names, or returns nil.
func CheckFunctionName(name string) error {
	if !functionName.MatchString(name) {
		return fmt.Errorf("function name %q: want 1-64 letters, digits, - or _", name)
	}
	return nil
}

// Start launches c.Concurrency runtime processes and returns once every one
// has polled for its first invocation, that is when all cold starts are over.
// ctx bounds only that wait. A process that fails to initialise makes Start
// return an *InitError carrying the reason.
func Start(ctx context.Context, c Config) (*Function, error) {
	f, err := newFunction(c)
	if err != nil {
		return nil, err
	}
	ready := make(chan error, f.cfg.Concurrency)
	for range f.cfg.Concurrency {
		f.wg.Add(1)
		go f.supervise(ready)
	}
	for range f.cfg.Concurrency {
		select {
		case err := <-ready:
			if err != nil {
				f.Close()
				return nil, err
			}
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("start %s: %w", f.cfg.Binary, ctx.Err())
		}
	}
	return f, nil
}

func newFunction(c Config) (*Function, error) {
	if err := c.normalize(); err != nil {
		return nil, fmt.Errorf("lambdaruntime: %w", err)
	}
	f := &Function{
		cfg:   c,
		arn:   fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", c.Region, AccountID, c.FunctionName),
		queue: make(chan *invocation),
		out:   &sink{w: c.Logs},
	}
	f.life, f.end = context.WithCancel(context.Background())
	return f, nil
}

func (c *Config) normalize() error {
	if c.Binary == "" {
		return errors.New("no Binary given")
	}
	bin, err := filepath.Abs(c.Binary)
	if err != nil {
		return fmt.Errorf("binary %s: %w", c.Binary, err)
	}
	info, err := os.Stat(bin)
	if err != nil {
		return fmt.Errorf("binary: %w", err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("binary %s is not an executable file", bin)
	}
	c.Binary = bin
	for _, kv := range c.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("env entry %q is not KEY=value", kv)
		}
	}
	switch {
	case c.Concurrency < 0:
		return fmt.Errorf("concurrency %d is negative", c.Concurrency)
	case c.Concurrency == 0:
		c.Concurrency = 1
	}
	switch {
	case c.Timeout < 0 || c.Timeout > maxTimeout:
		return fmt.Errorf("timeout %v is outside Lambda's 0-%v", c.Timeout, maxTimeout)
	case c.Timeout == 0:
		c.Timeout = defaultTimeout
	}
	if c.FunctionName == "" {
		c.FunctionName = "function"
	}
	if c.Handler == "" {
		c.Handler = "bootstrap"
	}
	if err := CheckFunctionName(c.FunctionName); err != nil {
		return err
	}
	switch {
	case c.MemoryMB == 0:
		c.MemoryMB = 128
	case c.MemoryMB < 128 || c.MemoryMB > 10240:
		return fmt.Errorf("memory %d MB is outside Lambda's 128-10240", c.MemoryMB)
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Logs == nil {
		c.Logs = io.Discard
	}
	return nil
}

// Invoke runs one invocation on the next idle process, waiting for one as
// long as ctx allows. The payload goes to the function byte for byte, as the
// Runtime API delivers it. A function that fails, panics, crashes or runs
// past Timeout yields a Result with FunctionError "Unhandled", not an error;
// Invoke's errors are ctx's, ErrClosed and ErrPayloadTooLarge. A ctx that
// ends while the function runs abandons the result but, as in Lambda, not
// the invocation.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Result, error) {
	if len(payload) > maxPayload {
		return Result{}, ErrPayloadTooLarge
	}
	inv := newInvocation(payload)
	select {
	case f.queue <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-f.life.Done():
		return Result{}, ErrClosed
	}
	select {
	case o := <-inv.done:
		return o.result, o.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Close stops every process (SIGTERM, then SIGKILL after a grace period) and
// returns once all have exited. Invocations in progress or waiting end with
// ErrClosed. Close always returns nil; it satisfies io.Closer.
func (f *Function) Close() error {
	f.end()
	f.wg.Wait()
	return nil
}

// supervise keeps one process slot alive: it reports the first cold start on
// ready, then replaces the process whenever it exits, as Lambda replaces an
// execution environment after a crash or a timeout.
func (f *Function) supervise(ready chan<- error) {
	defer f.wg.Done()
	p, err := f.launch(f.life, nil)
	ready <- err
	if err != nil {
		return
	}
	for {
		select {
		case <-p.exited:
		case <-f.life.Done():
			p.stop()
			return
		}
		var first *invocation
		for {
			if p, err = f.launch(f.life, first); err == nil {
				break
			}
			if first != nil {
				first.finish(f.initFailure(first.id, err))
			}
			// Like Lambda, initialise again only when an invocation needs
			// it, and let that invocation bear a failure: a function that
			// cannot start fails its callers instead of spinning.
			select {
			case first = <-f.queue:
			case <-f.life.Done():
				return
			}
		}
	}
}

// initFailure is the outcome of an invocation that needed an execution
// environment that could not initialise.
func (f *Function) initFailure(id string, err error) (Result, error) {
	var ie *InitError
	switch {
	case f.life.Err() != nil:
		return Result{}, ErrClosed
	case errors.As(err, &ie):
		return requestError(id, ie.Type, ie.Message), nil
	}
	return Result{}, err
}
