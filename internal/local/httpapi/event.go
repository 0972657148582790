package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// apiID stands for the id AWS gives an API: ten lowercase letters and
// digits.
const apiID = "pwgenlocal"

// newRequestID returns an id in API Gateway's form, 16 base64 characters.
func newRequestID() string {
	var b [11]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return base64.StdEncoding.EncodeToString(b[:])
}

// sourceIP is the caller's address, as API Gateway reports it.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// newEvent is the payload-format-2.0 event API Gateway sends for r.
func newEvent(r *http.Request, rt *route, params map[string]string, body []byte, id identity, a *access) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	headers["host"] = r.Host
	headers["x-forwarded-for"] = a.sourceIP
	headers["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	}
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, v := range q {
			query[k] = strings.Join(v, ",")
		}
	}
	e := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              rt.Key,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     rt.Key,
			AccountID:    lambdaruntime.AccountID,
			Stage:        "$default",
			RequestID:    a.requestID,
			APIID:        apiID,
			DomainName:   r.Host,
			DomainPrefix: strings.SplitN(r.Host, ".", 2)[0],
			Time:         requestTime(a.start),
			TimeEpoch:    a.start.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  a.sourceIP,
				UserAgent: r.UserAgent(),
			},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: id.claims, Scopes: id.scopes},
			},
		},
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type"), body) {
			e.Body = string(body)
		} else {
			e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return e
}

// isText reports whether API Gateway passes the body as text rather than
// base64: a text media type, JSON or a form, in valid UTF-8.
func isText(contentType string, body []byte) bool {
	media, _, _ := mime.ParseMediaType(contentType)
	switch {
	case !utf8.Valid(body):
		return false
	case strings.HasPrefix(media, "text/"), media == "application/json", strings.HasSuffix(media, "+json"),
		media == "application/x-www-form-urlencoded", media == "application/xml", media == "application/javascript":
		return true
	}
	return false
}

// requestTime is the time format of $context.requestTime.
func requestTime(t time.Time) string { return t.UTC().Format("02/Jan/2006:15:04:05 -0700") }
