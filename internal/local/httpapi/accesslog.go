package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

// access is what the access log records of one request.
type access struct {
	requestID        string
	start            time.Time
	sourceIP         string
	routeKey         string
	status           int
	sub, clientID    string
	authorizerError  string
	integrationError string
}

func newAccess(r *http.Request) *access {
	return &access{requestID: newRequestID(), start: time.Now(), sourceIP: sourceIP(r), status: http.StatusOK}
}

// values maps each context variable the access log uses to its value.
func (a *access) values() map[string]string {
	return map[string]string{
		"$context.requestId":                   a.requestID,
		"$context.requestTime":                 requestTime(a.start),
		"$context.routeKey":                    a.routeKey,
		"$context.status":                      strconv.Itoa(a.status),
		"$context.responseLatency":             strconv.FormatInt(time.Since(a.start).Milliseconds(), 10),
		"$context.identity.sourceIp":           a.sourceIP,
		"$context.authorizer.claims.sub":       a.sub,
		"$context.authorizer.claims.client_id": a.clientID,
		"$context.authorizer.error":            a.authorizerError,
		"$context.integrationErrorMessage":     a.integrationError,
	}
}

// writeAccess writes the request's line in the deployed stage's format:
// each field of apispec.AccessLog, "-" where its variable has no value, as
// API Gateway writes it.
func (h *Handler) writeAccess(a *access) {
	values := a.values()
	line := make(map[string]string, len(apispec.AccessLog))
	for _, f := range apispec.AccessLog {
		v := values[f.Variable]
		if v == "" {
			v = "-"
		}
		line[f.Name] = v
	}
	b, _ := json.Marshal(line) // strings always marshal
	h.logMu.Lock()
	defer h.logMu.Unlock()
	_, _ = h.accessLog.Write(append(b, '\n')) // a failing log must not fail requests
}
