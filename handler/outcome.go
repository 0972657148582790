package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/store"
)

// outcome is what one invocation decided: a status plus what the caller and
// the log may learn about it. It never holds the password; a stored record
// contributes only its metadata.
type outcome struct {
	status    int
	kind      string // request.TypePassword or request.TypePassphrase
	name      string
	key       string
	versionID string
	length    int
	entropy   float64
	createdAt string
	// expiresAt and rotateEveryDays are the stored record's, so the
	// caller and the log see what was asked for.
	expiresAt       string
	rotateEveryDays int
	// dryRun is set for a dry run's answer, which reports the policy in
	// force instead of a stored object.
	dryRun *dryRunBody
	// err is the cause: shown to the caller only for 400s and 403s (their
	// messages are written for callers), only logged otherwise.
	err error
	// caller names who asked (see apievent.Event.Caller).
	caller string
}

func rejected(err error) outcome {
	return outcome{status: http.StatusBadRequest, err: err}
}

func forbidden(name, why string) outcome {
	return outcome{status: http.StatusForbidden, name: name, err: errors.New(why)}
}

func conflict(name, key string) outcome {
	return outcome{status: http.StatusConflict, name: name, key: key,
		err: fmt.Errorf("%s already exists", key)}
}

func failed(status int, name, key string, err error) outcome {
	return outcome{status: status, name: name, key: key, err: err}
}

func stored(name, key, versionID string, rec record) outcome {
	return outcome{status: http.StatusOK, kind: rec.Type, name: name, key: key, versionID: versionID,
		length: rec.Length, entropy: rec.EntropyBits, createdAt: rec.CreatedAt,
		expiresAt: rec.ExpiresAt, rotateEveryDays: rec.RotateEveryDays}
}

// dryRun answers a request that only asks what it would get.
func dryRun(req request.Request, entropyBits float64, policy effectivePolicy) outcome {
	body := &dryRunBody{
		Message:     "Dry run: the request is valid under the policy; nothing was generated or stored",
		Type:        req.Type,
		EntropyBits: math.Round(entropyBits*100) / 100,
		Policy:      policy,
	}
	if req.Type == request.TypePassphrase {
		body.Words = req.Passphrase.Words
	} else {
		body.Length = req.Policy.Length
	}
	return outcome{status: http.StatusOK, kind: req.Type, entropy: entropyBits, dryRun: body}
}

// effectivePolicy is the organization's policy and the deployment's length
// bounds, flattened into one object.
type effectivePolicy struct {
	orgpolicy.Policy
	MinLength int `json:"minLength"`
	MaxLength int `json:"maxLength"`
}

type dryRunBody struct {
	Message     string          `json:"message"`
	Type        string          `json:"type"`
	Length      int             `json:"length,omitempty"`
	Words       int             `json:"words,omitempty"`
	EntropyBits float64         `json:"entropy_bits"`
	Policy      effectivePolicy `json:"policy"`
	RequestID   string          `json:"request_id"`
}

// response is the recipe's proxy-integration shape, which API Gateway and
// Function URLs pass through and direct callers read as JSON.
type response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

type successBody struct {
	Message      string  `json:"message"`
	Type         string  `json:"type"`
	PasswordName string  `json:"password_name"`
	S3Key        string  `json:"s3_key"`
	VersionID    string  `json:"version_id"`
	Length       int     `json:"length"`
	EntropyBits  float64 `json:"entropy_bits"`
	CreatedAt    string  `json:"created_at"`
	// ExpiresAt and RotateEveryDays are left out when not asked for.
	ExpiresAt       string `json:"expires_at,omitempty"`
	RotateEveryDays int    `json:"rotate_every_days,omitempty"`
	RequestID       string `json:"request_id"`
}

type errorBody struct {
	Error     string `json:"error"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

func (o outcome) response(requestID string) ([]byte, error) {
	var body any
	headers := map[string]string{}
	switch {
	case o.dryRun != nil:
		b := *o.dryRun
		b.RequestID = requestID
		body = b
	case o.status == http.StatusOK || o.status == http.StatusCreated:
		if o.status == http.StatusCreated {
			// The new password, at the URL the API reads it back from.
			headers["Location"] = "/passwords/" + o.name
		}
		body = successBody{
			Message:         o.kindName() + " generated successfully",
			Type:            o.kind,
			PasswordName:    o.name,
			S3Key:           o.key,
			VersionID:       o.versionID,
			Length:          o.length,
			EntropyBits:     math.Round(o.entropy*100) / 100,
			CreatedAt:       o.createdAt,
			ExpiresAt:       o.expiresAt,
			RotateEveryDays: o.rotateEveryDays,
			RequestID:       requestID,
		}
	case o.status == http.StatusBadRequest:
		body = errorBody{"Invalid request", o.err.Error(), requestID}
	case o.status == http.StatusForbidden:
		body = errorBody{"Forbidden", o.err.Error(), requestID}
	case o.status == http.StatusConflict:
		body = errorBody{"Password already exists", fmt.Sprintf(
			"%s already exists and was left unchanged; choose another name, or send \"overwrite\": true to store a new version (the bucket keeps the old one)",
			o.key), requestID}
	case o.status == http.StatusInternalServerError:
		body = errorBody{"Failed to generate password",
			"the password could not be generated and nothing was stored; retry, and report the request id if it persists",
			requestID}
	// A refusal for lack of permission is for the caller to report rather
	// than retry.
	case errors.Is(o.err, store.ErrDenied):
		body = errorBody{"Failed to store password", fmt.Sprintf(
			"S3 refused to store %s: access denied. The function's role or the bucket's key does not allow the write; nothing was stored, and retrying will not help until the deployment is fixed",
			o.key), requestID}
	default:
		body = errorBody{"Failed to store password", fmt.Sprintf(
			"S3 did not confirm that %s was stored; retry with the same name: a 409 then means the earlier attempt succeeded",
			o.key), requestID}
	}
	return proxyResponse(o.status, headers, body)
}

// proxyResponse encodes body as a JSON answer with headers. <, > and &
// stay as they are: they are common in passwords, and the body is JSON,
// not HTML.
func proxyResponse(status int, headers map[string]string, body any) ([]byte, error) {
	var text bytes.Buffer
	enc := json.NewEncoder(&text)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("encode response body: %w", err)
	}
	headers["Content-Type"] = "application/json"
	return json.Marshal(response{StatusCode: status, Headers: headers, Body: strings.TrimSuffix(text.String(), "\n")})
}

// log writes the invocation's single log line, its audit record: who asked
// for which name, the version stored and how it ended. The request id
// comes from the lambdacontext handler; the cause of a failure is logged
// in full here because the caller only gets a summary.
func (o outcome) log(ctx context.Context, l *slog.Logger, took time.Duration) {
	msg, result := verdict(o.status, strings.ToLower(o.kindName())+" stored", "stored")
	if o.dryRun != nil {
		msg, result = "dry run", "dry_run"
	}
	extra := []slog.Attr{slog.String("type", o.kind), slog.String("key", o.key)}
	if o.expiresAt != "" {
		extra = append(extra, slog.String("expires_at", o.expiresAt))
	}
	if o.rotateEveryDays != 0 {
		extra = append(extra, slog.Int("rotate_every_days", o.rotateEveryDays))
	}
	audit{o.caller, o.name, o.versionID, o.status, o.err}.write(ctx, l, took, msg, result, extra...)
}

// audit is what every log line of both functions records: who asked, for
// which name (or listing prefix) and version, and how it ended. Never a
// password.
type audit struct {
	caller, name, versionID string
	status                  int
	err                     error
}

// write logs the line; the level follows from the status, and extra
// attributes come after the common ones.
func (a audit) write(ctx context.Context, l *slog.Logger, took time.Duration, msg, result string, extra ...slog.Attr) {
	level := slog.LevelInfo
	switch {
	case a.status >= 500:
		level = slog.LevelError
	case a.status >= 300:
		level = slog.LevelWarn
	}
	attrs := append([]slog.Attr{
		slog.String("caller", a.caller),
		slog.String("outcome", result),
		slog.Int("status", a.status),
		slog.String("name", a.name),
		slog.String("version_id", a.versionID),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
	}, extra...)
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}

// verdict names an outcome for the log: the message and the outcome field,
// success being the function's own.
func verdict(status int, successMsg, successResult string) (msg, result string) {
	switch {
	case status >= 500:
		return "invocation failed", "failed"
	case status == http.StatusForbidden:
		return "request forbidden", "forbidden"
	case status == http.StatusNotFound:
		return "password not found", "not_found"
	case status == http.StatusConflict:
		return "password already exists", "exists"
	case status >= 300:
		return "request rejected", "rejected"
	}
	return successMsg, successResult
}

// kindName is the type of secret as a message names it.
func (o outcome) kindName() string {
	if o.kind == request.TypePassphrase {
		return "Passphrase"
	}
	return "Password"
}
