package stack

import (
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/local/httpapi"
	"github.com/passwordgen/passwordgen/internal/local/issuer"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
)

// Defaults of the HTTP API and its token issuer, documented in README.
// The throttle's are the deployed stack's defaults.
const (
	DefaultHTTPAddr   = "127.0.0.1:9703"
	DefaultIssuerAddr = "127.0.0.1:9704"
	DefaultRateLimit  = 10
	DefaultBurstLimit = 20
)

// retrieverName is the retrieval function's name on the Invoke API.
const retrieverName = "password-retriever"

// Client is an app client of the local issuer, and the name prefixes the
// functions limit it to (none: every name).
type Client struct {
	// Name is the client's role, by which README and the flags know it
	// whatever its id: generator, reader, admin or team-a.
	Name string
	issuer.Client
	Prefixes []string
}

// DefaultClients are the clients README's commands use, each with the
// secret "<id>-local-secret": one per scope, one with both, and team-a,
// with both but limited to team-a/.
func DefaultClients() []Client {
	client := func(id string, prefixes []string, scopes ...string) Client {
		return Client{Name: id, Client: issuer.Client{ID: id, Secret: id + "-local-secret", Scopes: scopes}, Prefixes: prefixes}
	}
	return []Client{
		client("generator", nil, apispec.ScopeGenerate),
		client("reader", nil, apispec.ScopeRead),
		client("admin", nil, apispec.ScopeGenerate, apispec.ScopeRead),
		client("team-a", []string{"team-a/"}, apispec.ScopeGenerate, apispec.ScopeRead),
	}
}

// clientPrefixes is what the functions enforce for clients.
func clientPrefixes(clients []Client) apispec.ClientPrefixes {
	p := apispec.ClientPrefixes{}
	for _, c := range clients {
		if len(c.Prefixes) > 0 {
			p[c.ID] = c.Prefixes
		}
	}
	return p
}

// apiConfig is what serveAPI needs besides the listeners.
type apiConfig struct {
	clients     []Client
	key         *rsa.PrivateKey // nil: a new one
	rate, burst int
	functions   map[apispec.Function]lambdaruntime.Invoker
	log         *slog.Logger // the stack's log
	accessLog   io.Writer
}

// serveAPI serves the issuer on issuerLn and the HTTP API on httpLn, with
// every app client of the issuer as an audience, as Cognito's are.
func serveAPI(c apiConfig, httpLn, issuerLn net.Listener, failed chan<- error) (api, tokens *http.Server, err error) {
	issuerURL := endpoint(issuerLn.Addr())
	var clients []issuer.Client
	var audiences []string
	for _, cl := range c.clients {
		clients = append(clients, cl.Client)
		audiences = append(audiences, cl.ID)
	}
	iss, err := issuer.New(issuer.Config{URL: issuerURL, Clients: clients, Key: c.key, Log: c.log})
	if err != nil {
		return nil, nil, err
	}
	var routes []httpapi.Route
	for _, r := range apispec.Routes {
		routes = append(routes, httpapi.Route{Key: r.Key, Scopes: []string{r.Scope}, Function: c.functions[r.Function]})
	}
	h, err := httpapi.New(httpapi.Config{
		Routes:     routes,
		Issuer:     issuerURL,
		Audiences:  audiences,
		RateLimit:  float64(c.rate),
		BurstLimit: c.burst,
		AccessLog:  c.accessLog,
		Log:        c.log,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the HTTP API: %w", err)
	}
	return serve(httpLn, h, "HTTP API", failed), serve(issuerLn, iss, "token issuer", failed), nil
}
