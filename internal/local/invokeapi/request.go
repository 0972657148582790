package invokeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/passwordgen/passwordgen/internal/awsarn"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

type invocationType string

// X-Amz-Invocation-Type values.
const (
	requestResponse invocationType = "RequestResponse"
	event           invocationType = "Event"
	dryRun          invocationType = "DryRun"
)

const (
	latest = "$LATEST"
	// Lambda's limits on an invocation's payload.
	maxSyncPayload  = 6 << 20
	maxAsyncPayload = 1 << 20
	// maxDrain bounds how much of an oversized body is read and discarded so
	// that the client, still sending, gets the 413 rather than a reset
	// connection.
	maxDrain = 64 << 20
)

// request is a parsed Invoke request; what parse could not establish is
// left empty.
type request struct {
	name           string
	invocationType invocationType
	fn             Invoker
	payload        []byte
}

// functionRef is the FunctionName pattern of the Invoke API: a name, a
// partial ARN (account:function:name) or an ARN, each with an optional
// qualifier. The groups are region, account, name and qualifier.
var functionRef = regexp.MustCompile(`^(?:arn:aws[a-zA-Z-]*:lambda:)?(?:` + awsarn.RegionPattern + `:)?(?:` + awsarn.AccountPattern + `:)?(?:function:)?([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$`)

// parse checks a request in the order that lets every answer be the
// service's: headers, the function's name, the payload's size, whether the
// function exists, then whether the payload is JSON.
func (h *Handler) parse(r *http.Request) (*request, *apiError) {
	req := &request{}
	typ, err := headerInvocationType(r.Header)
	if err != nil {
		return req, err
	}
	req.invocationType = typ
	if err := checkLogType(r.Header, typ); err != nil {
		return req, err
	}
	if h.isClosed() {
		return req, errClosing
	}

	ref := r.PathValue("name")
	m := functionRef.FindStringSubmatch(ref)
	if m == nil {
		return req, validationError("functionName", ref,
			"Member must satisfy regular expression pattern: "+functionRef.String())
	}
	region, account, name, qualifier := m[1], m[2], m[3], m[4]
	req.name = name
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		if qualifier != "" && qualifier != q {
			return req, &apiError{status: http.StatusBadRequest, code: "InvalidParameterValueException", typ: userError,
				message: "The derived qualifier from the function name does not match the specified qualifier."}
		}
		qualifier = q
	}

	limit := int64(maxSyncPayload)
	if typ == event {
		limit = maxAsyncPayload
	}
	payload, err := readPayload(r.Body, limit)
	if err != nil {
		return req, err
	}

	if region == "" {
		region = h.region
	}
	if account == "" {
		account = lambdaruntime.AccountID
	}
	fn := h.functions[name]
	if region != h.region || account != lambdaruntime.AccountID || fn == nil || (qualifier != "" && qualifier != latest) {
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, account, name)
		if qualifier != "" {
			arn += ":" + qualifier
		}
		return req, &apiError{status: http.StatusNotFound, code: "ResourceNotFoundException", typ: userError,
			message: "Function not found: " + arn}
	}
	req.fn = fn

	if len(payload) == 0 {
		// The service hands a function {} when the caller sent nothing.
		payload = []byte("{}")
	} else if err := json.Unmarshal(payload, new(json.RawMessage)); err != nil {
		return req, &apiError{status: http.StatusBadRequest, code: "InvalidRequestContentException", typ: userError,
			message: "Could not parse request body into json: Could not parse payload into json: " + jsonProblem(err)}
	}
	req.payload = payload
	return req, nil
}

func headerInvocationType(h http.Header) (invocationType, *apiError) {
	switch t := invocationType(h.Get("X-Amz-Invocation-Type")); t {
	case "":
		return requestResponse, nil
	case requestResponse, event, dryRun:
		return t, nil
	default:
		return "", validationError("invocationType", string(t), "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
}

// checkLogType refuses Tail, which asks for the last 4 KB of the
// invocation's log in the response: the local functions' log is a shared
// stream, not kept per invocation. Like the service, it matters only for
// synchronous invocations.
func checkLogType(h http.Header, typ invocationType) *apiError {
	switch lt := h.Get("X-Amz-Log-Type"); lt {
	case "", "None":
		return nil
	case "Tail":
		if typ != requestResponse {
			return nil
		}
		return &apiError{status: http.StatusNotImplemented, code: "NotImplemented", typ: userError,
			message: "X-Amz-Log-Type Tail is not supported locally: the function's log is written where the local stack prints it"}
	default:
		return validationError("logType", lt, "Member must satisfy enum value set: [Tail, None]")
	}
}

// readPayload reads the body if it is at most limit bytes.
func readPayload(body io.Reader, limit int64) ([]byte, *apiError) {
	payload, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "InvalidRequestContentException", typ: userError,
			message: "Could not read request body: " + err.Error()}
	}
	if int64(len(payload)) > limit {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
		return nil, tooLarge(limit)
	}
	return payload, nil
}

func tooLarge(limit int64) *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLargeException", typ: userError,
		message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
}

// jsonProblem describes a JSON syntax error with its position, as the
// service's message does.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%v at byte %d", syntax, syntax.Offset)
	}
	return err.Error()
}
