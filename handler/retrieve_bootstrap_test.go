package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/local/lambdaruntime"
	"github.com/passwordgen/passwordgen/internal/testkit/handlerbuild"
)

// retrieverOf starts the retrieval function as the stack deploys it: the
// same bootstrap under the handler "retrieve", on d's bucket and
// environment, logging next to the generator.
func retrieverOf(t *testing.T, d *deployment) *deployment {
	t.Helper()
	fn, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
		Binary:       handlerbuild.Binary(t),
		Handler:      apispec.Retriever.Handler(),
		Env:          d.env,
		FunctionName: "password-retriever",
		Logs:         d.logs,
	})
	if err != nil {
		t.Fatalf("start the retriever: %v", err)
	}
	t.Cleanup(func() { fn.Close() })
	r := *d
	r.fn = fn
	return &r
}

func get(client, name string, query map[string]string) apiRequest {
	return apiRequest{Route: apispec.RouteGet, Name: name, Query: query, Client: client}
}

func list(client string, query map[string]string) apiRequest {
	return apiRequest{Route: apispec.RouteList, Query: query, Client: client}
}

// apiCalls sends API events to the functions and keeps every reply, so a
// test can check at the end which of them hold which password.
type apiCalls struct{ replies []reply }

// expect sends req to fn and fails the test unless it answers status.
func (c *apiCalls) expect(t *testing.T, fn *deployment, req apiRequest, status int) reply {
	t.Helper()
	r := fn.invoke(t, event(req))
	c.replies = append(c.replies, r)
	if r.StatusCode != status {
		t.Fatalf("%s %s %v: status %d body %v, want %d", req.Route, req.Name, req.Query, r.StatusCode, r.shown(), status)
	}
	return r
}

// TestBootstrapRetrieverAnswersWhatWasStored stores passwords through the
// generator's API route and reads them back through the retriever: the
// current version and an older one exactly as S3 holds them, with
// no-store; names and versions listed over pages; 404 for what is not
// there, a current delete marker included. Each password appears only in
// the answer that asked for it: not in a listing, a log line or another
// answer.
func TestBootstrapRetrieverAnswersWhatWasStored(t *testing.T) {
	gen := deploy(t, 1, 10*time.Second)
	ret := retrieverOf(t, gen)
	var calls apiCalls
	answer := func(fn *deployment, req apiRequest, status int) reply {
		t.Helper()
		r := calls.expect(t, fn, req, status)
		if fn == ret && r.Headers["Cache-Control"] != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", req.Route, req.Name, r.Headers["Cache-Control"])
		}
		return r
	}
	first := answer(gen, create("admin", `{"name": "team-a/db"}`), 201)
	second := answer(gen, create("admin", `{"name": "team-a/db", "overwrite": true}`), 201)
	for _, name := range []string{"team-a/cache", "team-a/queue", "team-b/db"} {
		answer(gen, create("admin", `{"name": "`+name+`"}`), 201)
	}
	const key = "passwords/team-a/db.json"
	firstID, secondID := first.body["version_id"].(string), second.body["version_id"].(string)
	old, _ := gen.get(t, key, firstID)
	current, _ := gen.get(t, key, secondID)

	t.Run("current and older version", func(t *testing.T) {
		for _, tt := range []struct {
			query    map[string]string
			password string
			version  string
		}{
			{nil, current.Password, secondID},
			{map[string]string{"version_id": firstID}, old.Password, firstID},
		} {
			r := answer(ret, get("reader", "team-a/db", tt.query), 200)
			if r.body["password"] != tt.password || r.body["version_id"] != tt.version || r.body["password_name"] != "team-a/db" || r.body["created_by"] != "admin" {
				t.Errorf("GET %v: version %v, name %v, created_by %v, right password %v", tt.query, r.body["version_id"], r.body["password_name"], r.body["created_by"], r.body["password"] == tt.password)
			}
		}
	})

	t.Run("versions over pages", func(t *testing.T) {
		var ids []string
		token := ""
		for page := 0; page == 0 || token != ""; page++ {
			query := map[string]string{"versions": "true", "max_items": "1"}
			if token != "" {
				query["next_token"] = token
			}
			r := answer(ret, get("reader", "team-a/db", query), 200)
			for _, v := range r.body["versions"].([]any) {
				ids = append(ids, v.(map[string]any)["version_id"].(string))
			}
			token, _ = r.body["next_token"].(string)
		}
		if !slices.Equal(ids, []string{secondID, firstID}) {
			t.Errorf("versions %q, want newest first %q", ids, []string{secondID, firstID})
		}
	})

	t.Run("names over pages", func(t *testing.T) {
		var names []string
		token := ""
		for page := 0; page == 0 || token != ""; page++ {
			query := map[string]string{"prefix": "team-a/", "max_items": "2"}
			if token != "" {
				query["next_token"] = token
			}
			r := answer(ret, list("reader", query), 200)
			for _, n := range r.body["names"].([]any) {
				names = append(names, n.(map[string]any)["name"].(string))
			}
			token, _ = r.body["next_token"].(string)
		}
		if want := []string{"team-a/cache", "team-a/db", "team-a/queue"}; !slices.Equal(names, want) {
			t.Errorf("names %q, want %q", names, want)
		}
	})

	t.Run("nothing there", func(t *testing.T) {
		_, err := gen.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &gen.bucket, Key: aws.String("passwords/team-b/db.json")})
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []apiRequest{
			get("reader", "team-a/never", nil),
			get("reader", "team-b/db", nil),
			get("reader", "team-a/db", map[string]string{"version_id": "00000000-0000-0000-0000-000000000000"}),
			get("reader", "team-a/never", map[string]string{"versions": "true"}),
		} {
			if r := answer(ret, req, 404); r.body["error"] != "Password not found" {
				t.Errorf("GET %s %v: %v", req.Name, req.Query, r.shown())
			}
		}
		// The delete marker is listed, marked, and leads the versions.
		r := answer(ret, get("reader", "team-b/db", map[string]string{"versions": "true"}), 200)
		versions := r.body["versions"].([]any)
		if latest := versions[0].(map[string]any); len(versions) != 2 || latest["deleted"] != true || latest["is_latest"] != true {
			t.Errorf("versions after a delete: %v", versions)
		}
	})

	// Which answers may hold which password: exactly the GETs that asked.
	for _, pw := range []string{old.Password, current.Password} {
		gen.assertSecret(t, pw) // the log
		for _, r := range calls.replies {
			if r.body["password"] != pw {
				gen.assertSecret(t, pw, r)
			}
		}
	}
	assertAudited(t, gen.logs.String())
}

// assertAudited checks that every line of both functions names the caller
// and the outcome, and every line about a password its name.
func assertAudited(t *testing.T, logs string) {
	t.Helper()
	for _, entry := range logEntries(t, logs) {
		if entry["caller"] == nil {
			continue // the runtime's own lines
		}
		if entry["caller"] == "" || entry["outcome"] == "" || entry["status"] == nil || entry["version_id"] == nil {
			t.Errorf("log line %v lacks the caller, outcome, status or version", entry)
		}
		if entry["outcome"] != "rejected" && entry["name"] == nil {
			t.Errorf("log line %v lacks the name", entry)
		}
	}
}

// TestBootstrapPrefixLimitedClientStaysInside: a client limited to team-a/
// gets 403 for anything outside, on every route, listing included, and
// its refused create stores nothing; inside, everything works.
func TestBootstrapPrefixLimitedClientStaysInside(t *testing.T) {
	gen := deploy(t, 1, 10*time.Second, fnconfig.EnvClientPrefixes+`={"team-a":["team-a/"]}`)
	ret := retrieverOf(t, gen)
	if r := gen.invoke(t, event(create("admin", `{"name": "team-b/secret"}`))); r.StatusCode != 201 {
		t.Fatalf("admin create: %d %v", r.StatusCode, r.body)
	}
	tests := []struct {
		name   string
		fn     *deployment
		req    apiRequest
		status int
	}{
		{"create outside", gen, create("team-a", `{"name": "team-b/mine"}`), 403},
		{"read outside", ret, get("team-a", "team-b/secret", nil), 403},
		{"versions outside", ret, get("team-a", "team-b/secret", map[string]string{"versions": "true"}), 403},
		{"list outside", ret, list("team-a", map[string]string{"prefix": "team-b/"}), 403},
		{"list everything", ret, list("team-a", nil), 403},
		{"list a look-alike", ret, list("team-a", map[string]string{"prefix": "team-a"}), 403},
		{"create inside", gen, create("team-a", `{"name": "team-a/mine"}`), 201},
		{"read inside", ret, get("team-a", "team-a/mine", nil), 200},
		{"list inside", ret, list("team-a", map[string]string{"prefix": "team-a/"}), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.fn.invoke(t, event(tt.req))
			if r.StatusCode != tt.status {
				t.Fatalf("status %d body %v, want %d", r.StatusCode, r.shown(), tt.status)
			}
			if msg, _ := r.body["message"].(string); tt.status == 403 && (r.body["error"] != "Forbidden" || !strings.Contains(msg, `"team-a/"`)) {
				t.Errorf("body %v: want Forbidden naming the allowed prefix", r.shown())
			}
		})
	}
	if v := gen.versions(t, "passwords/team-b/"); len(v) != 1 {
		t.Errorf("%d objects under team-b/, want only the admin's", len(v))
	}
	assertAudited(t, gen.logs.String())
}

func TestBootstrapRefusesAnUnknownHandler(t *testing.T) {
	_, err := lambdaruntime.Start(context.Background(), lambdaruntime.Config{
		Binary:  handlerbuild.Binary(t),
		Handler: "bootstrap.retrieve",
		Env:     []string{"AWS_REGION=us-east-1", "BUCKET_NAME=b"},
	})
	var initErr *lambdaruntime.InitError
	if !errors.As(err, &initErr) || !strings.Contains(initErr.Output, "unknown handler") {
		t.Fatalf("Start = %v, want an init error naming the handler", err)
	}
}
