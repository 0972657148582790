package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-jose/go-jose/v4"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/local/issuer"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/syncbuf"
)

// signingKey is the issuer's key in every test, generated once: the tests
// forge tokens with it as well as with other keys.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

var clients = []issuer.Client{
	{ID: "generator", Secret: "generator-local-secret", Scopes: []string{apispec.ScopeGenerate}},
	{ID: "reader", Secret: "reader-local-secret", Scopes: []string{apispec.ScopeRead}},
	{ID: "admin", Secret: "admin-local-secret", Scopes: []string{apispec.ScopeGenerate, apispec.ScopeRead}},
}

// fakeFunction records the events it gets and answers with reply.
type fakeFunction struct {
	mu     sync.Mutex
	events []events.APIGatewayV2HTTPRequest
	reply  func(events.APIGatewayV2HTTPRequest) (lambdaruntime.Result, error)
}

func (f *fakeFunction) Invoke(ctx context.Context, payload []byte) (lambdaruntime.Result, error) {
	var e events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &e); err != nil {
		return lambdaruntime.Result{}, err
	}
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
	if f.reply == nil {
		return lambdaruntime.Result{Payload: []byte(`{"statusCode":201,"headers":{"Content-Type":"application/json","Location":"/passwords/x"},"body":"{\"ok\":true}"}`)}, nil
	}
	return f.reply(e)
}

func (f *fakeFunction) invocations() []events.APIGatewayV2HTTPRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]events.APIGatewayV2HTTPRequest(nil), f.events...)
}

// accessLines decodes the access log, failing on a line that is not a
// JSON object of strings.
func (e *env) accessLines(t *testing.T) []map[string]string {
	t.Helper()
	lines, err := syncbuf.JSONLines[map[string]string](e.accessLog)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// env is an issuer and an API in front of one fake function.
type env struct {
	api       *httptest.Server
	issuerURL string
	kid       string
	fn        *fakeFunction
	accessLog *syncbuf.Buffer
	// jwksFetches counts requests for the issuer's JWKS.
	jwksFetches atomic.Int64
}

// newEnv starts both servers; rate and burst are the API's throttle.
func newEnv(t testing.TB, rate float64, burst int) *env {
	t.Helper()
	e := &env{fn: &fakeFunction{}, accessLog: &syncbuf.Buffer{}}
	iss := httptest.NewUnstartedServer(nil)
	e.issuerURL = "http://" + iss.Listener.Addr().String()
	h, err := issuer.New(issuer.Config{URL: e.issuerURL, Clients: clients, Key: signingKey()})
	if err != nil {
		t.Fatal(err)
	}
	iss.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == issuer.JWKSPath {
			e.jwksFetches.Add(1)
		}
		h.ServeHTTP(w, r)
	})
	iss.Start()
	t.Cleanup(iss.Close)

	var routes []Route
	for _, r := range apispec.Routes {
		routes = append(routes, Route{Key: r.Key, Scopes: []string{r.Scope}, Function: e.fn})
	}
	api, err := New(Config{
		Routes:     routes,
		Issuer:     e.issuerURL,
		Audiences:  []string{"generator", "reader", "admin"},
		RateLimit:  rate,
		BurstLimit: burst,
		AccessLog:  e.accessLog,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.api = httptest.NewServer(api)
	t.Cleanup(e.api.Close)

	var set jose.JSONWebKeySet
	resp, err := http.Get(e.issuerURL + issuer.JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("issuer JWKS: %v %+v", err, set)
	}
	e.kid = set.Keys[0].KeyID
	e.jwksFetches.Store(0)
	return e
}

// token gets an access token from the issuer's token endpoint.
func (e *env) token(t testing.TB, client string, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, _ := http.NewRequest(http.MethodPost, e.issuerURL+issuer.TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, client+"-local-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("token for %s: %s %v", client, resp.Status, err)
	}
	return body.AccessToken
}

// claims are those of a valid admin token, to start a forgery from.
func (e *env) claims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"iss": e.issuerURL, "sub": "admin", "client_id": "admin", "token_use": "access",
		"scope": apispec.ScopeGenerate + " " + apispec.ScopeRead,
		"iat":   now - 10, "auth_time": now - 10, "exp": now + 3600, "jti": "test", "version": 2,
	}
}

// sign signs claims with key under alg, naming kid ("" names none).
func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
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

// reply is an answer of the API.
type reply struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the API with the Authorization header auth
// ("" sends none).
func (e *env) do(t testing.TB, method, path, auth, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, e.api.URL+path, strings.NewReader(body))
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
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}
