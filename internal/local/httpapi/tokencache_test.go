package httpapi

import (
	"crypto/rsa"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

var (
	readRoute     = []string{apispec.ScopeRead}
	generateRoute = []string{apispec.ScopeGenerate}
)

// sameAnswer reports how two answers of authorize differ, or "".
func sameAnswer(got, want authAnswer) string {
	switch {
	case (got.refusal == nil) != (want.refusal == nil):
		return fmt.Sprintf("refusal %+v, want %+v", got.refusal, want.refusal)
	case got.refusal != nil && (got.refusal.status != want.refusal.status || got.refusal.reason != want.refusal.reason || !slices.Equal(got.refusal.scopes, want.refusal.scopes)):
		return fmt.Sprintf("refusal %+v, want %+v", got.refusal, want.refusal)
	case !maps.Equal(got.id.claims, want.id.claims) || !slices.Equal(got.id.scopes, want.id.scopes):
		return fmt.Sprintf("identity %+v, want %+v", got.id, want.id)
	}
	return ""
}

func authorizeNow(t *testing.T, a *authorizer, token string, route []string) authAnswer {
	t.Helper()
	id, r := a.authorize(t.Context(), "Bearer "+token, route)
	return authAnswer{id, r}
}

// TestCachedTokensGetTheAnswersOfAFirstSight sends tokens again and again,
// on both routes and as time passes, to one authorizer, which caches them,
// and compares each answer with that of an authorizer seeing the token for
// the first time: the same 403s for a missing scope, the same 401 once a
// token has expired, the same claims.
func TestCachedTokensGetTheAnswersOfAFirstSight(t *testing.T) {
	iss := newKeyIssuer(t, map[string]*rsa.PrivateKey{"a": signingKey()})
	start := time.Now()
	clk := &clock{t: start}
	warm := newTestAuthorizer(t, iss, clk)
	expiring := func(scope string, nbf time.Duration) string {
		return iss.sign(t, "a", func(c map[string]any) {
			c["scope"], c["exp"] = scope, start.Add(time.Hour).Unix()
			if nbf != 0 {
				c["nbf"] = start.Add(nbf).Unix()
			}
		})
	}
	tokens := map[string]string{
		"both scopes":    expiring(apispec.ScopeGenerate+" "+apispec.ScopeRead, 0),
		"read only":      expiring(apispec.ScopeRead, 0),
		"generate only":  expiring(apispec.ScopeGenerate, 0),
		"valid from +1m": expiring(apispec.ScopeRead, time.Minute),
	}
	for _, at := range []time.Duration{0, time.Minute + time.Second, 30 * time.Minute, time.Hour + time.Second} {
		clk.set(start.Add(at))
		for name, token := range tokens {
			for _, route := range [][]string{readRoute, generateRoute, readRoute} {
				got := authorizeNow(t, warm, token, route)
				want := authorizeNow(t, newTestAuthorizer(t, iss, clk), token, route)
				if diff := sameAnswer(got, want); diff != "" {
					t.Errorf("%s at +%v on %v: %s", name, at, route, diff)
				}
			}
		}
	}
	if r := authorizeNow(t, warm, tokens["both scopes"], readRoute).refusal; r == nil || r.status != 401 || r.reason != "the token has expired" {
		t.Errorf("a cached token past its exp: %+v, want 401, expired", r)
	}
}

// TestKeyRotationEmptiesTheCache: once the JWKS is fetched again, a token
// verified by a key the issuer has withdrawn (or given to another kid) is
// refused, though it was valid and cached before.
func TestKeyRotationEmptiesTheCache(t *testing.T) {
	for name, rotated := range map[string]map[string]*rsa.PrivateKey{
		"key withdrawn":             {"b": rotatedKey()},
		"its kid names another key": {"a": rotatedKey(), "b": rotatedKey()},
	} {
		t.Run(name, func(t *testing.T) {
			iss := newKeyIssuer(t, map[string]*rsa.PrivateKey{"a": signingKey()})
			clk := &clock{t: time.Now()}
			a := newTestAuthorizer(t, iss, clk)
			old := iss.sign(t, "a", nil)
			if r := authorizeNow(t, a, old, readRoute).refusal; r != nil {
				t.Fatal(r.reason)
			}
			iss.setKeys(rotated)
			clk.advance(refetchAfter)
			if r := authorizeNow(t, a, iss.sign(t, "b", nil), readRoute).refusal; r != nil {
				t.Fatalf("a token of the new key: %s", r.reason)
			}
			if r := authorizeNow(t, a, old, readRoute).refusal; r == nil || r.status != 401 {
				t.Errorf("a cached token of a withdrawn key: %+v, want 401", r)
			}
		})
	}
}

// TestTokensDifferingByOneByteAreNotTakenFromTheCache: the cache is keyed
// by the whole token, so a cached token altered anywhere is verified, and
// refused.
func TestTokensDifferingByOneByteAreNotTakenFromTheCache(t *testing.T) {
	iss := newKeyIssuer(t, map[string]*rsa.PrivateKey{"a": signingKey()})
	a := newTestAuthorizer(t, iss, &clock{t: time.Now()})
	token := iss.sign(t, "a", nil)
	if r := authorizeNow(t, a, token, readRoute).refusal; r != nil {
		t.Fatal(r.reason)
	}
	header, payload := len(token[:strings.IndexByte(token, '.')]), strings.LastIndexByte(token, '.')
	for name, i := range map[string]int{
		"header":    header / 2,
		"payload":   (header + payload) / 2,
		"signature": (payload + len(token)) / 2,
	} {
		altered := []byte(token)
		altered[i] = map[bool]byte{true: 'A', false: 'B'}[altered[i] != 'A']
		if r := authorizeNow(t, a, string(altered), readRoute).refusal; r == nil || r.status != 401 {
			t.Errorf("one byte of the %s changed: %+v, want 401", name, r)
		}
	}
	if r := authorizeNow(t, a, token+"A", readRoute).refusal; r == nil || r.status != 401 {
		t.Errorf("one byte appended: %+v, want 401", r)
	}
	if r := authorizeNow(t, a, token, readRoute).refusal; r != nil {
		t.Errorf("the token itself: %s", r.reason)
	}
}

// TestTheCacheStaysWithinItsBound: more distinct tokens than the cache
// holds, from several goroutines at once, are all accepted, and the cache
// holds no more than its bound.
func TestTheCacheStaysWithinItsBound(t *testing.T) {
	iss := newKeyIssuer(t, map[string]*rsa.PrivateKey{"a": signingKey()})
	a := newTestAuthorizer(t, iss, &clock{t: time.Now()})
	a.keys.cacheSize = 3
	var tokens []string
	for range 10 {
		tokens = append(tokens, iss.sign(t, "a", nil))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(tokens))
	for g := range 4 {
		wg.Go(func() {
			for i := range tokens {
				token := tokens[(i+g*3)%len(tokens)]
				if _, r := a.authorize(t.Context(), token, readRoute); r != nil {
					errs <- r.reason
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for reason := range errs {
		t.Error(reason)
	}
	c := a.keys.verified()
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.entries); n != 3 {
		t.Errorf("the cache holds %d tokens after %d were verified; want its bound, 3", n, len(tokens))
	}
}
