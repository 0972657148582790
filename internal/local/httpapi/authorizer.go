package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// algorithms is the allow-list: API Gateway accepts RSA signatures only,
// and the issuers this stack uses sign with RS256.
var algorithms = []jose.SignatureAlgorithm{jose.RS256}

// authorizer is API Gateway's JWT authorizer with the identity source
// $request.header.Authorization.
type authorizer struct {
	issuer    string
	audiences []string
	keys      *keySet
	now       func() time.Time
}

func newAuthorizer(issuer string, audiences []string, log *slog.Logger) (*authorizer, error) {
	var errs []error
	if u, err := url.Parse(issuer); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("issuer %q: want the issuer's http(s) URL", issuer))
	}
	if len(audiences) == 0 || slices.Contains(audiences, "") {
		errs = append(errs, errors.New("audiences: want at least one, none empty"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &authorizer{issuer: issuer, audiences: audiences, keys: newKeySet(issuer, log), now: time.Now}, nil
}

// identity is what a valid token tells the function.
type identity struct {
	// claims are every claim as a string, as API Gateway passes them.
	claims map[string]string
	scopes []string
}

// refusal is a request the authorizer turned away.
type refusal struct {
	status int
	// reason is the error_description of the challenge and the access
	// log's authorizerError: what was wrong with the token, never the
	// token itself.
	reason string
	scopes []string // the route's, for a 403
}

func unauthorized(reason string) *refusal {
	return &refusal{status: http.StatusUnauthorized, reason: reason}
}

// write answers as API Gateway does, with an RFC 6750 challenge.
func (r *refusal) write(w http.ResponseWriter) {
	if r.status == http.StatusForbidden {
		w.Header().Set("www-authenticate", fmt.Sprintf(`Bearer scope=%q error="insufficient_scope" error_description=%q`, strings.Join(r.scopes, " "), r.reason))
		answer(w, http.StatusForbidden, "Forbidden")
		return
	}
	w.Header().Set("www-authenticate", fmt.Sprintf(`Bearer scope="" error="invalid_token" error_description=%q`, r.reason))
	answer(w, http.StatusUnauthorized, "Unauthorized")
}

// tokenClaims are the claims the authorizer checks.
type tokenClaims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	// Scope is a space-separated string (Cognito, RFC 8693); scp is a
	// string or a list (Okta, Azure AD).
	Scope *string `json:"scope"`
	Scp   any     `json:"scp"`
}

// authorize applies API Gateway's checks in its order: a token, bare or
// after "Bearer "; an RS256 signature by a key of the issuer's JWKS, found
// by kid; iss; aud, or client_id without aud, among the audiences; exp in
// the future (and present), nbf and iat in the past; and one of the
// route's scopes in scope or scp.
func (a *authorizer) authorize(ctx context.Context, header string, routeScopes []string) (identity, *refusal) {
	token := header
	if scheme, rest, ok := strings.Cut(header, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = rest
	}
	if token == "" {
		return identity{}, unauthorized("the request has no token in its Authorization header")
	}
	sig, err := jose.ParseSignedCompact(token, algorithms)
	if err != nil {
		return identity{}, unauthorized("the token is not a JWS signed with RS256")
	}
	if len(sig.Signatures) != 1 {
		return identity{}, unauthorized("the token must carry exactly one signature")
	}
	kid := sig.Signatures[0].Header.KeyID
	key, err := a.keys.key(ctx, kid)
	if err != nil {
		return identity{}, unauthorized(err.Error())
	}
	payload, err := sig.Verify(key)
	if err != nil {
		return identity{}, unauthorized("the token's signature is invalid")
	}
	var c tokenClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return identity{}, unauthorized("the token's claims are not a JSON object of the registered types")
	}
	if c.Issuer != a.issuer {
		return identity{}, unauthorized("the token's issuer is not the authorizer's")
	}
	if !a.audienceMatches(c) {
		return identity{}, unauthorized("the token does not have a valid audience")
	}
	if c.Expiry == nil {
		return identity{}, unauthorized("the token has no expiry")
	}
	switch err := c.ValidateWithLeeway(jwt.Expected{Time: a.now()}, 0); {
	case errors.Is(err, jwt.ErrExpired):
		return identity{}, unauthorized("the token has expired")
	case errors.Is(err, jwt.ErrNotValidYet):
		return identity{}, unauthorized("the token is not valid yet")
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return identity{}, unauthorized("the token was issued in the future")
	case err != nil:
		return identity{}, unauthorized("the token's claims are invalid")
	}
	scopes, ok := c.scopes()
	if !ok {
		return identity{}, unauthorized("the token's scope claim is neither a string nor a list of strings")
	}
	if !slices.ContainsFunc(routeScopes, func(s string) bool { return slices.Contains(scopes, s) }) {
		return identity{}, &refusal{status: http.StatusForbidden, reason: "the token does not hold any of the route's scopes", scopes: routeScopes}
	}
	claims, err := stringClaims(payload)
	if err != nil {
		return identity{}, unauthorized("the token's claims are not a JSON object")
	}
	return identity{claims: claims, scopes: scopes}, nil
}

// audienceMatches checks aud when the token has one, else client_id, as
// API Gateway does: Cognito's access tokens carry client_id and no aud.
func (a *authorizer) audienceMatches(c tokenClaims) bool {
	if len(c.Audience) > 0 {
		return slices.ContainsFunc(a.audiences, c.Audience.Contains)
	}
	return c.ClientID != "" && slices.Contains(a.audiences, c.ClientID)
}

// scopes reads scope, else scp.
func (c tokenClaims) scopes() ([]string, bool) {
	if c.Scope != nil {
		return strings.Fields(*c.Scope), true
	}
	switch v := c.Scp.(type) {
	case nil:
		return nil, true
	case string:
		return strings.Fields(v), true
	case []any:
		out := make([]string, len(v))
		for i, s := range v {
			str, ok := s.(string)
			if !ok {
				return nil, false
			}
			out[i] = str
		}
		return out, true
	}
	return nil, false
}

// stringClaims renders every claim as API Gateway passes claims to a
// function: strings as they are, numbers as written in the token, lists as
// "[a b]", and anything else as its JSON.
func stringClaims(payload []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = claimString(v)
	}
	return out, nil
}

func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = claimString(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	b, _ := json.Marshal(v) // decoded JSON always marshals
	return string(b)
}
