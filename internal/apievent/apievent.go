// Package apievent reads what the functions need from an API Gateway HTTP
// API event (payload format 2.0): the route, who called it, and the path
// and query parameters. Any other payload is a direct invocation.
//
// The claims are trusted as they are: only API Gateway, after its JWT
// authorizer, and principals IAM allows to invoke the function can deliver
// an event, and the latter could invoke the function directly anyway.
package apievent

import "encoding/json"

// DirectCaller names the caller of a direct invocation in the audit log:
// IAM authorized it, and Lambda tells a function nothing more about who it
// was (CloudTrail does).
const DirectCaller = "iam"

// Event is what an invocation says about how it arrived.
type Event struct {
	// RouteKey is the API route, "" for a direct invocation.
	RouteKey string
	// PathParameters and Query are the request's, decoded.
	PathParameters map[string]string
	Query          map[string]string
	// Claims are the JWT's claims, as strings; nil without a JWT.
	Claims map[string]string
}

// envelope holds the fields of a 2.0 event that Parse reads.
type envelope struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	PathParameters        map[string]string `json:"pathParameters"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	RequestContext        struct {
		Authorizer *struct {
			JWT *struct {
				Claims map[string]string `json:"claims"`
			} `json:"jwt"`
		} `json:"authorizer"`
	} `json:"requestContext"`
}

// Parse reads payload. It never fails: a payload that is not a 2.0 event
// with a route, including one that is not JSON, is a direct invocation,
// whose problems request parsing reports.
func Parse(payload []byte) Event {
	var env envelope
	if json.Unmarshal(payload, &env) != nil || env.Version != "2.0" || env.RouteKey == "" {
		return Event{}
	}
	e := Event{RouteKey: env.RouteKey, PathParameters: env.PathParameters, Query: env.QueryStringParameters}
	if a := env.RequestContext.Authorizer; a != nil && a.JWT != nil {
		e.Claims = a.JWT.Claims
	}
	return e
}

// HasToken reports whether a JWT authorizer let the request in; without
// one, IAM authorized the invocation.
func (e Event) HasToken() bool { return e.Claims != nil }

// ClientID is the JWT's client_id claim, "" without one.
func (e Event) ClientID() string { return e.Claims["client_id"] }

// Caller names who made the request: the JWT's sub, client_id or
// username, the first one present, or DirectCaller.
func (e Event) Caller() string {
	for _, claim := range []string{"sub", "client_id", "username"} {
		if v := e.Claims[claim]; v != "" {
			return v
		}
	}
	return DirectCaller
}
