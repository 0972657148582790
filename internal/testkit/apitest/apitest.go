// Package apitest builds the events API Gateway's HTTP API sends the
// functions, for tests that invoke a function as the deployed API would
// without running the local API in front of it.
package apitest

import (
	"encoding/json"
	"strings"

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
