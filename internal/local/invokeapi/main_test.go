package invokeapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/invokeapi"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime/fntest"
)

// fn is lambdaruntime's test function (its events name an action: echo,
// whoami, error, ...) running on its real bootstrap, shared by the tests.
var fn *lambdaruntime.Function

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bootstrap, cleanup, err := fntest.Build(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	fn, err = lambdaruntime.Start(ctx, lambdaruntime.Config{
		Binary:       bootstrap,
		Concurrency:  2,
		Timeout:      5 * time.Second,
		FunctionName: "fn",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer fn.Close()
	return m.Run()
}

// recorder passes invocations on and remembers their payloads, so tests can
// tell whether a request reached the function at all.
type recorder struct {
	next invokeapi.Invoker

	mu       sync.Mutex
	payloads []string
	finished int
}

func (r *recorder) Invoke(ctx context.Context, payload []byte) (lambdaruntime.Result, error) {
	r.mu.Lock()
	r.payloads = append(r.payloads, string(payload))
	r.mu.Unlock()
	res, err := r.next.Invoke(ctx, payload)
	r.mu.Lock()
	r.finished++
	r.mu.Unlock()
	return res, err
}

func (r *recorder) seen() (payloads []string, finished int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.payloads...), r.finished
}

// invokerFunc makes a function an Invoker, for outcomes the real runtime
// will not produce on demand.
type invokerFunc func(context.Context, []byte) (lambdaruntime.Result, error)

func (f invokerFunc) Invoke(ctx context.Context, payload []byte) (lambdaruntime.Result, error) {
	return f(ctx, payload)
}

// serve starts the API over functions behind a test server.
func serve(t *testing.T, functions map[string]invokeapi.Invoker) (*invokeapi.Handler, *httptest.Server) {
	t.Helper()
	h, err := invokeapi.New(invokeapi.Config{Region: "us-east-1", Functions: functions})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return h, srv
}

type reply struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, url string, header map[string]string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", method, url, err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func invokeURL(srv *httptest.Server, name string) string {
	return srv.URL + "/2015-03-31/functions/" + name + "/invocations"
}

func post(t *testing.T, srv *httptest.Server, name string, header map[string]string, payload string) reply {
	t.Helper()
	return send(t, http.MethodPost, invokeURL(srv, name), header, strings.NewReader(payload))
}

// bigJSON is a JSON string payload of exactly n bytes.
func bigJSON(n int) string {
	return `"` + strings.Repeat("a", n-2) + `"`
}
