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
	"time"

	"github.com/go-jose/go-jose/v4"
)

// refetchAfter bounds how often tokens with unknown key ids make the
// authorizer fetch the JWKS again: a rotated key is picked up quickly, and
// a flood of forged kids costs the issuer one request per interval.
const refetchAfter = 10 * time.Second

// keySet caches the issuer's signing keys by kid.
type keySet struct {
	issuer string
	client *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetched time.Time // last attempt, successful or not
}

func newKeySet(issuer string, log *slog.Logger) *keySet {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &keySet{issuer: issuer, client: &http.Client{Timeout: 5 * time.Second}, log: log}
}

// key returns the RSA key with the id kid; its errors are reasons a token
// is refused.
func (k *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if kid == "" {
		return nil, errors.New("the token has no key id (kid)")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[kid]; ok {
		return key, nil
	}
	if time.Since(k.fetched) >= refetchAfter {
		k.fetched = time.Now()
		keys, err := k.fetch(ctx)
		if err != nil {
			k.log.Error("cannot fetch the issuer's signing keys; every token is refused until they can be fetched", "issuer", k.issuer, "error", err.Error())
			return nil, errors.New("the issuer's signing keys could not be fetched")
		}
		k.keys = keys
	}
	if key, ok := k.keys[kid]; ok {
		return key, nil
	}
	return nil, errors.New("the token's key id (kid) is not among the issuer's signing keys")
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
