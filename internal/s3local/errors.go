package s3local

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
)

// apiError is an error S3 would answer with: clients branch on Status and
// Code, so both follow S3's documented values.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Condition names the failed precondition header of a 412, as S3 does.
	Condition string
	// header is sent with the error, e.g. x-amz-delete-marker on a 404.
	header http.Header
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errNoSuchBucket() *apiError {
	return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
}

func errNoSuchKey() *apiError {
	return newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

func errNoSuchVersion() *apiError {
	return newError(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.")
}

func errPreconditionFailed(condition string) *apiError {
	e := newError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	e.Condition = condition
	return e
}

func errInvalidArgument(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "InvalidArgument", format, args...)
}

func errInvalidRequest(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "InvalidRequest", format, args...)
}

func errNotImplemented(format string, args ...any) *apiError {
	return newError(http.StatusNotImplemented, "NotImplemented", format, args...)
}

// errUnsupportedHeader is S3's own answer to a header it does not support.
func errUnsupportedHeader(name string) *apiError {
	return errNotImplemented("A header you provided implies functionality that is not implemented: %s", name)
}

func errIncompleteBody() *apiError {
	return newError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

// withDeleteMarker adds the headers S3 sends when the addressed version is a
// delete marker, so clients can tell "deleted" from "never existed".
func (e *apiError) withDeleteMarker(versionID string) *apiError {
	e.header = http.Header{}
	e.header.Set("x-amz-delete-marker", "true")
	e.header.Set("x-amz-version-id", versionID)
	return e
}

// errorBody is S3's error document.
type errorBody struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string
	Message    string
	Condition  string `xml:",omitempty"`
	BucketName string `xml:",omitempty"`
	Key        string `xml:",omitempty"`
	RequestID  string `xml:"RequestId"`
}

// writeError answers err as S3 would. Anything that is not an apiError is a
// fault of this store (usually the file system), reported as S3's
// InternalError with the cause, which on a development machine is more useful
// than hiding it.
func writeError(w http.ResponseWriter, r *http.Request, err error, bucket, key string) {
	var e *apiError
	if !errors.As(err, &e) {
		e = newError(http.StatusInternalServerError, "InternalError", "We encountered an internal error: %v", err)
	}
	for name, values := range e.header {
		w.Header()[name] = values
	}
	body := errorBody{
		Code:       e.Code,
		Message:    e.Message,
		Condition:  e.Condition,
		BucketName: bucket,
		Key:        key,
		RequestID:  w.Header().Get("x-amz-request-id"),
	}
	if r.Method == http.MethodHead {
		// HEAD responses carry no body; S3 sends the status alone.
		w.WriteHeader(e.Status)
		return
	}
	writeXML(w, e.Status, body)
}

// writeXML sends v as an S3 XML document.
func writeXML(w http.ResponseWriter, status int, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		// Every document is a fixed struct of strings and numbers, so this
		// is a programming error; say so rather than send half a document.
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
