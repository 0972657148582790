package apievent

import (
	"maps"
	"testing"
)

func TestParse(t *testing.T) {
	const viaAPI = `{"version":"2.0","routeKey":"GET /passwords/{name+}","pathParameters":{"name":"team-a/db"},
		"queryStringParameters":{"version_id":"v1"},
		"requestContext":{"authorizer":{"jwt":{"claims":{"sub":"s-1","client_id":"c-1","exp":"1700000000"},"scopes":["passwords/read"]}}},
		"body":"","isBase64Encoded":false}`
	tests := []struct {
		name     string
		payload  string
		route    string
		caller   string
		clientID string
		token    bool
	}{
		{"HTTP API with a JWT", viaAPI, "GET /passwords/{name+}", "s-1", "c-1", true},
		{"client_id without sub", `{"version":"2.0","routeKey":"POST /passwords","requestContext":{"authorizer":{"jwt":{"claims":{"client_id":"c-2"}}}}}`, "POST /passwords", "c-2", "c-2", true},
		{"username only", `{"version":"2.0","routeKey":"POST /passwords","requestContext":{"authorizer":{"jwt":{"claims":{"username":"alice"}}}}}`, "POST /passwords", "alice", "", true},
		{"HTTP API without an authorizer", `{"version":"2.0","routeKey":"POST /passwords","requestContext":{}}`, "POST /passwords", "iam", "", false},
		{"Function URL", `{"version":"2.0","routeKey":"$default","requestContext":{"authorizer":{"iam":{"userArn":"arn:aws:iam::123456789012:user/alice"}}},"body":"{}"}`, "$default", "iam", "", false},
		{"direct invocation", `{"length": 20, "name": "x"}`, "", "iam", "", false},
		{"REST API (payload 1.0)", `{"resource":"/passwords","httpMethod":"POST","requestContext":{"authorizer":{"claims":{"sub":"x"}}},"body":"{}"}`, "", "iam", "", false},
		{"not JSON", `not json`, "", "iam", "", false},
		{"a list", `[1, 2]`, "", "iam", "", false},
		{"claims of the wrong type", `{"version":"2.0","routeKey":"POST /passwords","requestContext":{"authorizer":{"jwt":{"claims":{"sub":5}}}}}`, "", "iam", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Parse([]byte(tt.payload))
			if e.RouteKey != tt.route || e.HasToken() != tt.token || e.Caller() != tt.caller || e.ClientID() != tt.clientID {
				t.Errorf("route %q, token %v, caller %q, client %q; want %q, %v, %q, %q", e.RouteKey, e.HasToken(), e.Caller(), e.ClientID(), tt.route, tt.token, tt.caller, tt.clientID)
			}
		})
	}
	e := Parse([]byte(viaAPI))
	if !maps.Equal(e.PathParameters, map[string]string{"name": "team-a/db"}) || !maps.Equal(e.Query, map[string]string{"version_id": "v1"}) {
		t.Errorf("path parameters %v, query %v", e.PathParameters, e.Query)
	}
}
