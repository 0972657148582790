package lambdaruntime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The Runtime API as aws-lambda-go's client and Lambda's emulator speak it:
// posts are answered 202 {"status":"OK"}; a post for an invocation other
// than the current one 400 InvalidRequestID; a post with no invocation in
// progress, or an init error after init, 403 InvalidStateTransition.
const (
	apiPrefix = "/2018-06-01/runtime"

	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	// The error type comes as a header with an error, and as a trailer,
	// together with the error body, when a response stream fails midway.
	headerErrorType  = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"

	// maxPayload is Lambda's limit on a synchronous request and response.
	maxPayload = 6 << 20
)

func (p *process) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", p.next)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", p.response)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", p.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", p.initError)
	return mux
}

// next is the long poll by which a runtime asks for work; the first one ends
// the cold start.
func (p *process) next(w http.ResponseWriter, r *http.Request) {
	if closed(p.initFailed) {
		writeError(w, http.StatusForbidden, "InvalidStateTransition", "init has failed")
		return
	}
	p.pollOnce.Do(func() {
		p.coldStart = time.Since(p.started)
		close(p.polled)
	})
	p.mu.Lock()
	busy := p.current != nil
	p.mu.Unlock()
	if busy {
		writeError(w, http.StatusForbidden, "InvalidStateTransition", "the current invocation has no response or error yet")
		return
	}
	inv := p.nextInvocation(r.Context())
	if inv == nil {
		return
	}
	deadline := time.Now().Add(p.f.cfg.Timeout)
	if !p.assign(inv, deadline) {
		return
	}
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, p.f.arn)
	h.Set(headerTraceID, inv.traceID)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	// A runtime that cannot read its event will time out or exit, and
	// the deadline or the exit ends the invocation.
	_, _ = w.Write(inv.payload)
}

// nextInvocation waits for work as long as the runtime keeps polling.
func (p *process) nextInvocation(ctx context.Context) *invocation {
	p.mu.Lock()
	inv := p.first
	p.first = nil
	p.mu.Unlock()
	if inv != nil {
		return inv
	}
	select {
	case inv = <-p.f.queue:
		return inv
	case <-ctx.Done():
		return nil
	}
}

func (p *process) response(w http.ResponseWriter, r *http.Request) {
	p.complete(w, r, func(body []byte) Result {
		if typ := r.Trailer.Get(headerErrorType); typ != "" {
			doc, err := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody))
			if err != nil || len(doc) == 0 {
				doc = errorDocument(typ, "")
			}
			return Result{Payload: doc, FunctionError: unhandled}
		}
		return Result{Payload: body}
	})
}

func (p *process) invocationError(w http.ResponseWriter, r *http.Request) {
	p.complete(w, r, func(body []byte) Result {
		if len(body) == 0 {
			// Lambda builds the error from the header when there is no body.
			body = errorDocument(r.Header.Get(headerErrorType), "")
		}
		return Result{Payload: body, FunctionError: unhandled}
	})
}

// complete ends the current invocation with the result built from the
// posted body.
func (p *process) complete(w http.ResponseWriter, r *http.Request, result func(body []byte) Result) {
	id := r.PathValue("id")
	p.mu.Lock()
	current := p.current
	p.mu.Unlock()
	switch {
	case current == nil:
		writeError(w, http.StatusForbidden, "InvalidStateTransition", "no invocation is in progress")
		return
	case current.id != id:
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "reading the body: "+err.Error())
		return
	}
	tooLarge := len(body) > maxPayload
	var res Result
	if tooLarge {
		msg := fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxPayload)
		res = errorResult(id, "Function.ResponseSizeTooLarge", msg)
	} else {
		res = result(body)
		res.RequestID = id
	}

	inv := p.take(id)
	if inv == nil { // the deadline passed while the body was read
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	inv.finish(res, nil)
	if tooLarge {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", maxPayload))
		return
	}
	writeAccepted(w)
}

// initError records a runtime's report that it cannot initialise; launch
// then ends the process, as Lambda ends the execution environment.
func (p *process) initError(w http.ResponseWriter, r *http.Request) {
	if closed(p.polled) {
		writeError(w, http.StatusForbidden, "InvalidStateTransition", "init has already completed")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "reading the body: "+err.Error())
		return
	}
	e := &InitError{Type: r.Header.Get(headerErrorType), Message: string(body)}
	var doc errorDoc
	if json.Unmarshal(body, &doc) == nil {
		e.Message = doc.ErrorMessage
		if e.Type == "" {
			e.Type = doc.ErrorType
		}
	}
	if e.Type == "" {
		e.Type = "Runtime.Unknown"
	}
	reported := false
	p.initOnce.Do(func() {
		p.initErr = e
		close(p.initFailed)
		reported = true
	})
	if !reported {
		writeError(w, http.StatusForbidden, "InvalidStateTransition", "init error already reported")
		return
	}
	writeAccepted(w)
}

func writeAccepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"OK"})
}

func writeError(w http.ResponseWriter, status int, errorType, message string) {
	writeJSON(w, status, errorDoc{ErrorType: errorType, ErrorMessage: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // plain structs of strings always marshal
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
