// Package httpapi serves an API Gateway HTTP API on this machine: routes
// that send payload-format-2.0 events to Lambda functions (run by
// lambdaruntime), behind a JWT authorizer and a throttle with API
// Gateway's documented semantics, so that the local stack answers curl the
// way the deployed API does.
//
// For each request, in API Gateway's order:
//   - the route is matched ("POST /passwords", a last segment {name+}
//     matches the rest of the path); no route answers 404
//     {"message":"Not Found"};
//   - the stage's token bucket (rate and burst, shared by every caller)
//     takes a token, or the request answers 429 {"message":"Too Many
//     Requests"} and reaches nothing;
//   - the JWT authorizer checks the Authorization header (see authorize):
//     401 {"message":"Unauthorized"} with a www-authenticate challenge for a
//     missing or invalid token, 403 {"message":"Forbidden"} for a valid
//     token without any of the route's scopes;
//   - the function gets the event, with the token's claims as strings in
//     requestContext.authorizer.jwt, and its answer is passed on as API
//     Gateway reads a 2.0 response; a function error answers 500
//     {"message":"Internal Server Error"}, no answer within 30 s 503
//     {"message":"Service Unavailable"}.
//
// Every request writes one access log line, JSON with the fields of
// apispec.AccessLog, never a body, header or token.
//
// Where it departs from API Gateway: plain HTTP on loopback, no custom
// domains, CORS, cookies array or mutual TLS, and JWKS are fetched from the
// issuer when a token names an unknown key id (at most every 10 s) rather
// than cached for up to two hours.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// Route is one route and the function integrated with it.
type Route struct {
	Key      string   // "<METHOD> <path>", as API Gateway's route key
	Scopes   []string // the token needs any one of them
	Function lambdaruntime.Invoker
}

// Config describes the API.
type Config struct {
	Routes []Route
	// Issuer is the JWT issuer URL: tokens must carry it as iss, and its
	// discovery document names the JWKS their signatures are checked
	// against.
	Issuer string
	// Audiences are the accepted aud values, or client_id values for
	// tokens without aud.
	Audiences []string
	// RateLimit (requests per second) and BurstLimit are the stage's
	// throttle. Both must be positive: API Gateway reads a missing limit
	// as 0, which throttles every request.
	RateLimit  float64
	BurstLimit int
	// AccessLog receives one JSON line per request; nil discards.
	AccessLog io.Writer
	// Log receives what an operator must know, such as an issuer that
	// cannot be reached; nil discards.
	Log *slog.Logger
}

// Handler is the HTTP API as an http.Handler.
type Handler struct {
	routes    []route
	auth      *authorizer
	throttle  *bucket
	accessLog io.Writer
	logMu     sync.Mutex // one access log line at a time
}

// integrationTimeout is API Gateway's limit on a Lambda integration.
const integrationTimeout = 30 * time.Second

// maxBody is API Gateway's payload limit for HTTP APIs.
const maxBody = 10 << 20

// New checks c and returns the API.
func New(c Config) (*Handler, error) {
	var errs []error
	h := &Handler{accessLog: c.AccessLog}
	for _, r := range c.Routes {
		rt, err := parseRoute(r)
		if err != nil {
			errs = append(errs, err)
		}
		h.routes = append(h.routes, rt)
	}
	if len(c.Routes) == 0 {
		errs = append(errs, errors.New("no routes"))
	}
	// Written so that NaN fails too: every comparison with it is false.
	if !(c.RateLimit > 0 && c.RateLimit <= math.MaxFloat64) || c.BurstLimit <= 0 {
		errs = append(errs, fmt.Errorf("rate limit %v and burst limit %d: both must be positive and finite (API Gateway reads a missing limit as 0 and throttles every request)", c.RateLimit, c.BurstLimit))
	}
	auth, err := newAuthorizer(c.Issuer, c.Audiences, c.Log)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	h.auth = auth
	h.throttle = newBucket(c.RateLimit, c.BurstLimit, time.Now)
	if h.accessLog == nil {
		h.accessLog = io.Discard
	}
	return h, nil
}

// ServeHTTP answers one request as API Gateway would.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := newAccess(r)
	defer h.writeAccess(a)
	w = &statusWriter{ResponseWriter: w, status: &a.status}
	w.Header().Set("apigw-requestid", a.requestID)

	rt, params := h.match(r)
	if rt == nil {
		answer(w, http.StatusNotFound, "Not Found")
		return
	}
	a.routeKey = rt.Key
	if !h.throttle.allow() {
		answer(w, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	id, refusal := h.auth.authorize(r.Context(), r.Header.Get("Authorization"), rt.Scopes)
	if refusal != nil {
		a.authorizerError = refusal.reason
		refusal.write(w)
		return
	}
	a.sub, a.clientID = id.claims["sub"], id.claims["client_id"]

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		answer(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	case err != nil:
		// The client went away or stalled: nothing reaches the function.
		a.integrationError = "read body: " + err.Error()
		answer(w, http.StatusBadRequest, "Bad Request")
		return
	}
	payload, err := json.Marshal(newEvent(r, rt, params, body, id, a))
	if err != nil {
		a.integrationError = "encode event: " + err.Error()
		answer(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), integrationTimeout)
	defer cancel()
	res, err := rt.Function.Invoke(ctx, payload)
	switch {
	case errors.Is(err, lambdaruntime.ErrPayloadTooLarge):
		answer(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
	case err != nil:
		a.integrationError = err.Error()
		answer(w, http.StatusServiceUnavailable, "Service Unavailable")
	default:
		a.integrationError = writeResult(w, res)
	}
}

// answer writes one of API Gateway's own answers.
func answer(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"message": message}) // strings always marshal
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.Copy(w, bytes.NewReader(body)) // a caller that went away has nothing left to tell
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status *int
}

func (s *statusWriter) WriteHeader(code int) {
	*s.status = code
	s.ResponseWriter.WriteHeader(code)
}
