package lambdaruntime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// unhandled is Lambda's X-Amz-Function-Error for every error the function
// did not return as a regular response.
const unhandled = "Unhandled"

type invocation struct {
	id      string
	traceID string
	payload []byte
	once    sync.Once
	done    chan outcome // buffered: finishing never waits for the caller
}

type outcome struct {
	result Result
	err    error
}

func newInvocation(payload []byte) *invocation {
	return &invocation{
		id:      NewRequestID(),
		traceID: newTraceID(time.Now()),
		// The caller may reuse its slice once it stops waiting, while the
		// invocation is still being served.
		payload: bytes.Clone(payload),
		done:    make(chan outcome, 1),
	}
}

// finish records the first way an invocation ended; a response racing a
// deadline or a crash loses silently.
func (inv *invocation) finish(r Result, err error) {
	inv.once.Do(func() { inv.done <- outcome{r, err} })
}

// errorDoc is Lambda's error document, on the Runtime API and in Invoke
// results.
type errorDoc struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func errorDocument(errorType, message string) []byte {
	doc, _ := json.Marshal(errorDoc{ErrorType: errorType, ErrorMessage: message}) // strings always marshal
	return doc
}

// errorResult is an error Lambda reports itself, worded as the service words it.
func errorResult(id, errorType, message string) Result {
	return Result{RequestID: id, Payload: errorDocument(errorType, message), FunctionError: unhandled}
}

// requestError is an errorResult whose message names the request, as
// Lambda's messages for timeouts, crashes and failed inits do.
func requestError(id, errorType, message string) Result {
	return errorResult(id, errorType, "RequestId: "+id+" Error: "+message)
}

func timeoutResult(id string, timeout time.Duration) Result {
	return requestError(id, "Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds()))
}

func exitResult(id string, err error) Result {
	return requestError(id, "Runtime.ExitError", exitMessage(err))
}

func exitMessage(err error) string {
	if err == nil {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + err.Error()
}

// NewRequestID returns a request id in the form Lambda uses, a random
// (version 4) UUID.
func NewRequestID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand never fails on supported platforms
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID returns an X-Ray trace header in the form Lambda passes it.
func newTraceID(now time.Time) string {
	var root [12]byte
	var parent [8]byte
	_, _ = rand.Read(root[:])
	_, _ = rand.Read(parent[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", now.Unix(), root, parent)
}
