package httpapi

import (
	"context"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

// hangLimit is how long a test waits for an answer before it reports that
// the authorizer hangs: far beyond any answer's time, and far below the
// stalled fetch's own deadline, which the tests set to an hour.
const hangLimit = 10 * time.Second

// answer is what authorize said.
type authAnswer struct {
	id      identity
	refusal *refusal
}

// authorizeAsync runs authorize on its own goroutine.
func authorizeAsync(ctx context.Context, a *authorizer, token string) <-chan authAnswer {
	ch := make(chan authAnswer, 1)
	go func() {
		id, r := a.authorize(ctx, "Bearer "+token, []string{apispec.ScopeRead})
		ch <- authAnswer{id, r}
	}()
	return ch
}

func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangLimit):
		t.Fatalf("%s: no answer in %v", what, hangLimit)
		panic("unreachable")
	}
}

// TestSlowKeyFetchBlocksOnlyUnknownKids: while the issuer is slow to
// answer a JWKS request (a new kid was seen), tokens with known kids are
// answered at once; tokens with the new kid wait for that one fetch, which
// a client going away does not cut short.
func TestSlowKeyFetchBlocksOnlyUnknownKids(t *testing.T) {
	iss := newKeyIssuer(t, map[string]*rsa.PrivateKey{"a": signingKey()})
	clk := &clock{t: time.Now()}
	a := newTestAuthorizer(t, iss, clk)
	a.keys.timeout = time.Hour
	if _, r := a.authorize(t.Context(), "Bearer "+iss.sign(t, "a", nil), []string{apispec.ScopeRead}); r != nil {
		t.Fatal(r.reason)
	}
	<-iss.fetches

	iss.setKeys(map[string]*rsa.PrivateKey{"a": signingKey(), "b": rotatedKey()})
	iss.stall()
	clk.advance(refetchAfter)
	newKid := iss.sign(t, "b", nil)
	// The first token with the new kid starts the fetch, then its client
	// goes away; the others wait for the same fetch.
	gone, leave := context.WithCancel(t.Context())
	departed := authorizeAsync(gone, a, newKid)
	await(t, iss.fetches, "the JWKS request")
	var waiting []<-chan authAnswer
	for range 3 {
		waiting = append(waiting, authorizeAsync(t.Context(), a, newKid))
	}

	known := await(t, authorizeAsync(t.Context(), a, iss.sign(t, "a", nil)), "a known kid during the fetch")
	if known.refusal != nil {
		t.Errorf("a known kid during the fetch: %s", known.refusal.reason)
	}
	leave()
	if r := await(t, departed, "a client that went away").refusal; r == nil || r.status != 401 {
		t.Errorf("a client that went away: %+v, want 401", r)
	}
	iss.release()
	for i, ch := range waiting {
		if r := await(t, ch, "a new kid").refusal; r != nil {
			t.Errorf("new kid, request %d: %s", i, r.reason)
		}
	}
	if n := len(iss.fetches); n != 0 {
		t.Errorf("%d more JWKS requests; want one fetch for every waiting token", n)
	}
}
