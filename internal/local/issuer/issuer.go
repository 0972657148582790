// Package issuer is a local OAuth 2.0 authorization server for the
// client_credentials grant, shaped like the Amazon Cognito user pool the
// stack deploys, so that the local HTTP API can be called with tokens the
// way the deployed one is:
//
//   - GET /.well-known/openid-configuration names the issuer, its JWKS and
//     its token endpoint (the discovery API Gateway's JWT authorizer reads);
//   - GET /.well-known/jwks.json serves the RSA public key tokens are
//     checked against;
//   - POST /oauth2/token takes grant_type=client_credentials, the client's
//     id and secret by HTTP Basic authentication, and an optional
//     space-separated scope, and answers {"access_token", "expires_in",
//     "token_type": "Bearer"}.
//
// Access tokens are RS256 JWTs with Cognito's claims for this grant: iss,
// sub and client_id (both the client's id), scope, token_use "access",
// auth_time, iat, exp, jti and version. Errors follow RFC 6749:
// invalid_client (401), invalid_request, unsupported_grant_type and
// invalid_scope (400).
//
// The signing key lives in memory only: tokens do not outlive the issuer.
// Secrets are compared in constant time, and neither secrets nor tokens are
// ever logged.
package issuer

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Client is an app client allowed the client_credentials grant.
type Client struct {
	ID     string
	Secret string
	// Scopes are the scopes the client may ask for; a request naming none
	// gets all of them, as Cognito grants.
	Scopes []string
}

// Config describes the issuer.
type Config struct {
	// URL is the issuer identifier, the base URL clients reach it at
	// (http://127.0.0.1:9704): tokens carry it as iss.
	URL     string
	Clients []Client
	// Key signs the tokens; nil generates a new 2048-bit key.
	Key *rsa.PrivateKey
	// TokenTTL is how long a token is valid; 0 means one hour, Cognito's
	// default for access tokens.
	TokenTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives one line per token request: client, granted scopes and
	// outcome. Nil discards.
	Log *slog.Logger
}

// Issuer serves the endpoints above; it is an http.Handler.
type Issuer struct {
	url     string
	clients map[string]Client
	signer  jose.Signer
	jwks    jose.JSONWebKeySet
	ttl     time.Duration
	now     func() time.Time
	log     *slog.Logger
	mux     *http.ServeMux
}

// The endpoints' paths, below the issuer URL.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks.json"
	TokenPath     = "/oauth2/token"
)

// New validates c and returns the issuer.
func New(c Config) (*Issuer, error) {
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	key := c.Key
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("issuer: generate signing key: %w", err)
		}
	}
	kid := rand.Text()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	i := &Issuer{
		url:     strings.TrimSuffix(c.URL, "/"),
		clients: map[string]Client{},
		signer:  signer,
		jwks: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
			Key: &key.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig",
		}}},
		ttl: c.TokenTTL,
		now: c.Now,
		log: c.Log,
		mux: http.NewServeMux(),
	}
	if i.ttl == 0 {
		i.ttl = time.Hour
	}
	if i.now == nil {
		i.now = time.Now
	}
	if i.log == nil {
		i.log = slog.New(slog.DiscardHandler)
	}
	for _, cl := range c.Clients {
		i.clients[cl.ID] = cl
	}
	i.mux.HandleFunc("GET "+DiscoveryPath, i.discovery)
	i.mux.HandleFunc("GET "+JWKSPath, i.keys)
	i.mux.HandleFunc("POST "+TokenPath, i.token)
	return i, nil
}

func (c Config) validate() error {
	var errs []error
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("URL %q: want the absolute http(s) URL the issuer is reached at", c.URL))
	}
	if len(c.Clients) == 0 {
		errs = append(errs, errors.New("no clients"))
	}
	seen := map[string]bool{}
	for _, cl := range c.Clients {
		switch {
		case cl.ID == "" || strings.ContainsAny(cl.ID, ": \t\r\n"):
			errs = append(errs, fmt.Errorf("client id %q: want a non-empty id without ':' or spaces (HTTP Basic authentication)", cl.ID))
		case seen[cl.ID]:
			errs = append(errs, fmt.Errorf("client %s is configured twice", cl.ID))
		case cl.Secret == "":
			errs = append(errs, fmt.Errorf("client %s has no secret", cl.ID))
		case len(cl.Scopes) == 0 || slices.ContainsFunc(cl.Scopes, func(s string) bool { return s == "" || strings.ContainsAny(s, " \t\r\n") }):
			errs = append(errs, fmt.Errorf("client %s: want at least one scope, each without spaces", cl.ID))
		}
		seen[cl.ID] = true
	}
	if c.TokenTTL < 0 {
		errs = append(errs, fmt.Errorf("token lifetime %v is negative", c.TokenTTL))
	}
	return errors.Join(errs...)
}

// ServeHTTP serves the discovery document, the JWKS and the token endpoint.
func (i *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) { i.mux.ServeHTTP(w, r) }

// TokenURL is the token endpoint.
func (i *Issuer) TokenURL() string { return i.url + TokenPath }
