package lambdaruntime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestInvokeDeliversPayloadByteForByte(t *testing.T) {
	f := start(t, lambdaruntime.Config{})
	seen := map[string]bool{}
	for _, payload := range []string{
		`{"action":"echo"}`,
		`{ "action" : "echo", "text": "h\u00e9llo ☃", "nested": {"list": [1, 2.5, null]} }`,
	} {
		res := invoke(t, f, payload)
		if res.FunctionError != "" || string(res.Payload) != payload {
			t.Errorf("echo %s = %s (%q)", payload, res.Payload, res.FunctionError)
		}
		if !uuidV4.MatchString(res.RequestID) || seen[res.RequestID] {
			t.Errorf("request id %q: want a fresh UUID", res.RequestID)
		}
		seen[res.RequestID] = true
	}
}

func TestFunctionSeesLambdaContextAndEnvironment(t *testing.T) {
	t.Setenv("LAMBDARUNTIME_HOST_ONLY", "must not leak")
	f := start(t, lambdaruntime.Config{
		FunctionName: "pwgen",
		Handler:      "retrieve",
		Region:       "eu-west-1",
		MemoryMB:     256,
		Timeout:      7 * time.Second,
		Env:          []string{"BUCKET_NAME=bucket", "AWS_LAMBDA_LOG_LEVEL=DEBUG"},
	})
	before := time.Now()
	res := invoke(t, f, `{"action":"whoami"}`)
	after := time.Now()
	id := whoami(t, res)

	if id.RequestID != res.RequestID {
		t.Errorf("function saw request id %q, caller got %q", id.RequestID, res.RequestID)
	}
	if want := "arn:aws:lambda:eu-west-1:000000000000:function:pwgen"; id.FunctionARN != want {
		t.Errorf("function ARN = %q, want %q", id.FunctionARN, want)
	}
	if lo, hi := before.Add(7*time.Second).UnixMilli()-1, after.Add(7*time.Second).UnixMilli(); id.DeadlineMS < lo || id.DeadlineMS > hi {
		t.Errorf("deadline %d ms, want within [%d, %d]: invocation start + Timeout", id.DeadlineMS, lo, hi)
	}
	if !strings.HasPrefix(id.TraceID, "Root=1-") {
		t.Errorf("trace id = %q, want an X-Ray header", id.TraceID)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "pwgen",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_LEVEL":            "DEBUG", // the function's Env wins over the default
		"BUCKET_NAME":                     "bucket",
		"TZ":                              ":UTC",
		"_HANDLER":                        "retrieve",
		"LAMBDA_TASK_ROOT":                filepath.Dir(bootstrap),
	}
	for k, v := range want {
		if got, ok := id.Env[k]; !ok || got != v {
			t.Errorf("env %s = %q (set: %v), want %q", k, got, ok, v)
		}
	}
	for _, k := range []string{"LAMBDARUNTIME_HOST_ONLY", "HOME"} {
		if _, ok := id.Env[k]; ok {
			t.Errorf("host variable %s leaked into the function's environment", k)
		}
	}
}

func TestFunctionFailuresAreUnhandledResults(t *testing.T) {
	tests := []struct {
		action      string
		wantType    string
		wantMessage string // a substring
	}{
		{"error", "errorString", "requested failure"},
		{"panic", "string", "requested panic"},
		{"exit", "Runtime.ExitError", "Error: Runtime exited with error: exit status 3"},
		{"stream-error", "errorString", "stream broke"},
	}
	f := start(t, lambdaruntime.Config{})
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			res := invoke(t, f, `{"action":"`+tt.action+`"}`)
			doc := functionError(t, res)
			if doc.ErrorType != tt.wantType || !strings.Contains(doc.ErrorMessage, tt.wantMessage) {
				t.Errorf("error = %s: %q, want %s containing %q", doc.ErrorType, doc.ErrorMessage, tt.wantType, tt.wantMessage)
			}
			// Whether the process survived or was replaced, the function
			// keeps answering.
			if next := invoke(t, f, `{"action":"echo"}`); next.FunctionError != "" {
				t.Errorf("invocation after %s failed: %s", tt.action, next.Payload)
			}
		})
	}
}

func TestFailedReinitFailsOnlyTheInvocationThatNeededIt(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "broken")
	f := start(t, lambdaruntime.Config{Env: []string{"FN_BROKEN_IF=" + marker}})
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	functionError(t, invoke(t, f, `{"action":"exit"}`)) // the replacement cannot start now

	res := invoke(t, f, `{"action":"echo"}`)
	want := "RequestId: " + res.RequestID + " Error: Runtime exited with error: exit status 1"
	if doc := functionError(t, res); doc.ErrorType != "Runtime.ExitError" || doc.ErrorMessage != want {
		t.Errorf("invocation needing a failed init = %s: %q, want Runtime.ExitError: %q", doc.ErrorType, doc.ErrorMessage, want)
	}

	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	if res := invoke(t, f, `{"action":"echo"}`); res.FunctionError != "" {
		t.Errorf("invocation after the function was repaired: %s", res.Payload)
	}
}

func TestCrashNamesTheRequest(t *testing.T) {
	f := start(t, lambdaruntime.Config{})
	res := invoke(t, f, `{"action":"exit"}`)
	if doc := functionError(t, res); !strings.HasPrefix(doc.ErrorMessage, "RequestId: "+res.RequestID+" ") {
		t.Errorf("message %q does not name request %s", doc.ErrorMessage, res.RequestID)
	}
}

func TestTimeoutEndsInvocationAndReplacesProcess(t *testing.T) {
	f := start(t, lambdaruntime.Config{Timeout: 300 * time.Millisecond})
	first := whoami(t, invoke(t, f, `{"action":"whoami"}`))

	// Were the deadline not enforced, the caller's context would end first.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(`{"action":"whoami","sleep_ms":60000}`))
	if err != nil {
		t.Fatalf("Invoke past the deadline: %v, want a timeout result", err)
	}
	doc := functionError(t, res)
	wantMsg := "RequestId: " + res.RequestID + " Error: Task timed out after 0.30 seconds"
	if doc.ErrorType != "Sandbox.Timedout" || doc.ErrorMessage != wantMsg {
		t.Errorf("timeout result = %s: %q, want Sandbox.Timedout: %q", doc.ErrorType, doc.ErrorMessage, wantMsg)
	}

	second := whoami(t, invoke(t, f, `{"action":"whoami"}`))
	if second.PID == first.PID {
		t.Errorf("process %d still serves after its invocation timed out", first.PID)
	}
	if alive(first.PID) {
		t.Errorf("timed-out process %d is still running", first.PID)
	}
}

func TestPoolServesConcurrentInvocationsExactlyOnce(t *testing.T) {
	const processes, invocations = 4, 64
	f := start(t, lambdaruntime.Config{Concurrency: processes})

	payloads := make([]string, invocations)
	for i := range payloads {
		payloads[i] = fmt.Sprintf(`{"action":"whoami","n":%d,"sleep_ms":20}`, i)
	}
	results := invokeAll(t, f, payloads)

	pids := map[int]bool{}
	ids := map[string]bool{}
	for i, res := range results {
		id := whoami(t, res)
		if id.N != i {
			t.Errorf("invocation %d answered with the result of %d", i, id.N)
		}
		if ids[id.RequestID] {
			t.Errorf("request id %s served twice", id.RequestID)
		}
		ids[id.RequestID] = true
		pids[id.PID] = true
	}
	if len(pids) != processes {
		t.Errorf("%d invocations ran on %d processes, want all %d", invocations, len(pids), processes)
	}
}

func TestCloseStopsEveryProcess(t *testing.T) {
	const processes = 3
	f := start(t, lambdaruntime.Config{Concurrency: processes})

	// Invocations that overlap in time run on distinct processes.
	var pids []int
	for _, res := range invokeAll(t, f, slices.Repeat([]string{`{"action":"whoami","sleep_ms":300}`}, processes)) {
		pids = append(pids, whoami(t, res).PID)
	}

	inFlight := make(chan error, 1)
	go func() {
		_, err := f.Invoke(context.Background(), []byte(`{"action":"echo","sleep_ms":60000}`))
		inFlight <- err
	}()
	time.Sleep(100 * time.Millisecond) // let a process take it
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := <-inFlight; !errors.Is(err, lambdaruntime.ErrClosed) {
		t.Errorf("in-flight Invoke = %v, want ErrClosed", err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	if _, err := f.Invoke(context.Background(), []byte(`{"action":"echo"}`)); !errors.Is(err, lambdaruntime.ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
}

// alive reports whether pid still exists, reaped or not (a zombie counts).
func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

func TestInitErrorsFailStart(t *testing.T) {
	tests := []struct {
		name        string
		init        string
		wantType    string
		wantMessage string
		wantOutput  string
	}{
		{
			name:        "exit before polling",
			init:        "exit",
			wantType:    "Runtime.ExitError",
			wantMessage: "Runtime exited with error: exit status 1",
			wantOutput:  "FN_SETTING is not set",
		},
		{
			name:        "reported to /runtime/init/error",
			init:        "report",
			wantType:    "Function.ConfigError",
			wantMessage: "FN_SETTING is not set",
			wantOutput:  "init error reported: 202 Accepted",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			f, err := lambdaruntime.Start(ctx, lambdaruntime.Config{
				Binary:      bootstrap,
				Concurrency: 2,
				Env:         []string{"FN_INIT=" + tt.init},
			})
			if err == nil {
				f.Close()
				t.Fatal("Start succeeded with a function that cannot initialise")
			}
			var ie *lambdaruntime.InitError
			if !errors.As(err, &ie) {
				t.Fatalf("Start error = %v, want an *InitError", err)
			}
			if ie.Type != tt.wantType || ie.Message != tt.wantMessage || !strings.Contains(ie.Output, tt.wantOutput) {
				t.Errorf("InitError = %+v, want type %q, message %q, output containing %q", ie, tt.wantType, tt.wantMessage, tt.wantOutput)
			}
		})
	}
}

func TestLogsArriveAsWholeLines(t *testing.T) {
	const invocations = 40
	// A plain buffer: the function must serialise the processes' writes
	// itself (-race would catch it if not), and it is read after Close.
	var logs bytes.Buffer
	f := start(t, lambdaruntime.Config{Concurrency: 4, Logs: &logs})
	invokeAll(t, f, slices.Repeat([]string{`{"action":"log"}`}, invocations))
	f.Close()

	counts := map[string]int{}
	for line := range strings.Lines(logs.String()) {
		var entry struct{ Msg string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("log line %q is not one JSON object: lines of processes mixed", line)
			continue
		}
		counts[entry.Msg]++
	}
	// testdata/fn writes each line in two pieces, one to stdout, one to stderr.
	for _, msg := range []string{"line one", "line two"} {
		if counts[msg] != invocations {
			t.Errorf("%q logged %d times, want %d", msg, counts[msg], invocations)
		}
	}
}

func TestInvokeRejectsOversizedPayload(t *testing.T) {
	f := start(t, lambdaruntime.Config{})
	payload := make([]byte, 6<<20+1)
	if _, err := f.Invoke(context.Background(), payload); !errors.Is(err, lambdaruntime.ErrPayloadTooLarge) {
		t.Errorf("Invoke(6 MiB + 1) = %v, want ErrPayloadTooLarge", err)
	}
}

func TestStartRejectsInvalidConfig(t *testing.T) {
	notExecutable := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		config  lambdaruntime.Config
		wantErr string
	}{
		{"no binary", lambdaruntime.Config{}, "no Binary"},
		{"missing binary", lambdaruntime.Config{Binary: filepath.Join(t.TempDir(), "absent")}, "no such file"},
		{"not executable", lambdaruntime.Config{Binary: notExecutable}, "not an executable"},
		{"directory", lambdaruntime.Config{Binary: t.TempDir()}, "not an executable"},
		{"negative concurrency", lambdaruntime.Config{Binary: bootstrap, Concurrency: -1}, "concurrency"},
		{"timeout beyond Lambda's", lambdaruntime.Config{Binary: bootstrap, Timeout: 16 * time.Minute}, "timeout"},
		{"function name", lambdaruntime.Config{Binary: bootstrap, FunctionName: "my function"}, "function name"},
		{"memory", lambdaruntime.Config{Binary: bootstrap, MemoryMB: 64}, "memory"},
		{"env entry", lambdaruntime.Config{Binary: bootstrap, Env: []string{"BUCKET_NAME"}}, "BUCKET_NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := lambdaruntime.Start(context.Background(), tt.config)
			if err == nil {
				f.Close()
				t.Fatal("Start accepted the config")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Start error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
