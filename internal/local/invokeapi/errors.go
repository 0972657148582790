package invokeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// Values of an error body's Type: who is at fault.
const (
	userError    = "User"
	serviceError = "Service"
)

// apiError is an error the service answers itself, before or instead of
// the function: a status, the error code in x-amzn-ErrorType (which the CLI
// and SDKs report) and the body {"Type": ..., "message": ...}.
type apiError struct {
	status  int
	code    string
	typ     string
	message string
}

// errClosing answers requests that arrive while the API shuts down.
var errClosing = &apiError{status: http.StatusInternalServerError, code: "ServiceException", typ: serviceError,
	message: "the local Lambda service is shutting down"}

func validationError(member, value, constraint string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationException", typ: userError,
		message: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)}
}

// invokeError is the service's answer when the function could not be run.
func invokeError(err error) *apiError {
	switch {
	case errors.Is(err, lambdaruntime.ErrPayloadTooLarge):
		return tooLarge(maxSyncPayload)
	case errors.Is(err, lambdaruntime.ErrClosed):
		return errClosing
	}
	return &apiError{status: http.StatusInternalServerError, code: "ServiceException", typ: serviceError,
		message: "the function could not be run: " + err.Error()}
}

func (e *apiError) write(w http.ResponseWriter, requestID string) {
	body, _ := json.Marshal(struct { // strings always marshal
		Type    string `json:"Type"`
		Message string `json:"message"`
	}{e.typ, e.message})
	setHeader(w, "Content-Type", "application/json")
	setHeader(w, "x-amzn-RequestId", requestID)
	setHeader(w, "x-amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// setHeader keeps the service's spelling of header names, which Header.Set
// would canonicalise (x-amzn-RequestId to X-Amzn-Requestid): HTTP does not
// care, but people comparing `curl -i` output with the service do.
func setHeader(w http.ResponseWriter, name, value string) {
	w.Header()[name] = []string{value}
}
