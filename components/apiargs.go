package components

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
)

// HTTPAPIArgs deploys the HTTP API in front of the functions: POST
// /passwords generates, GET /passwords/{name+} and GET /passwords read,
// each route behind a JWT authorizer that requires its scope, with a
// throttle every caller shares. See README for the routes.
//
// By default the stack creates a Cognito user pool with one app client per
// entry of Clients. JWTIssuer uses an existing OIDC provider instead.
type HTTPAPIArgs struct {
	// RateLimit is the steady rate, in requests per second, the stage
	// lets through from all callers together; nil means 10.
	RateLimit *int
	// BurstLimit is how many requests the stage lets through at once; nil
	// means 20. Pointers because 0 is a mistake to report, not a default:
	// API Gateway reads a limit of 0 as "throttle every request" (and a
	// settings block without a limit as 0, so the component always sets
	// both).
	BurstLimit *int
	// Clients are the API's callers: the app clients the user pool gets,
	// or with JWTIssuer the provider's clients that Prefixes limit.
	Clients []APIClient
	// JWTIssuer is an existing OIDC provider's issuer URL (https), whose
	// access tokens carry scope or scp; "" creates a Cognito user pool.
	JWTIssuer string
	// JWTAudience are the aud values (or client_id values, for tokens
	// without aud) the authorizer accepts from JWTIssuer.
	JWTAudience []string
}

// APIClient is one caller of the API.
type APIClient struct {
	// Name is the Cognito app client's name; not with JWTIssuer.
	Name string
	// ClientID is the provider's id of an existing client; only with
	// JWTIssuer, where an entry exists to limit that client to Prefixes.
	ClientID string
	// Scopes are what the app client may do: "generate", "read" or both;
	// not with JWTIssuer, whose provider grants scopes itself.
	Scopes []string
	// Prefixes, when given, limit the client to names starting with one of
	// them (such as "team-a/") on every route, listings included.
	Prefixes []string
}

// apiSettings are validated HTTPAPIArgs with the defaults applied.
type apiSettings struct {
	rate, burst int
	issuer      string // "" with the stack's own user pool
	audience    []string
	clients     []APIClient // scopes as tokens carry them, "passwords/read"
}

const (
	defaultAPIRateLimit  = 10
	defaultAPIBurstLimit = 20
	// API Gateway's default account quotas in most regions: a stage
	// cannot be allowed more than its account.
	maxAPIRateLimit  = 10000
	maxAPIBurstLimit = 5000
	// cognitoClientIDLength is the length of the ids Cognito gives app
	// clients, to size the prefixes variable before they exist.
	cognitoClientIDLength = 26
)

// cognitoClientName is Cognito's pattern for app client names.
var cognitoClientName = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)

// validateAPI checks a and applies the defaults, reporting each problem
// to fail by its config key. room is how many bytes of the functions'
// environment the client prefixes may take.
func validateAPI(a *HTTPAPIArgs, room int, fail func(setting, format string, v ...any)) *apiSettings {
	if a == nil {
		return nil
	}
	s := &apiSettings{
		rate:     valueOr(a.RateLimit, defaultAPIRateLimit),
		burst:    valueOr(a.BurstLimit, defaultAPIBurstLimit),
		issuer:   a.JWTIssuer,
		audience: a.JWTAudience,
	}
	if s.rate < 1 || s.rate > maxAPIRateLimit {
		fail("apiRateLimit", "%d requests per second: use 1 to %d (a stage limit of 0 throttles every request)", s.rate, maxAPIRateLimit)
	}
	if s.burst < 1 || s.burst > maxAPIBurstLimit {
		fail("apiBurstLimit", "%d requests: use 1 to %d (a stage limit of 0 throttles every request)", s.burst, maxAPIBurstLimit)
	}
	own := s.issuer == ""
	if own {
		if len(s.audience) > 0 {
			fail("jwtAudience", "applies to jwtIssuer only; with the stack's own user pool the audience is every app client")
		}
		if len(a.Clients) == 0 {
			fail("apiClients", `the user pool needs at least one app client, e.g. pulumi config set --path 'apiClients[0].name' ci && pulumi config set --path 'apiClients[0].scopes[0]' generate`)
		}
	} else {
		if u, err := url.Parse(s.issuer); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			fail("jwtIssuer", "%q: want the provider's https issuer URL, as its tokens carry it in iss", s.issuer)
		}
		if len(s.audience) == 0 || slices.Contains(s.audience, "") {
			fail("jwtAudience", "want at least one non-empty audience: the aud (or client_id) values the authorizer accepts")
		}
	}
	prefixes := apispec.ClientPrefixes{}
	seen := map[string]bool{}
	for i, c := range a.Clients {
		key := fmt.Sprintf("apiClients[%d]", i)
		id := c.Name
		if own {
			switch {
			case !cognitoClientName.MatchString(c.Name):
				fail(key+".name", "%q: want 1-128 letters, digits, spaces and + = , . @ - _", c.Name)
			case seen[c.Name]:
				fail(key+".name", "%q names two clients", c.Name)
			}
			if c.ClientID != "" {
				fail(key+".clientId", "applies to jwtIssuer only; the user pool gives its app clients their ids")
			}
			scopes, err := fullScopes(c.Scopes)
			if err != nil {
				fail(key+".scopes", "%v", err)
			}
			c.Scopes = scopes
		} else {
			id = c.ClientID
			switch {
			case c.ClientID == "":
				fail(key+".clientId", "with jwtIssuer an entry names an existing client by its id, to limit it to prefixes")
			case seen[c.ClientID]:
				fail(key+".clientId", "%q is listed twice", c.ClientID)
			}
			if c.Name != "" || len(c.Scopes) > 0 {
				fail(key, "name and scopes apply to the stack's own user pool only; jwtIssuer's provider grants scopes itself")
			}
			if len(c.Prefixes) == 0 {
				fail(key+".prefixes", "with jwtIssuer an entry only limits a client to prefixes; without any, leave the entry out")
			}
		}
		seen[id] = true
		if len(c.Prefixes) > 0 {
			if err := (apispec.ClientPrefixes{id: c.Prefixes}).Validate(); err != nil {
				fail(key+".prefixes", "%v", err)
			}
			prefixes[id] = c.Prefixes
		}
		s.clients = append(s.clients, c)
	}
	if n := prefixEnvSize(prefixes, own); n > room {
		fail("apiClients", "the prefixes take about %d bytes of the functions' environment, more than the %d it can spare beside the organization policy (Lambda allows 4 KB in all): use fewer or shorter prefixes", n, room)
	}
	return s
}

// fullScopes turns the short scope names of the config into the names
// tokens carry.
func fullScopes(short []string) ([]string, error) {
	var known []string
	for _, s := range apispec.Scopes {
		known = append(known, s.Name)
	}
	if len(short) == 0 {
		return nil, fmt.Errorf("want at least one of %s", strings.Join(known, ", "))
	}
	var full []string
	for _, s := range short {
		scope := apispec.ResourceServer + "/" + s
		switch {
		case !slices.Contains(known, s):
			return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(known, ", "))
		case slices.Contains(full, scope):
			return nil, fmt.Errorf("%q is listed twice", s)
		}
		full = append(full, scope)
	}
	return full, nil
}

// prefixEnvSize is the length of the variable the prefixes become, with
// Cognito's ids, which do not exist yet, counted at their length.
func prefixEnvSize(p apispec.ClientPrefixes, cognitoIDs bool) int {
	sized := apispec.ClientPrefixes{}
	i := 0
	for id, prefixes := range p {
		if cognitoIDs {
			id = fmt.Sprintf("%0*d", cognitoClientIDLength, i)
			i++
		}
		sized[id] = prefixes
	}
	env := fnconfig.Config{ClientPrefixes: sized}.Env()[fnconfig.EnvClientPrefixes]
	return len(fnconfig.EnvClientPrefixes) + 1 + len(env)
}
