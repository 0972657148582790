package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
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
	return &authorizer{issuer: issuer, audiences: audiences, keys: newKeySet(issuer, log, time.Now), now: time.Now}, nil
}

// identity is what a valid token tells the function. A cached token's
// identity serves every request that sends it: nothing may change it.
type identity struct {
	// claims are every claim as a string, as API Gateway passes them.
	claims map[string]string
	scopes []string
}

// verified is a token whose signature, iss, aud and claim types were
// checked: what its bytes and the issuer's keys decide, which a key
// rotation alone can change.
type verified struct {
	id                  identity
	expiry              time.Time
	notBefore, issuedAt *time.Time
}

// invalidAt says why the token is not valid at now, or "" when it is.
func (v *verified) invalidAt(now time.Time) string {
	switch {
	case now.After(v.expiry):
		return "the token has expired"
	case v.notBefore != nil && now.Before(*v.notBefore):
		return "the token is not valid yet"
	case v.issuedAt != nil && now.Before(*v.issuedAt):
		return "the token was issued in the future"
	}
	return ""
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

// authorize applies API Gateway's checks in its order: a token, bare or
// after "Bearer "; an RS256 signature by a key of the issuer's JWKS, found
// by kid; iss; aud, or client_id without aud, among the audiences; exp in
// the future (and present), nbf and iat in the past; and one of the
// route's scopes in scope or scp. A token seen before, byte for byte, and
// verified by the current keys is taken from the cache instead of being
// verified again: its times and the route's scopes are still checked, so
// it gets the answer a first sight would.
func (a *authorizer) authorize(ctx context.Context, header string, routeScopes []string) (identity, *refusal) {
	token := header
	if scheme, rest, ok := strings.Cut(header, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = rest
	}
	if token == "" {
		return identity{}, unauthorized("the request has no token in its Authorization header")
	}
	now := a.now()
	sum := sha256.Sum256([]byte(token))
	v, ok := a.keys.verified().get(sum, now)
	if !ok {
		var gen *keyGeneration
		var refused *refusal
		if v, gen, refused = a.verify(ctx, token, now); refused != nil {
			return identity{}, refused
		}
		gen.verified.put(sum, v)
	}
	if !slices.ContainsFunc(routeScopes, func(s string) bool { return slices.Contains(v.id.scopes, s) }) {
		return identity{}, &refusal{status: http.StatusForbidden, reason: "the token does not hold any of the route's scopes", scopes: routeScopes}
	}
	return v.id, nil
}

// verify checks a token seen for the first time, all but the route's
// scopes, and returns it with the key generation whose key verified it.
func (a *authorizer) verify(ctx context.Context, token string, now time.Time) (*verified, *keyGeneration, *refusal) {
	sig, err := jose.ParseSignedCompact(token, algorithms)
	if err != nil {
		return nil, nil, unauthorized("the token is not a JWS signed with RS256")
	}
	if len(sig.Signatures) != 1 {
		return nil, nil, unauthorized("the token must carry exactly one signature")
	}
	key, gen, err := a.keys.key(ctx, sig.Signatures[0].Header.KeyID)
	if err != nil {
		return nil, nil, unauthorized(err.Error())
	}
	payload, err := sig.Verify(key)
	if err != nil {
		return nil, nil, unauthorized("the token's signature is invalid")
	}
	// One decoding serves the checks and the claims the function gets.
	c, err := decodeClaims(payload)
	if err != nil {
		return nil, nil, unauthorized("the token's claims are not a JSON object of the registered types")
	}
	if c.issuer != a.issuer {
		return nil, nil, unauthorized("the token's issuer is not the authorizer's")
	}
	if !a.audienceMatches(c) {
		return nil, nil, unauthorized("the token does not have a valid audience")
	}
	if c.expiry == nil {
		return nil, nil, unauthorized("the token has no expiry")
	}
	v := &verified{expiry: *c.expiry, notBefore: c.notBefore, issuedAt: c.issuedAt}
	if reason := v.invalidAt(now); reason != "" {
		return nil, nil, unauthorized(reason)
	}
	v.id.claims = make(map[string]string, len(c.raw))
	for k, val := range c.raw {
		v.id.claims[k] = claimString(val)
	}
	v.id.scopes = c.scopes
	return v, gen, nil
}

// audienceMatches checks aud when the token has one, else client_id, as
// API Gateway does: Cognito's access tokens carry client_id and no aud.
func (a *authorizer) audienceMatches(c claims) bool {
	if len(c.audience) > 0 {
		return slices.ContainsFunc(a.audiences, func(aud string) bool { return slices.Contains(c.audience, aud) })
	}
	return c.clientID != "" && slices.Contains(a.audiences, c.clientID)
}

// claims are a token's claims: those the authorizer checks, typed, and
// all of them as decoded.
type claims struct {
	issuer, clientID            string
	audience, scopes            []string
	expiry, notBefore, issuedAt *time.Time
	raw                         map[string]any
}

// errClaimType reports a registered claim of the wrong JSON type.
var errClaimType = errors.New("a registered claim has the wrong type")

// decodeClaims reads the payload, numbers as written, and the registered
// claims by their RFC 7519 types: iss and client_id strings, aud a string
// or a list of strings, exp, nbf and iat numbers of seconds, and the
// scopes from scope (a space-separated string, as Cognito and RFC 8693
// write it) or else scp (a string or a list, as Okta and Azure AD do).
func decodeClaims(payload []byte) (claims, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var c claims
	if err := dec.Decode(&c.raw); err != nil || c.raw == nil {
		return c, errClaimType
	}
	var errs []error
	str := func(name string) string {
		v, ok := c.raw[name].(string)
		if _, present := c.raw[name]; present && !ok {
			errs = append(errs, errClaimType)
		}
		return v
	}
	date := func(name string) *time.Time {
		v, present := c.raw[name]
		if !present {
			return nil
		}
		n, ok := v.(json.Number)
		f, err := n.Float64()
		// Far beyond any real date, the seconds would overflow a time.
		if !ok || err != nil || math.Abs(f) > 1e15 {
			errs = append(errs, errClaimType)
			return nil
		}
		sec := math.Floor(f)
		t := time.Unix(int64(sec), int64((f-sec)*float64(time.Second)))
		return &t
	}
	c.issuer, c.clientID = str("iss"), str("client_id")
	c.expiry, c.notBefore, c.issuedAt = date("exp"), date("nbf"), date("iat")
	var ok bool
	if c.audience, ok = stringList(c.raw["aud"], false); !ok {
		errs = append(errs, errClaimType)
	}
	if scope, present := c.raw["scope"]; present {
		s, isString := scope.(string)
		if !isString {
			errs = append(errs, errClaimType)
		}
		c.scopes = strings.Fields(s)
	} else if c.scopes, ok = stringList(c.raw["scp"], true); !ok {
		errs = append(errs, errClaimType)
	}
	return c, errors.Join(errs...)
}

// stringList reads a claim that is a string or a list of strings; split
// says whether a string holds several values separated by spaces.
func stringList(v any, split bool) ([]string, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case string:
		if split {
			return strings.Fields(v), true
		}
		return []string{v}, true
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

// claimString renders a claim as API Gateway passes claims to a function:
// strings as they are, numbers as written in the token, lists as "[a b]",
// and anything else as its JSON.
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
