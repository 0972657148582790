package stack_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/apispec"
	localstack "github.com/passwordgen/passwordgen/internal/local/stack"
	"github.com/passwordgen/passwordgen/internal/testkit/apitest"
	"github.com/passwordgen/passwordgen/internal/testkit/jwttest"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
	"github.com/passwordgen/passwordgen/internal/testkit/syncbuf"
)

// The tests in this file run the local stack in this process, with free
// ports and a signing key of their own, and call its HTTP API over real
// HTTP as curl would: token, create, read, list, and every refusal.

// local is a running stack.
type local struct {
	lambda, api, issuer, s3 string
	key                     *rsa.PrivateKey
	// log is everything the stack logs: its own lines, the functions'
	// and the HTTP API's access log.
	log *syncbuf.Buffer
	// answers are every HTTP API answer, for the leak check.
	mu      sync.Mutex
	answers []string
}

var printedEndpoints = regexp.MustCompile(`(?s)Lambda Invoke API\s+(http://\S+).*S3 API \(MinIO\)\s+(http://\S+).*HTTP API\s+(http://\S+).*Token issuer\s+(http://\S+)`)

// startLocal runs the stack with the HTTP API's limits rate and burst,
// and any other options edits set, until the test ends.
func startLocal(t testing.TB, rate, burst int, edits ...func(*localstack.Options)) *local {
	t.Helper()
	miniotest.Binary(t) // skips, or fails in CI, without the pinned build
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	l := &local{key: key, log: &syncbuf.Buffer{}}
	out := &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	o := localstack.Options{
		LambdaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", IssuerAddr: "127.0.0.1:0",
		DataDir: t.TempDir(), Concurrency: 2, RateLimit: rate, BurstLimit: burst, IssuerKey: key,
		Out: out, Log: l.log,
	}
	for _, edit := range edits {
		edit(&o)
	}
	go func() { done <- localstack.Run(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stack stopped with %v", err)
		}
	})
	deadline := time.After(5 * time.Minute) // a cold build cache compiles the AWS SDK
	for !strings.Contains(out.String(), "Press Ctrl-C to stop") {
		select {
		case err := <-done:
			t.Fatalf("the stack stopped before it was ready: %v\n%s", err, l.log)
		case <-deadline:
			t.Fatal("the stack was not ready within 5 minutes")
		case <-time.After(50 * time.Millisecond):
		}
	}
	m := printedEndpoints.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no endpoints in:\n%s", out)
	}
	l.lambda, l.s3, l.api, l.issuer = m[1], m[2], m[3], m[4]
	return l
}

// token gets a token for one of the default clients from the issuer.
func (l *local) token(t testing.TB, client string) string {
	t.Helper()
	return "Bearer " + jwttest.Token(t, l.issuer, client, client+"-local-secret", "")
}

// issuerUnderAttack is the issuer as the forgeries need it.
func (l *local) issuerUnderAttack(t *testing.T) jwttest.Issuer {
	return jwttest.Issuer{URL: l.issuer, Key: l.key, KeyID: jwttest.KeyID(t, l.issuer), Valid: func(t testing.TB) string {
		return strings.TrimPrefix(l.token(t, "admin"), "Bearer ")
	}}
}

// answer is one HTTP API answer.
type answer struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// call sends method path with the Authorization header auth ("" for none).
func (l *local) call(t *testing.T, method, path, auth, body string) answer {
	t.Helper()
	r := apitest.Call(t, l.api, method, path, auth, body)
	a := answer{status: r.Status, header: r.Header, raw: r.Body}
	_ = json.Unmarshal([]byte(r.Body), &a.body) // a few answers are not objects
	l.mu.Lock()
	l.answers = append(l.answers, a.raw)
	l.mu.Unlock()
	return a
}

// s3Client reads the bucket with the administrator's keys README gives.
func (l *local) s3Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(l.s3),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local-secret", ""),
		UsePathStyle: true,
	})
}

// stored reads one version of a password from S3, the truth the API must
// answer with.
func (l *local) stored(t *testing.T, name, version string) string {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(localstack.DefaultBucket), Key: aws.String("passwords/" + name + ".json")}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := l.s3Client().GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("read %s from S3: %v", name, err)
	}
	defer out.Body.Close()
	var rec struct {
		Password string `json:"password"`
	}
	if err := json.NewDecoder(out.Body).Decode(&rec); err != nil || rec.Password == "" {
		t.Fatalf("%s in S3 is not a record: %v", name, err)
	}
	return rec.Password
}

// keys lists what S3 holds under passwords/<prefix>.
func (l *local) keys(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := l.s3Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(localstack.DefaultBucket), Prefix: aws.String("passwords/" + prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, v := range out.Versions {
		keys = append(keys, aws.ToString(v.Key))
	}
	return keys
}

// assertOnlyAskedFor fails if a password appears in the stack's log, in
// the access log, or in any answer but a GET of that very password.
func (l *local) assertOnlyAskedFor(t *testing.T, passwords ...string) {
	t.Helper()
	for _, pw := range passwords {
		if strings.Contains(l.log.String(), pw) {
			t.Error("the stack's log (functions, access log) holds a stored password")
		}
		l.mu.Lock()
		for _, a := range l.answers {
			var body struct {
				Password string `json:"password"`
			}
			_ = json.Unmarshal([]byte(a), &body)
			if body.Password != pw && strings.Contains(a, pw) {
				t.Error("an answer other than the GET that asked for it holds a stored password")
			}
		}
		l.mu.Unlock()
	}
}

// TestHTTPAPIEndToEnd walks the proofs over real HTTP against the
// local stack: token, 201, 409; a GET that answers exactly what S3 holds,
// with no-store; an older version, the versions, a list, pages; every bad
// token answered 401 and every missing scope or foreign prefix 403, none
// storing or revealing anything; an expiring password refused once
// expired; and no password anywhere but in the GET that asked for it.
func TestHTTPAPIEndToEnd(t *testing.T) {
	l := startLocal(t, 1000, 1000)
	admin := l.token(t, "admin")
	var passwords []string

	first := l.call(t, "POST", "/passwords", admin, `{"length": 24, "name": "team-a/db"}`)
	if first.status != 201 || first.header.Get("Location") != "/passwords/team-a/db" {
		t.Fatalf("create: %d %v %s", first.status, first.header, first.raw)
	}
	if again := l.call(t, "POST", "/passwords", admin, `{"name": "team-a/db"}`); again.status != 409 {
		t.Errorf("create again: %d, want 409", again.status)
	}
	second := l.call(t, "POST", "/passwords", admin, `{"name": "team-a/db", "overwrite": true}`)
	if second.status != 201 {
		t.Fatalf("overwrite: %d %s", second.status, second.raw)
	}
	firstID, secondID := first.body["version_id"].(string), second.body["version_id"].(string)
	old, current := l.stored(t, "team-a/db", firstID), l.stored(t, "team-a/db", secondID)
	passwords = append(passwords, old, current)

	t.Run("GET answers exactly what S3 holds", func(t *testing.T) {
		for _, tt := range []struct{ query, want, version string }{{"", current, secondID}, {"?version_id=" + firstID, old, firstID}} {
			r := l.call(t, "GET", "/passwords/team-a/db"+tt.query, l.token(t, "reader"), "")
			if r.status != 200 || r.body["password"] != tt.want || r.body["version_id"] != tt.version || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("GET %q: %d, version %v, Cache-Control %q, right password %v", tt.query, r.status, r.body["version_id"], r.header.Get("Cache-Control"), r.body["password"] == tt.want)
			}
			if r.body["created_by"] != "admin" {
				t.Errorf("GET %q: created_by %v, want the creating client", tt.query, r.body["created_by"])
			}
		}
	})

	t.Run("versions and names over pages", func(t *testing.T) {
		for _, name := range []string{"team-a/cache", "team-a/queue", "team-b/db"} {
			if r := l.call(t, "POST", "/passwords", admin, `{"name": "`+name+`"}`); r.status != 201 {
				t.Fatalf("create %s: %d", name, r.status)
			}
			passwords = append(passwords, l.stored(t, name, ""))
		}
		collect := func(path, field, key string) []string {
			var got []string
			token := ""
			for page := 0; page == 0 || token != ""; page++ {
				p := path + "&max_items=1"
				if token != "" {
					p += "&next_token=" + url.QueryEscape(token)
				}
				r := l.call(t, "GET", p, admin, "")
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", p, r.status, r.raw)
				}
				for _, item := range r.body[field].([]any) {
					got = append(got, item.(map[string]any)[key].(string))
				}
				token, _ = r.body["next_token"].(string)
			}
			return got
		}
		if got := collect("/passwords/team-a/db?versions=true", "versions", "version_id"); !slices.Equal(got, []string{secondID, firstID}) {
			t.Errorf("versions %q, want %q", got, []string{secondID, firstID})
		}
		if got := collect("/passwords?prefix=team-a/", "names", "name"); !slices.Equal(got, []string{"team-a/cache", "team-a/db", "team-a/queue"}) {
			t.Errorf("names %q", got)
		}
		if r := l.call(t, "GET", "/passwords/team-a/nothing", admin, ""); r.status != 404 {
			t.Errorf("an unknown name: %d, want 404", r.status)
		}
	})

	t.Run("bad tokens answer 401 and store or reveal nothing", func(t *testing.T) {
		bad := jwttest.BadTokens(l.issuerUnderAttack(t), "admin", apispec.ScopeGenerate, apispec.ScopeRead)
		if len(bad) < 15 {
			t.Fatalf("%d kinds of bad token, want at least 15", len(bad))
		}
		for i, b := range bad {
			auth := b.Header(t)
			for _, req := range [][3]string{
				{"POST", "/passwords", fmt.Sprintf(`{"name": "bad/%d"}`, i)},
				{"GET", "/passwords/team-a/db", ""},
				{"GET", "/passwords?prefix=team-a/", ""},
			} {
				r := l.call(t, req[0], req[1], auth, req[2])
				if r.status != 401 || r.raw != `{"message":"Unauthorized"}` || !strings.Contains(r.header.Get("www-authenticate"), `error="invalid_token"`) {
					t.Errorf("%s: %s %s: %d %s, want 401 Unauthorized with the invalid_token challenge", b.Name, req[0], req[1], r.status, r.raw)
				}
			}
		}
		if keys := l.keys(t, "bad/"); len(keys) != 0 {
			t.Errorf("bad tokens stored %q", keys)
		}
	})

	t.Run("a missing scope or a foreign prefix answers 403 on every route", func(t *testing.T) {
		generator, reader, teamA := l.token(t, "generator"), l.token(t, "reader"), l.token(t, "team-a")
		for _, tt := range []struct {
			who, auth, method, path, body string
			status                        int
		}{
			{"generate-only", generator, "GET", "/passwords/team-a/db", "", 403},
			{"generate-only", generator, "GET", "/passwords?prefix=team-a/", "", 403},
			{"read-only", reader, "POST", "/passwords", `{"name": "denied/reader"}`, 403},
			{"team-a", teamA, "POST", "/passwords", `{"name": "denied/team-a"}`, 403},
			{"team-a", teamA, "GET", "/passwords/team-b/db", "", 403},
			{"team-a", teamA, "GET", "/passwords/team-b/db?versions=true", "", 403},
			{"team-a", teamA, "GET", "/passwords?prefix=team-b/", "", 403},
			{"team-a", teamA, "GET", "/passwords", "", 403},
			{"team-a", teamA, "POST", "/passwords", `{"name": "team-a/own"}`, 201},
			{"team-a", teamA, "GET", "/passwords/team-a/own", "", 200},
			{"team-a", teamA, "GET", "/passwords?prefix=team-a/", "", 200},
		} {
			r := l.call(t, tt.method, tt.path, tt.auth, tt.body)
			if r.status != tt.status {
				t.Errorf("%s %s %s: %d %s, want %d", tt.who, tt.method, tt.path, r.status, r.raw, tt.status)
			}
			if tt.path == "/passwords/team-a/own" {
				passwords = append(passwords, l.stored(t, "team-a/own", ""))
			}
		}
		if keys := l.keys(t, "denied/"); len(keys) != 0 {
			t.Errorf("refused creates stored %q", keys)
		}
	})

	t.Run("an expiring password", func(t *testing.T) {
		passwords = append(passwords, expiringPassword(t, l, admin)...)
	})

	l.assertOnlyAskedFor(t, passwords...)
	if !bytes.Contains([]byte(l.log.String()), []byte(`"routeKey":"POST /passwords"`)) {
		t.Error("no access log line in the stack's log")
	}
}

// TestHTTPAPIThrottleEndToEnd sends a burst past the stage's limit, from
// two clients at once: exactly what the bucket admitted runs, the rest
// answers API Gateway's 429, and throttled requests store nothing.
func TestHTTPAPIThrottleEndToEnd(t *testing.T) {
	const burst, sent = 5, 30
	l := startLocal(t, 1, burst)
	tokens := []string{l.token(t, "admin"), l.token(t, "generator")}
	start := time.Now()
	var wg sync.WaitGroup
	statuses := make([]int, sent)
	for i := range sent {
		wg.Go(func() {
			statuses[i] = l.call(t, "POST", "/passwords", tokens[i%2], fmt.Sprintf(`{"name": "burst/%d"}`, i)).status
		})
	}
	wg.Wait()
	// The bucket starts full and gains one token a second.
	allowed := burst + int(time.Since(start).Seconds())
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] < burst || count[201] > allowed || count[201]+count[429] != sent {
		t.Errorf("statuses %v: want %d to %d created and the rest 429", count, burst, allowed)
	}
	if keys := l.keys(t, "burst/"); len(keys) != count[201] {
		t.Errorf("%d objects stored for %d created; throttled requests must store nothing", len(keys), count[201])
	}
	for _, a := range l.answers {
		if strings.Contains(a, "Too Many") && a != `{"message":"Too Many Requests"}` {
			t.Errorf("429 body %s", a)
		}
	}
}
