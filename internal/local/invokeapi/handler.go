// Package invokeapi serves Lambda's Invoke API,
// POST /2015-03-31/functions/{FunctionName}/invocations, in front of
// functions that lambdaruntime runs on this machine, so that `aws lambda
// invoke --endpoint-url ...` and the SDKs reach a local function exactly as
// they reach the deployed one.
//
// What a caller can observe follows the service: the function's response
// with X-Amz-Executed-Version, a function error as 200 with
// X-Amz-Function-Error, the invocation types RequestResponse (200), Event
// (202, run in the background) and DryRun (204, not run), and the service's
// errors with their status, x-amzn-ErrorType and {"Type", "message"} body:
// ResourceNotFoundException for an unknown function or qualifier,
// InvalidRequestContentException for a payload that is not JSON (answered
// before the function runs), RequestEntityTooLargeException past 6 MB
// (1 MB for Event). The function may be named by name, partial ARN or ARN,
// with the $LATEST qualifier or none.
//
// Where the local API departs from the service:
//   - Requests are not authenticated; serve it on the loopback interface.
//   - An Event invocation that fails is logged, not retried, and has no
//     destinations; its x-amzn-RequestId is not the id the function sees,
//     which lambdaruntime assigns when the invocation starts.
//   - X-Amz-Log-Type: Tail is refused with 501: the function's log goes to
//     the lambdaruntime log writer instead. X-Amz-Client-Context is not
//     passed on.
package invokeapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// Invoker runs one invocation; *lambdaruntime.Function is one.
type Invoker = lambdaruntime.Invoker

// Config describes what the API serves.
type Config struct {
	// Region appears in ARNs; an ARN naming another region is not found.
	// Default us-east-1, as in lambdaruntime.
	Region string
	// Functions maps function names to the functions that serve them.
	Functions map[string]Invoker
	// Log receives one line per request: function, invocation type,
	// request id, status and duration, never the payload. Nil discards.
	Log *slog.Logger
}

// Handler is the Invoke API as an http.Handler.
type Handler struct {
	region    string
	functions map[string]Invoker
	log       *slog.Logger
	mux       *http.ServeMux

	mu     sync.Mutex // guards closed against async.Add racing Close's Wait
	closed bool
	async  sync.WaitGroup // Event invocations still running
}

// New returns a Handler serving c.Functions.
func New(c Config) (*Handler, error) {
	if len(c.Functions) == 0 {
		return nil, errors.New("invokeapi: no functions to serve")
	}
	for name, fn := range c.Functions {
		if err := lambdaruntime.CheckFunctionName(name); err != nil {
			return nil, fmt.Errorf("invokeapi: %w", err)
		}
		if fn == nil {
			return nil, fmt.Errorf("invokeapi: function %s is nil", name)
		}
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{region: c.Region, functions: c.Functions, log: c.Log, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", h.invoke)
	h.mux.HandleFunc("/", h.unknownOperation)
	return h, nil
}

// ServeHTTP answers Invoke requests; any other request gets 404
// UnknownOperationException naming the one operation served.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Close refuses further invocations and returns once every accepted Event
// invocation has finished, so that none is lost or outlives the functions,
// which the caller closes next. It always returns nil.
func (h *Handler) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.async.Wait()
	return nil
}

// invoke serves one Invoke request.
func (h *Handler) invoke(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, apiErr := h.parse(r)
	if apiErr != nil {
		id := lambdaruntime.NewRequestID()
		apiErr.write(w, id)
		h.logRequest(req, id, apiErr.status, "", start)
		return
	}
	switch req.invocationType {
	case dryRun:
		id := lambdaruntime.NewRequestID()
		setHeader(w, "x-amzn-RequestId", id)
		w.WriteHeader(http.StatusNoContent)
		h.logRequest(req, id, http.StatusNoContent, "", start)
	case event:
		h.invokeAsync(w, r, req, start)
	default:
		h.invokeSync(w, r, req, start)
	}
}

func (h *Handler) invokeSync(w http.ResponseWriter, r *http.Request, req *request, start time.Time) {
	res, err := req.fn.Invoke(r.Context(), req.payload)
	if err != nil {
		if r.Context().Err() != nil {
			// The caller hung up; as in Lambda the invocation runs on.
			h.log.Info("caller went away", "function", req.name, "error", err.Error())
			return
		}
		apiErr := invokeError(err)
		id := lambdaruntime.NewRequestID()
		apiErr.write(w, id)
		h.logRequest(req, id, apiErr.status, "", start)
		return
	}
	setHeader(w, "Content-Type", "application/json")
	setHeader(w, "x-amzn-RequestId", res.RequestID)
	setHeader(w, "X-Amz-Executed-Version", latest)
	if res.FunctionError != "" {
		setHeader(w, "X-Amz-Function-Error", res.FunctionError)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload) // a caller that went away has nothing left to tell
	h.logRequest(req, res.RequestID, http.StatusOK, res.FunctionError, start)
}

// invokeAsync accepts an Event invocation and runs it in the background.
func (h *Handler) invokeAsync(w http.ResponseWriter, r *http.Request, req *request, start time.Time) {
	id := lambdaruntime.NewRequestID()
	if !h.startAsync() {
		errClosing.write(w, id)
		h.logRequest(req, id, errClosing.status, "", start)
		return
	}
	// The request's context ends with the response; the invocation must not.
	ctx := context.WithoutCancel(r.Context())
	go func() {
		defer h.async.Done()
		res, err := req.fn.Invoke(ctx, req.payload)
		if err != nil {
			h.log.Error("event invocation not run", "function", req.name, "request_id", id, "error", err.Error())
			return
		}
		// The outcome's details are in the function's own log, under
		// the request id it was given; nothing of the payload is logged here.
		h.log.Info("event invocation done", "function", req.name, "request_id", id,
			"function_request_id", res.RequestID, "function_error", res.FunctionError,
			"duration", time.Since(start).Round(time.Millisecond).String())
	}()
	setHeader(w, "x-amzn-RequestId", id)
	w.WriteHeader(http.StatusAccepted)
	h.logRequest(req, id, http.StatusAccepted, "", start)
}

func (h *Handler) startAsync() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.async.Add(1)
	return true
}

func (h *Handler) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// unknownOperation answers every request but Invoke, such as another Lambda
// API operation the CLI was pointed at.
func (h *Handler) unknownOperation(w http.ResponseWriter, r *http.Request) {
	e := &apiError{
		status:  http.StatusNotFound,
		code:    "UnknownOperationException",
		typ:     userError,
		message: fmt.Sprintf("%s %s: this endpoint serves only Lambda's Invoke operation, POST /2015-03-31/functions/{FunctionName}/invocations", r.Method, r.URL.Path),
	}
	e.write(w, lambdaruntime.NewRequestID())
}

func (h *Handler) logRequest(req *request, id string, status int, functionError string, start time.Time) {
	attrs := []any{"function", req.name, "invocation_type", string(req.invocationType), "request_id", id, "status", status}
	if functionError != "" {
		attrs = append(attrs, "function_error", functionError)
	}
	attrs = append(attrs, "duration", time.Since(start).Round(time.Millisecond).String())
	h.log.Info("invoke", attrs...)
}
