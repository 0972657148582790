package httpapi

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/testkit/jwttest"
)

// TestBadTokensAnswer401AndReachNoFunction sends each bad token to every
// route: each answers API Gateway's 401 with an invalid_token challenge,
// no function runs (so nothing is stored or revealed), and the access log
// says why without quoting the token.
func TestBadTokensAnswer401AndReachNoFunction(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	cases := jwttest.BadTokens(e.issuer(), "admin", apispec.ScopeGenerate, apispec.ScopeRead)
	if len(cases) < 15 {
		t.Fatalf("%d kinds of bad token; the issue asks for at least 15", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			auth := c.Header(t)
			for _, route := range []struct{ method, path, body string }{
				{"POST", "/passwords", `{"name":"x"}`},
				{"GET", "/passwords/x", ""},
				{"GET", "/passwords?prefix=x/", ""},
			} {
				r := e.do(t, route.method, route.path, auth, route.body)
				challenge := r.header.Get("www-authenticate")
				if r.status != 401 || r.body != `{"message":"Unauthorized"}` {
					t.Errorf("%s %s: %d %s, want 401 Unauthorized", route.method, route.path, r.status, r.body)
				}
				if !strings.HasPrefix(challenge, "Bearer ") || !strings.Contains(challenge, `error="invalid_token"`) {
					t.Errorf("%s %s: www-authenticate %q", route.method, route.path, challenge)
				}
			}
		})
	}
	if n := len(e.fn.invocations()); n != 0 {
		t.Errorf("bad tokens reached the function %d times", n)
	}
	log := e.accessLog.String()
	for _, line := range e.accessLines(t) {
		if line["status"] != "401" || line["authorizerError"] == "-" || line["sub"] != "-" {
			t.Errorf("access log line %v: want status 401, an authorizer error and no caller", line)
		}
	}
	if strings.Contains(log, e.token(t, "admin", "")[:40]) || strings.Contains(log, "eyJ") {
		t.Error("the access log quotes a token")
	}
}

// TestUnknownKidsFetchTheKeysAtMostOnce: a flood of forged key ids costs
// the issuer one JWKS request, not one per token.
func TestUnknownKidsFetchTheKeysAtMostOnce(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	good := "Bearer " + e.token(t, "admin", "")
	if r := e.do(t, "POST", "/passwords", good, "{}"); r.status != 201 {
		t.Fatalf("valid token: %d %s", r.status, r.body)
	}
	for i := range 20 {
		forgedKid := jwttest.Sign(t, jose.RS256, signingKey(), "forged-"+string(rune('a'+i)), e.claims())
		if r := e.do(t, "POST", "/passwords", "Bearer "+forgedKid, "{}"); r.status != 401 {
			t.Fatalf("forged kid: %d", r.status)
		}
	}
	if n := e.jwksFetches.Load(); n != 1 {
		t.Errorf("%d JWKS fetches, want 1", n)
	}
}

func TestScopes(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	tests := []struct {
		name, client, scope, method, path string
		status                            int
	}{
		{"generate-only token reads", "generator", "", "GET", "/passwords/x", 403},
		{"generate-only token lists", "generator", "", "GET", "/passwords", 403},
		{"read-only token generates", "reader", "", "POST", "/passwords", 403},
		{"admin token narrowed to read generates", "admin", apispec.ScopeRead, "POST", "/passwords", 403},
		{"generate-only token generates", "generator", "", "POST", "/passwords", 201},
		{"read-only token reads", "reader", "", "GET", "/passwords/x", 201},
		{"admin token lists", "admin", "", "GET", "/passwords", 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.fn.invocations())
			r := e.do(t, tt.method, tt.path, "Bearer "+e.token(t, tt.client, tt.scope), "")
			if r.status != tt.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tt.status)
			}
			ran := len(e.fn.invocations()) - before
			if tt.status == 403 {
				challenge := r.header.Get("www-authenticate")
				if r.body != `{"message":"Forbidden"}` || !strings.Contains(challenge, `error="insufficient_scope"`) || ran != 0 {
					t.Errorf("403 with body %s, challenge %q, %d invocations", r.body, challenge, ran)
				}
			} else if ran != 1 {
				t.Errorf("%d invocations, want 1", ran)
			}
		})
	}
}

// TestOtherScopeClaims accepts the scp forms of Okta and Azure AD.
func TestOtherScopeClaims(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	for name, scp := range map[string]any{
		"scp string": apispec.ScopeRead,
		"scp list":   []string{"openid", apispec.ScopeRead},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.claims()
			delete(c, "scope")
			c["scp"] = scp
			if r := e.do(t, "GET", "/passwords/x", "Bearer "+jwttest.Sign(t, jose.RS256, signingKey(), e.kid, c), ""); r.status != 201 {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
}

// TestClaimsReachTheFunctionAsStrings: API Gateway hands every claim to the
// function as a string, numbers as written and lists bracketed, with the
// token's scopes in jwt.scopes; the token may come bare or after Bearer.
func TestClaimsReachTheFunctionAsStrings(t *testing.T) {
	e := newEnv(t, 1000, 1000)
	c := e.claims()
	c["aud"] = []string{"other", "admin"}
	c["cognito:groups"] = []string{"ops", "dev"}
	c["email_verified"] = true
	c["exp"] = int64(4102444800)
	token := jwttest.Sign(t, jose.RS256, signingKey(), e.kid, c)
	for _, auth := range []string{"Bearer " + token, "bearer " + token, token} {
		if r := e.do(t, "POST", "/passwords", auth, `{}`); r.status != 201 {
			t.Fatalf("%.10s...: %d %s", auth, r.status, r.body)
		}
	}
	got := e.fn.invocations()[0].RequestContext.Authorizer.JWT
	want := map[string]string{
		"iss": e.issuerURL, "sub": "admin", "client_id": "admin", "token_use": "access", "jti": "jwttest",
		"scope": apispec.ScopeGenerate + " " + apispec.ScopeRead, "version": "2",
		"iat": jsonInt(c["iat"]), "auth_time": jsonInt(c["auth_time"]), "exp": "4102444800",
		"aud": "[other admin]", "cognito:groups": "[ops dev]", "email_verified": "true",
	}
	if !maps.Equal(got.Claims, want) {
		t.Errorf("claims %v\nwant %v", got.Claims, want)
	}
	if strings.Join(got.Scopes, " ") != apispec.ScopeGenerate+" "+apispec.ScopeRead {
		t.Errorf("scopes %v", got.Scopes)
	}
}

func jsonInt(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// BenchmarkAuthorize is the authorizer's cost per request once the JWKS is
// fetched (target: at most 50 µs), and its floor:
//   - uncached: a token's first sight: parsing, one RS256 verification,
//     the claims and their checks, and its entry in the cache;
//   - cached: the same token again, as a client sends it until it expires;
//   - floor: the RS256 signature check alone, crypto/rsa's VerifyPKCS1v15
//     of the same token's SHA-256 digest with the same key, which no
//     verifier built on crypto/rsa goes under.
func BenchmarkAuthorize(b *testing.B) {
	e := newEnv(b, 1, 1)
	headers := make([]string, 16)
	for i := range headers {
		headers[i] = "Bearer " + e.token(b, "admin", "")
	}
	ctx := b.Context()
	authorize := func(b *testing.B, a *authorizer, header string) {
		if _, refused := a.authorize(ctx, header, []string{apispec.ScopeRead}); refused != nil {
			b.Fatal(refused.reason)
		}
	}
	newAuthorizerCaching := func(b *testing.B, size int) *authorizer {
		a, err := newAuthorizer(e.issuerURL, []string{"admin"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		a.keys.cacheSize = size
		authorize(b, a, headers[0]) // fetches the JWKS
		return a
	}
	b.Run("uncached", func(b *testing.B) {
		// A cache of one token and another token each time: each is seen
		// for the first time.
		a := newAuthorizerCaching(b, 1)
		i := 1
		for b.Loop() {
			authorize(b, a, headers[i%len(headers)])
			i++
		}
	})
	b.Run("cached", func(b *testing.B) {
		a := newAuthorizerCaching(b, maxVerifiedTokens)
		for b.Loop() {
			authorize(b, a, headers[0])
		}
	})
	b.Run("floor", func(b *testing.B) {
		token := strings.TrimPrefix(headers[0], "Bearer ")
		dot := strings.LastIndexByte(token, '.')
		digest := sha256.Sum256([]byte(token[:dot]))
		sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := rsa.VerifyPKCS1v15(&signingKey().PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
