package httpapi

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

// badToken is an Authorization header the authorizer must refuse.
type badToken struct {
	name   string
	header func(t *testing.T, e *env) string
}

// forged signs the admin claims changed by edit with the issuer's key.
func forged(edit func(e *env, c map[string]any)) func(*testing.T, *env) string {
	return func(t *testing.T, e *env) string {
		c := e.claims()
		edit(e, c)
		return "Bearer " + sign(t, jose.RS256, signingKey(), e.kid, c)
	}
}

// segments splits a valid admin token into header, payload and signature.
func segments(t *testing.T, e *env) []string {
	t.Helper()
	parts := strings.Split(e.token(t, "admin", ""), ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	return parts
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func badTokens() []badToken {
	return []badToken{
		{"no Authorization header", func(*testing.T, *env) string { return "" }},
		{"Bearer and no token", func(*testing.T, *env) string { return "Bearer " }},
		{"a Basic scheme", func(*testing.T, *env) string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin-local-secret"))
		}},
		{"garbage", func(*testing.T, *env) string { return "Bearer not-a-token" }},
		{"a valid token after another scheme", func(t *testing.T, e *env) string { return "Token " + e.token(t, "admin", "") }},
		{"alg none", func(t *testing.T, e *env) string {
			// go-jose refuses to sign with "none", which is the point: the
			// attack token is assembled by hand.
			return "Bearer " + b64(map[string]string{"alg": "none", "kid": e.kid, "typ": "JWT"}) + "." + b64(e.claims()) + "."
		}},
		{"HS256 keyed with the issuer's public key", func(t *testing.T, e *env) string {
			der, err := x509.MarshalPKIXPublicKey(&signingKey().PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			return "Bearer " + sign(t, jose.HS256, pemKey, e.kid, e.claims())
		}},
		{"PS256 by the issuer's key: RSA, but not allow-listed", func(t *testing.T, e *env) string {
			return "Bearer " + sign(t, jose.PS256, signingKey(), e.kid, e.claims())
		}},
		{"no kid", func(t *testing.T, e *env) string {
			return "Bearer " + sign(t, jose.RS256, signingKey(), "", e.claims())
		}},
		{"an unknown kid", func(t *testing.T, e *env) string {
			return "Bearer " + sign(t, jose.RS256, signingKey(), "not-"+e.kid, e.claims())
		}},
		{"another key under the issuer's kid", func(t *testing.T, e *env) string {
			other, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			return "Bearer " + sign(t, jose.RS256, other, e.kid, e.claims())
		}},
		{"expired", forged(func(_ *env, c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })},
		{"no exp", forged(func(_ *env, c map[string]any) { delete(c, "exp") })},
		{"not yet valid", forged(func(_ *env, c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() })},
		{"issued in the future", forged(func(_ *env, c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() })},
		{"another issuer", forged(func(e *env, c map[string]any) { c["iss"] = e.issuerURL + "/other" })},
		{"no issuer", forged(func(_ *env, c map[string]any) { delete(c, "iss") })},
		{"an unknown client_id", forged(func(_ *env, c map[string]any) { c["client_id"] = "stranger" })},
		{"no client_id and no aud", forged(func(_ *env, c map[string]any) { delete(c, "client_id") })},
		// aud, when present, is what counts, even next to a good client_id.
		{"a wrong aud beside a known client_id", forged(func(_ *env, c map[string]any) { c["aud"] = "stranger" })},
		{"scope of the wrong type", forged(func(_ *env, c map[string]any) { c["scope"] = 42 })},
		{"a tampered payload", func(t *testing.T, e *env) string {
			parts := segments(t, e)
			var c map[string]any
			raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			c["sub"], c["client_id"] = "reader", "reader"
			return "Bearer " + parts[0] + "." + b64(c) + "." + parts[2]
		}},
		{"a truncated signature", func(t *testing.T, e *env) string {
			parts := segments(t, e)
			return "Bearer " + parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])/2]
		}},
		{"a stripped signature", func(t *testing.T, e *env) string {
			parts := segments(t, e)
			return "Bearer " + parts[0] + "." + parts[1] + "."
		}},
		{"five segments, as a JWE", func(t *testing.T, e *env) string {
			return "Bearer " + strings.Join(append(segments(t, e), "x", "y"), ".")
		}},
	}
}

// TestBadTokensAnswer401AndReachNoFunction sends each bad token to every
// route: each answers API Gateway's 401 with an invalid_token challenge,
// no function runs (so nothing is stored or revealed), and the access log
// says why without quoting the token.
func TestBadTokensAnswer401AndReachNoFunction(t *testing.T) {
	cases := badTokens()
	if len(cases) < 15 {
		t.Fatalf("%d kinds of bad token; the issue asks for at least 15", len(cases))
	}
	e := newEnv(t, 1000, 1000)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth := c.header(t, e)
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
		forgedKid := sign(t, jose.RS256, signingKey(), "forged-"+string(rune('a'+i)), e.claims())
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
			if r := e.do(t, "GET", "/passwords/x", "Bearer "+sign(t, jose.RS256, signingKey(), e.kid, c), ""); r.status != 201 {
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
	token := sign(t, jose.RS256, signingKey(), e.kid, c)
	for _, auth := range []string{"Bearer " + token, "bearer " + token, token} {
		if r := e.do(t, "POST", "/passwords", auth, `{}`); r.status != 201 {
			t.Fatalf("%.10s...: %d %s", auth, r.status, r.body)
		}
	}
	got := e.fn.invocations()[0].RequestContext.Authorizer.JWT
	want := map[string]string{
		"iss": e.issuerURL, "sub": "admin", "client_id": "admin", "token_use": "access", "jti": "test",
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
// cached: parsing, one RS256 verification and the claim checks (target:
// at most 50 µs).
func BenchmarkAuthorize(b *testing.B) {
	e := newEnv(b, 1, 1)
	h := e.api.Config.Handler.(*Handler)
	header := "Bearer " + e.token(b, "admin", "")
	ctx := b.Context()
	if _, refused := h.auth.authorize(ctx, header, []string{apispec.ScopeRead}); refused != nil {
		b.Fatal(refused.reason)
	}
	for b.Loop() {
		if _, refused := h.auth.authorize(ctx, header, []string{apispec.ScopeRead}); refused != nil {
			b.Fatal(refused.reason)
		}
	}
}
