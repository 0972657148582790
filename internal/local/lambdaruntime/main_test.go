package lambdaruntime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime/fntest"
)

// bootstrap is testdata/fn, built once the way the deployed function is.
var bootstrap string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	bin, cleanup, err := fntest.Build(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	bootstrap = bin
	return m.Run()
}

func start(tb testing.TB, c lambdaruntime.Config) *lambdaruntime.Function {
	tb.Helper()
	c.Binary = bootstrap
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := lambdaruntime.Start(ctx, c)
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func invoke(tb testing.TB, f *lambdaruntime.Function, payload string) lambdaruntime.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(payload))
	if err != nil {
		tb.Fatalf("Invoke(%s): %v", payload, err)
	}
	return res
}

// invokeAll runs the invocations concurrently and returns their results in
// order; failed calls are reported and leave a zero Result.
func invokeAll(t *testing.T, f *lambdaruntime.Function, payloads []string) []lambdaruntime.Result {
	t.Helper()
	results := make([]lambdaruntime.Result, len(payloads))
	var wg sync.WaitGroup
	for i, payload := range payloads {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := f.Invoke(ctx, []byte(payload))
			if err != nil {
				t.Errorf("Invoke(%s): %v", payload, err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	return results
}

// identity mirrors what testdata/fn's whoami action returns.
type identity struct {
	N           int               `json:"n"`
	PID         int               `json:"pid"`
	RequestID   string            `json:"request_id"`
	FunctionARN string            `json:"function_arn"`
	DeadlineMS  int64             `json:"deadline_ms"`
	TraceID     string            `json:"trace_id"`
	Env         map[string]string `json:"env"`
}

func whoami(tb testing.TB, res lambdaruntime.Result) identity {
	tb.Helper()
	if res.FunctionError != "" {
		tb.Fatalf("whoami failed: %s %s", res.FunctionError, res.Payload)
	}
	var id identity
	if err := json.Unmarshal(res.Payload, &id); err != nil {
		tb.Fatalf("whoami payload %s: %v", res.Payload, err)
	}
	return id
}

// errorDoc is Lambda's error document, as aws-lambda-go and the service write it.
type errorDoc struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
	StackTrace   []any  `json:"stackTrace"`
}

func functionError(tb testing.TB, res lambdaruntime.Result) errorDoc {
	tb.Helper()
	if res.FunctionError != "Unhandled" {
		tb.Fatalf("FunctionError = %q, want Unhandled (payload %s)", res.FunctionError, res.Payload)
	}
	var doc errorDoc
	if err := json.Unmarshal(res.Payload, &doc); err != nil {
		tb.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return doc
}
