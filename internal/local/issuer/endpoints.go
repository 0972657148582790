package issuer

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// maxForm bounds a token request's body; a real one is a few dozen bytes.
const maxForm = 16 << 10

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                i.url,
		"jwks_uri":                              i.url + JWKSPath,
		"token_endpoint":                        i.TokenURL(),
		"grant_types_supported":                 []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"token"},
		"subject_types_supported":               []string{"public"},
	})
}

func (i *Issuer) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, i.jwks)
}

// claims are the access token's claims, as Cognito issues them for the
// client_credentials grant.
type claims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	TokenUse string `json:"token_use"`
	AuthTime int64  `json:"auth_time"`
	Version  int    `json:"version"`
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	client, known := i.clients[id]
	// Both hashes have the same length, so the comparison takes the same
	// time whatever the secret sent.
	want, got := sha256.Sum256([]byte(client.Secret)), sha256.Sum256([]byte(secret))
	if !ok || !known || subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		i.refuse(w, http.StatusUnauthorized, "invalid_client", "authenticate with the client's id and secret by HTTP Basic authentication", id)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		i.refuse(w, http.StatusBadRequest, "invalid_request", "the body must be a form (application/x-www-form-urlencoded)", id)
		return
	}
	switch grant := r.PostForm.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		i.refuse(w, http.StatusBadRequest, "invalid_request", "grant_type is missing; send grant_type=client_credentials", id)
		return
	default:
		i.refuse(w, http.StatusBadRequest, "unsupported_grant_type", "only grant_type=client_credentials is supported", id)
		return
	}
	scopes := client.Scopes
	if asked := strings.Fields(r.PostForm.Get("scope")); len(asked) > 0 {
		for _, s := range asked {
			if !slices.Contains(client.Scopes, s) {
				i.refuse(w, http.StatusBadRequest, "invalid_scope", "the client may ask for "+strings.Join(client.Scopes, " "), id)
				return
			}
		}
		scopes = slices.Compact(slices.Sorted(slices.Values(asked)))
	}
	now := i.now()
	c := claims{
		Claims: jwt.Claims{
			Issuer:   i.url,
			Subject:  client.ID,
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(now.Add(i.ttl)),
			ID:       rand.Text(),
		},
		ClientID: client.ID,
		Scope:    strings.Join(scopes, " "),
		TokenUse: "access",
		AuthTime: now.Unix(),
		Version:  2,
	}
	token, err := jwt.Signed(i.signer).Claims(c).Serialize()
	if err != nil {
		i.log.Error("sign token", "client_id", id, "error", err.Error())
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	i.log.Info("token issued", "client_id", id, "scope", c.Scope, "expires", c.Expiry.Time().UTC().Format(time.RFC3339))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token,
		"expires_in":   int(i.ttl.Seconds()),
		"token_type":   "Bearer",
	})
}

// refuse answers an RFC 6749 error and logs it with the client id the
// caller sent, never the secret.
func (i *Issuer) refuse(w http.ResponseWriter, status int, code, description, clientID string) {
	i.log.Warn("token refused", "client_id", clientID, "error", code)
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a client that went away has nothing left to tell
}
