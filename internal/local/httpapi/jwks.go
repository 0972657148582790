package httpapi

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// refetchAfter bounds how often tokens with unknown key ids make the
// authorizer fetch the JWKS again: a rotated key is picked up quickly, and
// a flood of forged kids costs the issuer one request per interval.
const refetchAfter = 10 * time.Second

// fetchTimeout bounds one fetch of the discovery document and the JWKS.
const fetchTimeout = 5 * time.Second

// keySet caches the issuer's signing keys by kid. A token with a known kid
// never waits for the network: a fetch runs on its own goroutine, under
// its own deadline rather than a request's (a client that goes away does
// not cut it short), one at a time; tokens with unknown kids wait for it.
type keySet struct {
	issuer    string
	client    *http.Client
	log       *slog.Logger
	now       func() time.Time
	timeout   time.Duration // of one fetch
	cacheSize int           // of each generation's verified tokens

	current atomic.Pointer[keyGeneration]

	mu      sync.Mutex
	fetched time.Time    // start of the last attempt, successful or not
	flight  *fetchFlight // the fetch under way; nil when none
}

// keyGeneration is one successful fetch of the JWKS and the tokens its
// keys verified. A fetch replaces both, so that no token verified by a key
// the issuer has since withdrawn is taken from the cache.
type keyGeneration struct {
	keys     map[string]*rsa.PublicKey
	verified *tokenCache
}

// fetchFlight is one fetch; done is closed when it ends, err set before.
type fetchFlight struct {
	done chan struct{}
	err  error
}

func newKeySet(issuer string, log *slog.Logger, now func() time.Time) *keySet {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	k := &keySet{issuer: issuer, client: &http.Client{}, log: log, now: now, timeout: fetchTimeout, cacheSize: maxVerifiedTokens}
	k.current.Store(&keyGeneration{verified: newTokenCache(k.cacheSize)})
	return k
}

var errUnknownKid = errors.New("the token's key id (kid) is not among the issuer's signing keys")

// verified is the cache of the tokens the current keys verified.
func (k *keySet) verified() *tokenCache { return k.current.Load().verified }

// key returns the RSA key with the id kid, and the generation it belongs
// to; its errors are reasons a token is refused.
func (k *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, *keyGeneration, error) {
	if kid == "" {
		return nil, nil, errors.New("the token has no key id (kid)")
	}
	if gen := k.current.Load(); gen.keys[kid] != nil {
		return gen.keys[kid], gen, nil
	}
	f, gen := k.fetchFor(kid)
	switch {
	case gen != nil:
		return gen.keys[kid], gen, nil
	case f == nil:
		return nil, nil, errUnknownKid
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, nil, errors.New("the request ended while the issuer's signing keys were being fetched")
	}
	if f.err != nil {
		return nil, nil, f.err
	}
	if gen := k.current.Load(); gen.keys[kid] != nil {
		return gen.keys[kid], gen, nil
	}
	return nil, nil, errUnknownKid
}

// fetchFor returns the generation holding kid if a fetch that has just
// ended brought it, or else the fetch to wait for: the one under way, or a
// new one unless the last began less than refetchAfter ago (then nil).
func (k *keySet) fetchFor(kid string) (*fetchFlight, *keyGeneration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	// Read again under the lock: a fetch stores its keys before it ends.
	if gen := k.current.Load(); gen.keys[kid] != nil {
		return nil, gen
	}
	if k.flight == nil && k.now().Sub(k.fetched) >= refetchAfter {
		k.fetched = k.now()
		k.flight = &fetchFlight{done: make(chan struct{})}
		go k.refresh(k.flight)
	}
	return k.flight, nil
}

// refresh runs fetch f and, when it succeeds, replaces the keys and with
// them the cache of the tokens they verified.
func (k *keySet) refresh(f *fetchFlight) {
	ctx, cancel := context.WithTimeout(context.Background(), k.timeout)
	defer cancel()
	keys, err := k.fetch(ctx)
	if err != nil {
		k.log.Error("cannot fetch the issuer's signing keys; tokens signed by keys not yet fetched are refused until they can be", "issuer", k.issuer, "error", err.Error())
		f.err = errors.New("the issuer's signing keys could not be fetched")
	}
	k.mu.Lock()
	if err == nil {
		k.current.Store(&keyGeneration{keys: keys, verified: newTokenCache(k.cacheSize)})
	}
	k.flight = nil
	k.mu.Unlock()
	close(f.done)
}

// fetch reads the discovery document, then the JWKS it names, keeping the
// RSA signing keys.
func (k *keySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := k.get(ctx, strings.TrimSuffix(k.issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	if disc.Issuer != k.issuer || disc.JWKSURI == "" {
		return nil, fmt.Errorf("discovery names issuer %q and jwks_uri %q; want issuer %q and a jwks_uri", disc.Issuer, disc.JWKSURI, k.issuer)
	}
	var set jose.JSONWebKeySet
	if err := k.get(ctx, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, jwk := range set.Keys {
		if rsaKey, ok := jwk.Key.(*rsa.PublicKey); ok && jwk.KeyID != "" && jwk.Use != "enc" {
			keys[jwk.KeyID] = rsaKey
		}
	}
	return keys, nil
}

func (k *keySet) get(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
