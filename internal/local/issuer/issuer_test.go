package issuer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

var testClients = []Client{
	{ID: "generator", Secret: "generator-local-secret", Scopes: []string{"passwords/generate"}},
	{ID: "admin", Secret: "admin-local-secret", Scopes: []string{"passwords/generate", "passwords/read"}},
}

// start serves an issuer whose clock stands at now.
func start(t *testing.T, now time.Time) *httptest.Server {
	t.Helper()
	// The listener exists before the server starts, so the issuer can be
	// given its own URL.
	srv := httptest.NewUnstartedServer(nil)
	iss, err := New(Config{URL: "http://" + srv.Listener.Addr().String(), Clients: testClients, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = iss
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %s %s", u, resp.Status, resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// tokenRequest posts form to the token endpoint, authenticating as id with
// secret unless id is "".
func tokenRequest(t *testing.T, srv *httptest.Server, id, secret string, form url.Values) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response is not JSON: %v", err)
	}
	return resp.StatusCode, resp.Header, body
}

// TestIssuedTokenVerifiesAgainstTheDiscoveredKeys follows what API
// Gateway's authorizer does: discovery, then JWKS, then the token's kid.
func TestIssuedTokenVerifiesAgainstTheDiscoveredKeys(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	srv := start(t, now)
	var disc struct {
		Issuer        string `json:"issuer"`
		JWKSURI       string `json:"jwks_uri"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	getJSON(t, srv.URL+DiscoveryPath, &disc)
	if disc.Issuer != srv.URL || disc.JWKSURI != srv.URL+JWKSPath || disc.TokenEndpoint != srv.URL+TokenPath {
		t.Fatalf("discovery %+v", disc)
	}
	var jwks jose.JSONWebKeySet
	getJSON(t, disc.JWKSURI, &jwks)
	if len(jwks.Keys) != 1 || !jwks.Keys[0].IsPublic() || jwks.Keys[0].Algorithm != "RS256" {
		t.Fatalf("JWKS %+v: want one public RS256 key", jwks.Keys)
	}

	status, header, body := tokenRequest(t, srv, "admin", "admin-local-secret", url.Values{"grant_type": {"client_credentials"}})
	if status != 200 || body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v %v", status, header, body)
	}
	token, _ := body["access_token"].(string)
	sig, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := jwks.Key(sig.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("the token's kid %q is not in the JWKS", sig.Signatures[0].Header.KeyID)
	}
	payload, err := sig.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"iss": srv.URL, "sub": "admin", "client_id": "admin", "token_use": "access",
		"scope": "passwords/generate passwords/read", "version": float64(2),
		"iat": float64(now.Unix()), "auth_time": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if jti, _ := claims["jti"].(string); jti == "" {
		t.Error("no jti")
	}
	if _, ok := claims["aud"]; ok {
		t.Error("Cognito access tokens carry no aud")
	}
}

func TestTokenRequests(t *testing.T) {
	srv := start(t, time.Now())
	grant := url.Values{"grant_type": {"client_credentials"}}
	tests := []struct {
		name, id, secret string
		form             url.Values
		status           int
		error, scope     string
	}{
		{"a subset of the client's scopes", "admin", "admin-local-secret", url.Values{"grant_type": {"client_credentials"}, "scope": {"passwords/read"}}, 200, "", "passwords/read"},
		{"scopes deduplicated and sorted", "admin", "admin-local-secret", url.Values{"grant_type": {"client_credentials"}, "scope": {"passwords/read passwords/generate passwords/read"}}, 200, "", "passwords/generate passwords/read"},
		{"every scope when none is asked", "generator", "generator-local-secret", grant, 200, "", "passwords/generate"},
		{"a scope the client lacks", "generator", "generator-local-secret", url.Values{"grant_type": {"client_credentials"}, "scope": {"passwords/read"}}, 400, "invalid_scope", ""},
		{"wrong secret", "generator", "admin-local-secret", grant, 401, "invalid_client", ""},
		{"unknown client", "nobody", "nobody-local-secret", grant, 401, "invalid_client", ""},
		{"unknown client with an empty secret", "nobody", "", grant, 401, "invalid_client", ""},
		{"no client authentication", "", "", grant, 401, "invalid_client", ""},
		{"another grant", "admin", "admin-local-secret", url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type", ""},
		{"no grant", "admin", "admin-local-secret", url.Values{}, 400, "invalid_request", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := tokenRequest(t, srv, tt.id, tt.secret, tt.form)
			if status != tt.status || (tt.error != "" && body["error"] != tt.error) {
				t.Fatalf("%d %v, want %d %s", status, body, tt.status, tt.error)
			}
			if tt.status == 401 && !strings.HasPrefix(header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("401 without a Basic challenge: %v", header)
			}
			if tt.status != 200 {
				if _, ok := body["access_token"]; ok {
					t.Error("a refused request got a token")
				}
				return
			}
			sig, err := jose.ParseSignedCompact(body["access_token"].(string), []jose.SignatureAlgorithm{jose.RS256})
			if err != nil {
				t.Fatal(err)
			}
			var claims struct{ Scope string }
			if err := json.Unmarshal(sig.UnsafePayloadWithoutVerification(), &claims); err != nil {
				t.Fatal(err)
			}
			if claims.Scope != tt.scope {
				t.Errorf("scope %q, want %q", claims.Scope, tt.scope)
			}
		})
	}
}

func TestTokenEndpointTakesOnlyPost(t *testing.T) {
	srv := start(t, time.Now())
	resp, err := http.Get(srv.URL + TokenPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %s, want 405", TokenPath, resp.Status)
	}
}

func TestConfigProblemsAreReportedTogether(t *testing.T) {
	_, err := New(Config{URL: "127.0.0.1:9704", Clients: []Client{
		{ID: "a:b", Secret: "s", Scopes: []string{"x"}},
		{ID: "c", Scopes: []string{"x"}},
		{ID: "d", Secret: "s"},
		{ID: "d", Secret: "s", Scopes: []string{"x"}},
	}})
	for _, want := range []string{"URL", `"a:b"`, "client c has no secret", "client d: want at least one scope", "client d is configured twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}
