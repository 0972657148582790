// Package jwttest forges the access tokens an API authorizer must refuse,
// for tests of the local HTTP API and of the local stack: tokens with a
// bad algorithm, key, signature or claim, each signed with go-jose unless
// the attack itself is an unsigned token.
package jwttest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Issuer is what forging needs of the issuer under attack.
type Issuer struct {
	URL   string
	Key   *rsa.PrivateKey // its signing key
	KeyID string          // the kid of Key in its JWKS
	// Valid returns a token the issuer issued, for the attacks that alter
	// a real one.
	Valid func(t testing.TB) string
}

// Claims are those of a valid access token of client holding scopes, as
// Cognito issues it, to start a forgery from.
func (is Issuer) Claims(client string, scopes ...string) map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"iss": is.URL, "sub": client, "client_id": client, "token_use": "access",
		"scope": strings.Join(scopes, " "),
		"iat":   now - 10, "auth_time": now - 10, "exp": now + 3600, "jti": "jwttest", "version": 2,
	}
}

// Sign signs claims with key under alg, naming kid ("" names none).
func Sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// BadToken is an Authorization header an authorizer must answer with 401.
type BadToken struct {
	Name   string
	Header func(t testing.TB) string
}

// BadTokens are the kinds of bad token, each aimed at one check: a
// missing or non-Bearer token, garbage, an algorithm outside the
// allow-list (none, HS256 keyed with the public key, PS256), a missing or
// unknown kid, another key under the issuer's kid, each claim check, and
// a real token altered. Each would be accepted but for the one thing wrong
// with it. client names a client the authorizer accepts, holding scopes.
func BadTokens(is Issuer, client string, scopes ...string) []BadToken {
	claims := func(edit func(map[string]any)) func(testing.TB) string {
		return func(t testing.TB) string {
			c := is.Claims(client, scopes...)
			edit(c)
			return "Bearer " + Sign(t, jose.RS256, is.Key, is.KeyID, c)
		}
	}
	segments := func(t testing.TB) []string {
		t.Helper()
		parts := strings.Split(is.Valid(t), ".")
		if len(parts) != 3 {
			t.Fatalf("a valid token has %d segments", len(parts))
		}
		return parts
	}
	return []BadToken{
		{"no Authorization header", func(testing.TB) string { return "" }},
		{"Bearer and no token", func(testing.TB) string { return "Bearer " }},
		{"a Basic scheme", func(testing.TB) string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(client+":"+client+"-local-secret"))
		}},
		{"garbage", func(testing.TB) string { return "Bearer not-a-token" }},
		{"a valid token after another scheme", func(t testing.TB) string { return "Token " + is.Valid(t) }},
		{"alg none", func(testing.TB) string {
			// go-jose refuses to sign with "none", which is the point: the
			// attack token is assembled by hand.
			return "Bearer " + encode(map[string]string{"alg": "none", "kid": is.KeyID, "typ": "JWT"}) + "." + encode(is.Claims(client, scopes...)) + "."
		}},
		{"HS256 keyed with the issuer's public key", func(t testing.TB) string {
			der, err := x509.MarshalPKIXPublicKey(&is.Key.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			return "Bearer " + Sign(t, jose.HS256, pemKey, is.KeyID, is.Claims(client, scopes...))
		}},
		{"PS256 by the issuer's key: RSA, but not allow-listed", func(t testing.TB) string {
			return "Bearer " + Sign(t, jose.PS256, is.Key, is.KeyID, is.Claims(client, scopes...))
		}},
		{"no kid", func(t testing.TB) string {
			return "Bearer " + Sign(t, jose.RS256, is.Key, "", is.Claims(client, scopes...))
		}},
		{"an unknown kid", func(t testing.TB) string {
			return "Bearer " + Sign(t, jose.RS256, is.Key, "not-"+is.KeyID, is.Claims(client, scopes...))
		}},
		{"another key under the issuer's kid", func(t testing.TB) string {
			other, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			return "Bearer " + Sign(t, jose.RS256, other, is.KeyID, is.Claims(client, scopes...))
		}},
		{"expired", claims(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })},
		{"no exp", claims(func(c map[string]any) { delete(c, "exp") })},
		{"not yet valid", claims(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() })},
		{"issued in the future", claims(func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() })},
		{"another issuer", claims(func(c map[string]any) { c["iss"] = is.URL + "/other" })},
		{"no issuer", claims(func(c map[string]any) { delete(c, "iss") })},
		{"an unknown client_id", claims(func(c map[string]any) { c["client_id"] = "stranger" })},
		{"no client_id and no aud", claims(func(c map[string]any) { delete(c, "client_id") })},
		// aud, when present, is what counts, even next to a good client_id.
		{"a wrong aud beside a known client_id", claims(func(c map[string]any) { c["aud"] = "stranger" })},
		{"scope of the wrong type", claims(func(c map[string]any) { c["scope"] = 42 })},
		{"exp of the wrong type", claims(func(c map[string]any) { c["exp"] = fmt.Sprint(c["exp"]) })},
		{"aud of the wrong type", claims(func(c map[string]any) { c["aud"] = []int{1} })},
		{"a tampered payload", func(t testing.TB) string {
			parts := segments(t)
			var c map[string]any
			raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			// A token that lives a day longer: still valid, but not what
			// the issuer signed.
			exp, _ := c["exp"].(float64)
			c["exp"] = int64(exp) + 86400
			return "Bearer " + parts[0] + "." + encode(c) + "." + parts[2]
		}},
		{"a truncated signature", func(t testing.TB) string {
			parts := segments(t)
			return "Bearer " + parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])/2]
		}},
		{"a stripped signature", func(t testing.TB) string {
			parts := segments(t)
			return "Bearer " + parts[0] + "." + parts[1] + "."
		}},
		{"five segments, as a JWE", func(t testing.TB) string {
			return "Bearer " + strings.Join(append(segments(t), "x", "y"), ".")
		}},
	}
}

func encode(v any) string {
	b, _ := json.Marshal(v) // maps of JSON values always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// KeyID is the kid of the one key in the JWKS at issuerURL's well-known
// address.
func KeyID(t testing.TB, issuerURL string) string {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(issuerURL, "/") + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS of %s: %v, %d keys; want one", issuerURL, err, len(set.Keys))
	}
	return set.Keys[0].KeyID
}

// Token asks the token endpoint of the issuer at issuerURL for an access
// token, as client id with secret, for scope ("" for every scope the
// client has).
func Token(t testing.TB, issuerURL, id, secret, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(issuerURL, "/")+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("token for %s: %s, %v", id, resp.Status, err)
	}
	return body.AccessToken
}
