package apispec

import (
	"bytes"
	"encoding/json"
)

// LogField is one field of the access log: its name in each JSON line and
// the API Gateway context variable that fills it.
type LogField struct {
	Name     string
	Variable string
}

// AccessLog lists the access log's fields: who called which route, how it
// ended and how long it took. No field holds a body, a header or a token.
var AccessLog = []LogField{
	{"requestId", "$context.requestId"},
	{"requestTime", "$context.requestTime"},
	{"routeKey", "$context.routeKey"},
	{"status", "$context.status"},
	{"responseLatency", "$context.responseLatency"},
	{"sourceIp", "$context.identity.sourceIp"},
	{"sub", "$context.authorizer.claims.sub"},
	{"clientId", "$context.authorizer.claims.client_id"},
	{"authorizerError", "$context.authorizer.error"},
	{"integrationError", "$context.integrationErrorMessage"},
}

// AccessLogFormat is the stage's access log format: one JSON object per
// request whose values are the context variables, quoted, so every line is
// valid JSON even when a variable is empty (API Gateway writes "-").
func AccessLogFormat() string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range AccessLog {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.Name) // strings always marshal
		variable, _ := json.Marshal(f.Variable)
		b.Write(name)
		b.WriteByte(':')
		b.Write(variable)
	}
	b.WriteByte('}')
	return b.String()
}
