// Package apitest builds the events API Gateway's HTTP API sends the
// functions, for tests that invoke a function as the deployed API would
// without running the local API in front of it, and calls an HTTP API as
// its clients do, for tests that run one.
package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

// Request is one request through the API.
type Request struct {
	Route string            // an apispec route key
	Name  string            // the {name+} path parameter, if any
	Query map[string]string // nil for none
	// Client is the token's sub and client_id; "" sends no token, unless
	// Claims gives the token's claims itself.
	Client string
	Claims map[string]string
	Body   string
}

// Event is the payload-format-2.0 event for r, with the claims of a
// Cognito access token for r.Client holding both scopes.
func (r Request) Event() []byte {
	method, path, _ := strings.Cut(r.Route, " ")
	e := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              r.Route,
		RawPath:               path,
		QueryStringParameters: r.Query,
		Headers:               map[string]string{"content-type": "application/json"},
		Body:                  r.Body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  r.Route,
			Stage:     "$default",
			RequestID: "apitest",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
	if r.Name != "" {
		e.PathParameters = map[string]string{"name": r.Name}
		e.RawPath = strings.TrimSuffix(path, "{name+}") + r.Name
	}
	claims := r.Claims
	if claims == nil && r.Client != "" {
		claims = map[string]string{"sub": r.Client, "client_id": r.Client, "token_use": "access", "exp": "4102444800"}
	}
	if claims != nil {
		e.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: claims,
				Scopes: []string{apispec.ScopeGenerate, apispec.ScopeRead},
			},
		}
	}
	b, _ := json.Marshal(e) // maps and strings always marshal
	return b
}

// Answer is an HTTP API's answer.
type Answer struct {
	Status int
	Header http.Header
	Body   string
}

// Call sends method path to the API at base, with the Authorization
// header auth ("" sends none) and a JSON body ("" sends none), as curl
// would.
func Call(t testing.TB, base, method, path, auth, body string) Answer {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}
