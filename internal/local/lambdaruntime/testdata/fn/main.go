// Command fn is the Lambda function lambdaruntime's tests run. It uses
// aws-lambda-go's own runtime client, so the tests check the Runtime API
// against the real thing; each event names what the function should do.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Action  string `json:"action"`
	SleepMS int    `json:"sleep_ms"`
	N       int    `json:"n"`
}

// identity tells a test which process served it and what it was told.
type identity struct {
	N           int               `json:"n"`
	PID         int               `json:"pid"`
	RequestID   string            `json:"request_id"`
	FunctionARN string            `json:"function_arn"`
	DeadlineMS  int64             `json:"deadline_ms"`
	TraceID     string            `json:"trace_id"`
	Env         map[string]string `json:"env"`
}

// failingReader is a response stream that breaks, which aws-lambda-go
// reports in HTTP trailers.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("stream broke") }

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var e event
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	time.Sleep(time.Duration(e.SleepMS) * time.Millisecond)
	switch e.Action {
	case "echo":
		return bytes.NewReader(raw), nil // byte for byte, not re-encoded
	case "whoami":
		return whoami(ctx, e.N), nil
	case "log":
		// Each line in two writes, so that lines of concurrent processes
		// would mix if the runtime passed output on as it comes.
		fmt.Print(`{"msg":`)
		time.Sleep(time.Millisecond)
		fmt.Println(`"line one"}`)
		fmt.Fprint(os.Stderr, `{"msg":`)
		time.Sleep(time.Millisecond)
		fmt.Fprintln(os.Stderr, `"line two"}`)
		return "logged", nil
	case "error":
		return nil, errors.New("requested failure")
	case "panic":
		panic("requested panic")
	case "exit":
		os.Exit(3)
	case "stream-error":
		return failingReader{}, nil
	}
	return nil, fmt.Errorf("unknown action %q", e.Action)
}

func whoami(ctx context.Context, n int) identity {
	id := identity{N: n, PID: os.Getpid(), Env: map[string]string{}}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		id.RequestID = lc.AwsRequestID
		id.FunctionARN = lc.InvokedFunctionArn
	}
	if d, ok := ctx.Deadline(); ok {
		id.DeadlineMS = d.UnixMilli()
	}
	id.TraceID, _ = ctx.Value("x-amzn-trace-id").(string)
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); k != "AWS_LAMBDA_RUNTIME_API" {
			id.Env[k] = v
		}
	}
	return id
}

// reportInitError posts to /runtime/init/error and then, unlike a
// well-behaved runtime, stays up: Lambda ends the environment regardless.
func reportInitError() {
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"errorMessage":"FN_SETTING is not set","errorType":"ConfigError"}`))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Function.ConfigError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report init error:", err)
		os.Exit(2)
	}
	resp.Body.Close()
	fmt.Fprintln(os.Stderr, "init error reported:", resp.Status)
	select {}
}

func main() {
	if marker := os.Getenv("FN_BROKEN_IF"); marker != "" {
		if _, err := os.Stat(marker); err == nil {
			fmt.Fprintln(os.Stderr, "broken: marker", marker, "exists")
			os.Exit(1)
		}
	}
	switch os.Getenv("FN_INIT") {
	case "exit":
		fmt.Fprintln(os.Stderr, "FN_SETTING is not set")
		os.Exit(1)
	case "report":
		reportInitError()
	}
	lambda.Start(handle)
}
