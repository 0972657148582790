package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-jose/go-jose/v4"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/local/issuer"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/apitest"
	"github.com/passwordgen/passwordgen/internal/testkit/jwttest"
	"github.com/passwordgen/passwordgen/internal/testkit/syncbuf"
)

// signingKey is the issuer's key in every test, generated once: the tests
// forge tokens with it as well as with other keys.
var signingKey = sync.OnceValue(generateKey)

// rotatedKey is the issuer's next signing key in the key rotation tests.
var rotatedKey = sync.OnceValue(generateKey)

func generateKey() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
}

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

	e.kid = jwttest.KeyID(t, e.issuerURL)
	e.jwksFetches.Store(0)
	return e
}

// token gets an access token from the issuer's token endpoint.
func (e *env) token(t testing.TB, client string, scope string) string {
	t.Helper()
	return jwttest.Token(t, e.issuerURL, client, client+"-local-secret", scope)
}

// issuer is the env's issuer, for forging tokens.
func (e *env) issuer() jwttest.Issuer {
	return jwttest.Issuer{
		URL: e.issuerURL, Key: signingKey(), KeyID: e.kid,
		Valid: func(t testing.TB) string { return e.token(t, "admin", "") },
	}
}

// claims are those of a valid admin token, to start a forgery from.
func (e *env) claims() map[string]any {
	return e.issuer().Claims("admin", apispec.ScopeGenerate, apispec.ScopeRead)
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
	a := apitest.Call(t, e.api.URL, method, path, auth, body)
	return reply{status: a.Status, header: a.Header, body: a.Body}
}

// keyIssuer is an issuer's discovery document and JWKS, whose keys a test
// changes, and which a test can stall: then JWKS requests wait until it
// releases them.
type keyIssuer struct {
	url string
	// fetches receives one value as each JWKS request arrives.
	fetches chan struct{}

	mu      sync.Mutex
	keys    map[string]*rsa.PrivateKey // by kid
	stalled chan struct{}              // closed by release; nil when not stalled
}

func newKeyIssuer(t *testing.T, keys map[string]*rsa.PrivateKey) *keyIssuer {
	t.Helper()
	k := &keyIssuer{keys: keys, fetches: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == issuer.DiscoveryPath {
			writeTestJSON(w, map[string]string{"issuer": k.url, "jwks_uri": k.url + issuer.JWKSPath})
			return
		}
		k.fetches <- struct{}{}
		k.mu.Lock()
		stalled := k.stalled
		var set jose.JSONWebKeySet
		for kid, key := range k.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &key.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"})
		}
		k.mu.Unlock()
		if stalled != nil {
			<-stalled
		}
		writeTestJSON(w, set)
	}))
	k.url = srv.URL
	t.Cleanup(srv.Close)
	t.Cleanup(k.release) // before Close, which waits for stalled requests
	return k
}

func writeTestJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // a test's values always encode
}

// setKeys replaces the JWKS, as a key rotation does.
func (k *keyIssuer) setKeys(keys map[string]*rsa.PrivateKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = keys
}

// stall makes JWKS requests wait until release.
func (k *keyIssuer) stall() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stalled = make(chan struct{})
}

func (k *keyIssuer) release() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stalled != nil {
		close(k.stalled)
		k.stalled = nil
	}
}

// sign issues a token for the admin client with both scopes, signed by
// the key kid, with edit applied to its claims.
func (k *keyIssuer) sign(t *testing.T, kid string, edit func(claims map[string]any)) string {
	t.Helper()
	k.mu.Lock()
	key := k.keys[kid]
	k.mu.Unlock()
	c := jwttest.Issuer{URL: k.url}.Claims("admin", apispec.ScopeGenerate, apispec.ScopeRead)
	c["jti"] = rand.Text() // every token distinct
	if edit != nil {
		edit(c)
	}
	return jwttest.Sign(t, jose.RS256, key, kid, c)
}

// clock is a test's time, which it moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestAuthorizer is an authorizer of k's tokens for the audience admin,
// on clk's time.
func newTestAuthorizer(t *testing.T, k *keyIssuer, clk *clock) *authorizer {
	t.Helper()
	a, err := newAuthorizer(k.url, []string{"admin"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.now, a.keys.now = clk.now, clk.now
	return a
}
