package rotation_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/rotation"
	"github.com/passwordgen/passwordgen/internal/store"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
	"github.com/passwordgen/passwordgen/internal/testkit/syncbuf"
)

func TestMain(m *testing.M) { miniotest.Main(m) }

const prefix = "passwords/"

// The passwords' generation parameters, as the generator tags them.
const (
	passwordParams   = `{"type":"password","length":24,"include_uppercase":true,"include_lowercase":true,"include_numbers":true,"include_symbols":true,"symbols":"!@#$%^&*","exclude_characters":"","exclude_ambiguous":false,"require_each_included_type":true,"min_lowercase":0,"min_uppercase":0,"min_numbers":0,"min_symbols":0}`
	passphraseParams = `{"type":"passphrase","words":6,"separator":"-","capitalize":false}`
)

// bucket is a versioned bucket on the test MinIO server, the rotator's
// store on it, and what the test sees: the administrator's client, the
// run's log and every secret a renewal made.
type bucket struct {
	t       *testing.T
	admin   *s3.Client
	name    string
	store   rotation.Store
	log     syncbuf.Buffer
	mu      sync.Mutex
	secrets []string
}

func newBucket(t *testing.T) *bucket {
	t.Helper()
	srv := miniotest.Start(t)
	b := &bucket{t: t, admin: srv.Client(t), name: srv.NewBucket(t)}
	b.store = asS3{store.New(srv.Client(t), b.name, ""), b.admin, b.name}
	return b
}

// asS3 answers tag reads as S3 does, naming the current version. MinIO
// names a version only when asked for one, so the test's administrator
// looks it up: the rotator's role cannot.
type asS3 struct {
	*store.Store
	admin  *s3.Client
	bucket string
}

func (a asS3) Tags(ctx context.Context, key string) (store.Tagging, error) {
	t, err := a.Store.Tags(ctx, key)
	if err != nil || t.VersionID != "" {
		return t, err
	}
	out, err := a.admin.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(a.bucket), Prefix: aws.String(key)})
	if err != nil {
		return t, err
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key && aws.ToBool(v.IsLatest) {
			t.VersionID = aws.ToString(v.VersionId)
		}
	}
	return t, nil
}

// seed stores a password as the generator does: a record, tagged with its
// rotation period and parameters when period is not "".
func (b *bucket) seed(name, period, params string) string {
	b.t.Helper()
	tags := map[string]string{}
	if period != "" {
		var err error
		if tags, err = objecttags.EncodeParams([]byte(params)); err != nil {
			b.t.Fatal(err)
		}
		tags[objecttags.KeyRotateEveryDays] = period
	}
	return b.put(name, []byte(`{"password":"seeded-`+secret()+`"}`), tags)
}

// put writes as the administrator, as any other writer would.
func (b *bucket) put(name string, body []byte, tags map[string]string) string {
	b.t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(b.name), Key: aws.String(prefix + name + ".json"), Body: bytes.NewReader(body)}
	if len(tags) > 0 {
		header, err := objecttags.Header(tags)
		if err != nil {
			b.t.Fatal(err)
		}
		in.Tagging = aws.String(header)
	}
	out, err := b.admin.PutObject(context.Background(), in)
	if err != nil {
		b.t.Fatal(err)
	}
	return aws.ToString(out.VersionId)
}

func secret() string {
	p := make([]byte, 16)
	rand.Read(p)
	return hex.EncodeToString(p)
}

// renew stands in for the handler's generation: a record with a fresh
// secret, which the test remembers so it can look for it where it must
// not be.
func (b *bucket) renew(r rotation.Renewal) ([]byte, error) {
	s := "rotated-" + secret()
	b.mu.Lock()
	b.secrets = append(b.secrets, s)
	b.mu.Unlock()
	return []byte(fmt.Sprintf(`{"password":%q,"created_by":"rotator","rotated_from":%q}`, s, r.From)), nil
}

func (b *bucket) runner() rotation.Runner {
	return rotation.Runner{
		Store:   b.store,
		Prefix:  prefix,
		Renew:   b.renew,
		Workers: 4,
		Log:     slog.New(slog.NewJSONHandler(&b.log, nil)),
	}
}

// version is one stored version of a name, as the administrator sees it.
type version struct {
	id   string
	tags map[string]string
}

// versions lists a name's versions, the latest first, with their tags.
func (b *bucket) versions(name string) []version {
	b.t.Helper()
	ctx := context.Background()
	key := prefix + name + ".json"
	out, err := b.admin.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b.name), Prefix: aws.String(key)})
	if err != nil {
		b.t.Fatal(err)
	}
	var vs []version
	for _, v := range out.Versions {
		if aws.ToString(v.Key) != key {
			continue
		}
		tags, err := b.admin.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b.name), Key: aws.String(key), VersionId: v.VersionId})
		if err != nil {
			b.t.Fatal(err)
		}
		got := version{id: aws.ToString(v.VersionId), tags: map[string]string{}}
		for _, tag := range tags.TagSet {
			got.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		vs = append(vs, got)
	}
	return vs
}

// assertNoSecretLeaked checks the log and every tag of names for the
// secrets the renewals made.
func (b *bucket) assertNoSecretLeaked(names ...string) {
	b.t.Helper()
	var tags strings.Builder
	for _, name := range names {
		for _, v := range b.versions(name) {
			for k, val := range v.tags {
				fmt.Fprintf(&tags, "%s=%s\n", k, val)
			}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.secrets) == 0 {
		b.t.Fatal("no password was generated: the check would prove nothing")
	}
	for _, s := range b.secrets {
		if strings.Contains(b.log.String(), s) {
			b.t.Error("a new password appears in the run's log")
		}
		if strings.Contains(tags.String(), s) {
			b.t.Error("a new password appears in a tag")
		}
	}
}

// future is a run's time far enough ahead (the local stack trusts it) that
// every seeded version is days old by then.
func future(days int) time.Time {
	return time.Now().UTC().Truncate(time.Second).Add(time.Duration(days) * 24 * time.Hour)
}

// TestRunRotatesExactlyTheDuePasswords: as of a time three days ahead, the
// passwords with a period of one or two days are due, those with 30 days,
// with no rotation, or with an expiry are not. Each due one gets exactly
// one new version, with the same parameters and period, rotated_at the
// run's time and rotated_from the version it replaced. A rerun as of the
// same time does nothing.
func TestRunRotatesExactlyTheDuePasswords(t *testing.T) {
	b := newBucket(t)
	old := map[string]string{
		"team-a/db":        b.seed("team-a/db", "1", passwordParams),
		"team-a/phrase":    b.seed("team-a/phrase", "2", passphraseParams),
		"team-b/not-yet":   b.seed("team-b/not-yet", "30", passwordParams),
		"team-b/no-rotate": b.seed("team-b/no-rotate", "", ""),
		"team-b/expiring":  b.put("team-b/expiring", []byte(`{"password":"x"}`), map[string]string{objecttags.KeyExpiresInDays: "1"}),
	}
	at := future(3)
	report, err := b.runner().Run(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	want := rotation.Report{ScheduledTime: at.Format(time.RFC3339), Checked: 5, Due: 2, Rotated: 2, Complete: true}
	if report != want {
		t.Errorf("report %+v, want %+v", report, want)
	}
	params := map[string]string{"team-a/db": passwordParams, "team-a/phrase": passphraseParams}
	periods := map[string]string{"team-a/db": "1", "team-a/phrase": "2"}
	for name, first := range old {
		vs := b.versions(name)
		if _, due := params[name]; !due {
			if len(vs) != 1 {
				t.Errorf("%s, not due: %d versions, want 1", name, len(vs))
			}
			continue
		}
		if len(vs) != 2 || vs[1].id != first {
			t.Errorf("%s: versions %v, want one new version over %s", name, vs, first)
			continue
		}
		got, err := objecttags.DecodeParams(vs[0].tags)
		if err != nil || string(got) != params[name] {
			t.Errorf("%s: new version's parameters %s, %v; want %s", name, got, err, params[name])
		}
		wantTags := map[string]string{
			objecttags.KeyRotateEveryDays: periods[name],
			objecttags.KeyRotatedAt:       at.Format(time.RFC3339),
			objecttags.KeyRotatedFrom:     first,
		}
		for k, v := range wantTags {
			if vs[0].tags[k] != v {
				t.Errorf("%s: tag %s = %q, want %q", name, k, vs[0].tags[k], v)
			}
		}
		if !strings.Contains(b.log.String(), `"name":"`+name+`","key":"`+prefix+name+`.json","rotated_from":"`+first+`","version_id":"`+vs[0].id+`"`) {
			t.Errorf("%s: no log line naming it, the version replaced %s and the new one %s:\n%s", name, first, vs[0].id, b.log.String())
		}
	}
	b.assertNoSecretLeaked("team-a/db", "team-a/phrase")

	again, err := b.runner().Run(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if want := (rotation.Report{ScheduledTime: at.Format(time.RFC3339), Checked: 5, Complete: true}); again != want {
		t.Errorf("rerun as of the same time: %+v, want %+v", again, want)
	}
	for name := range params {
		if n := len(b.versions(name)); n != 2 {
			t.Errorf("%s: %d versions after the rerun, want 2", name, n)
		}
	}
}

// interceptor wraps the rotator's store to act between its steps.
type interceptor struct {
	rotation.Store
	beforePut func(key string)
	afterPut  func(key string, err error)
}

func (i interceptor) Put(ctx context.Context, key string, body []byte, opts store.PutOptions) (string, error) {
	if i.beforePut != nil {
		i.beforePut(key)
	}
	v, err := i.Store.Put(ctx, key, body, opts)
	if i.afterPut != nil {
		i.afterPut(key, err)
	}
	return v, err
}

// TestRunDoesNotClobberAConcurrentOverwrite: a password overwritten after
// the run listed it keeps the overwrite; the run skips it and says so.
func TestRunDoesNotClobberAConcurrentOverwrite(t *testing.T) {
	b := newBucket(t)
	b.seed("db", "1", passwordParams)
	b.seed("cache", "1", passwordParams)
	overwrite := []byte(`{"password":"written-meanwhile"}`)
	var written string
	r := b.runner()
	r.Store = interceptor{Store: b.store, beforePut: func(key string) {
		if key == prefix+"db.json" {
			written = b.put("db", overwrite, nil)
		}
	}}
	report, err := r.Run(context.Background(), future(2))
	if err != nil {
		t.Fatal(err)
	}
	if report.Due != 2 || report.Rotated != 1 || report.Skipped != 1 {
		t.Errorf("report %+v, want 2 due: 1 rotated, 1 skipped", report)
	}
	vs := b.versions("db")
	if len(vs) != 2 || vs[0].id != written {
		t.Fatalf("db: versions %v, want the overwrite %s on top of the first", vs, written)
	}
	out, err := b.admin.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(b.name), Key: aws.String(prefix + "db.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(out.Body)
	if !bytes.Equal(body.Bytes(), overwrite) {
		t.Error("db: the current version is not the overwrite")
	}
	if !strings.Contains(b.log.String(), `"outcome":"skipped"`) || !strings.Contains(b.log.String(), `"name":"db"`) {
		t.Errorf("no log line says db was skipped:\n%s", b.log.String())
	}
}

// TestRunKilledHalfwayThenRerun: a run whose context ends after a few
// writes, some in flight, and a rerun as of the same time leave exactly one
// new version per due password.
func TestRunKilledHalfwayThenRerun(t *testing.T) {
	b := newBucket(t)
	const due = 24
	var names []string
	for i := range due {
		names = append(names, fmt.Sprintf("due-%02d", i))
		b.seed(names[i], "1", passwordParams)
	}
	b.seed("not-due", "30", passwordParams)
	at := future(2)

	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	var puts atomic.Int32
	r := b.runner()
	r.Store = interceptor{Store: b.store, afterPut: func(string, error) {
		if puts.Add(1) == 6 {
			kill()
		}
	}}
	first, _ := r.Run(ctx, at)
	if first.Rotated >= due || first.Complete {
		t.Fatalf("the killed run rotated %d of %d (complete %v): it was not cut short", first.Rotated, due, first.Complete)
	}

	second, err := b.runner().Run(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Complete || second.Failed != 0 {
		t.Errorf("rerun: %+v", second)
	}
	for _, name := range names {
		if n := len(b.versions(name)); n != 2 {
			t.Errorf("%s: %d versions, want the first and exactly one new one", name, n)
		}
	}
	if n := len(b.versions("not-due")); n != 1 {
		t.Errorf("not-due: %d versions", n)
	}
	t.Logf("killed run: %+v; rerun: %+v", first, second)
}

// TestRunStopsBeforeItsDeadlineAndTheNextResumes: a run with too little
// time stops starting passwords at its deadline less the margin, returns
// before the deadline with an incomplete report, and the next run (here as
// of the same time) rotates the rest.
func TestRunStopsBeforeItsDeadlineAndTheNextResumes(t *testing.T) {
	b := newBucket(t)
	const due = 30
	for i := range due {
		b.seed(fmt.Sprintf("due-%02d", i), "1", passwordParams)
	}
	at := future(2)
	r := b.runner()
	r.Workers = 2
	r.Margin = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	// The first two writes go through; the others wait until the run may
	// start no more passwords, so it stops with most of them due however
	// fast MinIO is, and the writes in flight then have the whole margin.
	deadline, _ := ctx.Deadline()
	var puts atomic.Int32
	r.Store = interceptor{Store: b.store, beforePut: func(string) {
		if puts.Add(1) > 2 {
			time.Sleep(time.Until(deadline.Add(-r.Margin)) + 10*time.Millisecond)
		}
	}}
	first, err := r.Run(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the run returned only after its deadline")
	}
	if first.Complete || first.Rotated == 0 || first.Rotated >= due || first.Failed != 0 {
		t.Fatalf("first run %+v: want some rotated, none failed, incomplete", first)
	}

	second, err := b.runner().Run(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Complete || first.Rotated+second.Rotated != due {
		t.Errorf("first %+v, then %+v: want %d rotated in all", first, second, due)
	}
	for i := range due {
		if n := len(b.versions(fmt.Sprintf("due-%02d", i))); n != 2 {
			t.Errorf("due-%02d: %d versions, want 2", i, n)
		}
	}
}

// TestRunLeavesWhatItCannotRotate: parameters the rules in force refuse,
// and tags a rotation could not use, leave the password as it is, logged.
func TestRunLeavesWhatItCannotRotate(t *testing.T) {
	b := newBucket(t)
	b.seed("refused", "1", passwordParams)
	b.put("bad-period", []byte(`{}`), map[string]string{objecttags.KeyRotateEveryDays: "often", "params_1": "e30"})
	b.put("no-params", []byte(`{}`), map[string]string{objecttags.KeyRotateEveryDays: "1"})
	b.seed("fine", "1", passphraseParams)
	r := b.runner()
	r.Renew = func(rn rotation.Renewal) ([]byte, error) {
		if rn.Key == prefix+"refused.json" {
			return nil, fmt.Errorf("%w: length 24 is below the minimum of 32", rotation.ErrRefused)
		}
		return b.renew(rn)
	}
	report, err := r.Run(context.Background(), future(2))
	if err != nil {
		t.Fatal(err)
	}
	if report.Rotated != 1 || report.Left != 3 || report.Failed != 0 {
		t.Errorf("report %+v, want 1 rotated and 3 left", report)
	}
	for _, name := range []string{"refused", "bad-period", "no-params"} {
		if n := len(b.versions(name)); n != 1 {
			t.Errorf("%s: %d versions, want it left as it is", name, n)
		}
		if !strings.Contains(b.log.String(), `"name":"`+name+`"`) {
			t.Errorf("%s: not logged", name)
		}
	}
	if !strings.Contains(b.log.String(), "below the minimum of 32") {
		t.Errorf("the log does not say why refused was left:\n%s", b.log.String())
	}
}

// failingList is a store whose listing fails after its first page.
type failingList struct{ rotation.Store }

func (f failingList) ListCurrent(ctx context.Context, prefix, token string, max int32) (store.Page[store.Current], error) {
	if token != "" {
		return store.Page[store.Current]{}, errors.New("list: 503 SlowDown")
	}
	page, err := f.Store.ListCurrent(ctx, prefix, token, 2)
	return page, err
}

func TestRunReportsAFailedListing(t *testing.T) {
	b := newBucket(t)
	for i := range 3 {
		b.seed(fmt.Sprintf("p%d", i), "1", passwordParams)
	}
	r := b.runner()
	r.Store = failingList{b.store}
	report, err := r.Run(context.Background(), future(2))
	if err == nil || !strings.Contains(err.Error(), "SlowDown") {
		t.Errorf("Run = %v, want the listing's error", err)
	}
	if report.Complete || report.Rotated != 2 {
		t.Errorf("report %+v: want the first page's 2 rotated, incomplete", report)
	}
}

// memRunner is a run over m that makes a record for every due password.
func memRunner(m *memStore, log *syncbuf.Buffer) rotation.Runner {
	return rotation.Runner{
		Store:  m,
		Prefix: prefix,
		Renew:  func(rotation.Renewal) ([]byte, error) { return []byte(`{"password":"new"}`), nil },
		Log:    slog.New(slog.NewJSONHandler(log, nil)),
	}
}

// TestRunKeepsItsConcurrencyBounded: however many passwords are due, no
// more than Workers requests of the run are in flight at once, and the run
// does use that many.
func TestRunKeepsItsConcurrencyBounded(t *testing.T) {
	const workers, due = 3, 60
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	m := newMemStore()
	for i := range due {
		m.add(fmt.Sprintf("%sp%02d.json", prefix, i), 1, at.Add(-48*time.Hour), nil)
	}
	// The first requests wait until as many as the run may have are in
	// flight: a run that makes fewer never gets there. Every request then
	// lasts a moment, so that a run making more shows it.
	var arrived atomic.Int32
	all := make(chan struct{})
	m.hold = func() {
		defer time.Sleep(time.Millisecond)
		switch n := arrived.Add(1); {
		case n == workers:
			close(all)
		case n > workers:
			return
		}
		select {
		case <-all:
		case <-time.After(10 * time.Second):
		}
	}
	var log syncbuf.Buffer
	r := memRunner(m, &log)
	r.Workers = workers
	report, err := r.Run(context.Background(), at)
	if err != nil || report.Rotated != due || !report.Complete {
		t.Fatalf("Run = %+v, %v; want all %d rotated", report, err, due)
	}
	if m.most != workers {
		t.Errorf("at most %d requests in flight at once, want %d", m.most, workers)
	}
}

// TestRunCoversEveryPage: a listing of several pages is judged whole, each
// password once, and each due one written once.
func TestRunCoversEveryPage(t *testing.T) {
	const n = 2345 // two full pages of 1,000 and a partial one
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	m := newMemStore()
	for i := range n {
		period := 1
		if i%2 == 1 {
			period = 30
		}
		m.add(fmt.Sprintf("%sp%04d.json", prefix, i), period, at.Add(-48*time.Hour), nil)
	}
	m.add("other/outside.json", 1, at.Add(-48*time.Hour), nil)
	var log syncbuf.Buffer
	report, err := memRunner(m, &log).Run(context.Background(), at)
	want := rotation.Report{ScheduledTime: at.Format(time.RFC3339), Checked: n, Due: (n + 1) / 2, Rotated: (n + 1) / 2, Complete: true}
	if err != nil || report != want {
		t.Fatalf("Run = %+v, %v; want %+v", report, err, want)
	}
	if m.tagReads != n || m.writes != want.Rotated {
		t.Errorf("%d tag reads and %d writes, want %d and %d", m.tagReads, m.writes, n, want.Rotated)
	}
}

// TestRunCountsFromTheRunThatWroteAVersion: a version the rotator wrote up
// to 12 hours after its run's time is due a period after that time, and
// one written later a period after it was written; versions written less
// than 12 hours before the run cannot be due, and their tags are not read.
func TestRunCountsFromTheRunThatWroteAVersion(t *testing.T) {
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	yesterday := at.Add(-24 * time.Hour)
	stamped := map[string]string{objecttags.KeyRotatedAt: yesterday.Format(time.RFC3339)}
	m := newMemStore()
	m.add(prefix+"within.json", 1, yesterday.Add(12*time.Hour), stamped)
	m.add(prefix+"after.json", 1, yesterday.Add(12*time.Hour+time.Second), stamped)
	var log syncbuf.Buffer
	report, err := memRunner(m, &log).Run(context.Background(), at)
	if err != nil || report.Checked != 2 || report.Rotated != 1 || report.Due != 1 {
		t.Fatalf("Run = %+v, %v; want 1 of 2 rotated", report, err)
	}
	if got := m.objects[prefix+"within.json"].tags[objecttags.KeyRotatedAt]; got != at.Format(time.RFC3339) {
		t.Errorf("within.json was not rotated (rotated_at %s)", got)
	}
	if m.tagReads != 1 {
		t.Errorf("%d tag reads, want 1: after.json, written 12 hours before the run less a second, cannot be due", m.tagReads)
	}
}

// TestRunCountsTagsItCouldNotRead: a tag read that fails counts as failed,
// logged with the name and the cause; a password deleted since the listing
// is simply gone.
func TestRunCountsTagsItCouldNotRead(t *testing.T) {
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	m := newMemStore()
	for _, name := range []string{"unreadable", "deleted", "fine"} {
		m.add(prefix+name+".json", 1, at.Add(-48*time.Hour), nil)
	}
	m.tagErr[prefix+"unreadable.json"] = errors.New("get tags: 503 SlowDown")
	m.tagErr[prefix+"deleted.json"] = fmt.Errorf("get tags: %w", store.ErrNotFound)
	var log syncbuf.Buffer
	report, err := memRunner(m, &log).Run(context.Background(), at)
	want := rotation.Report{ScheduledTime: at.Format(time.RFC3339), Checked: 3, Due: 1, Rotated: 1, Failed: 1, Complete: true}
	if err != nil || report != want {
		t.Fatalf("Run = %+v, %v; want %+v", report, err, want)
	}
	if !strings.Contains(log.String(), `"outcome":"failed","name":"unreadable"`) || !strings.Contains(log.String(), "503 SlowDown") {
		t.Errorf("the log does not name unreadable and the cause:\n%s", log.String())
	}
	if strings.Contains(log.String(), `"name":"deleted"`) {
		t.Errorf("a password deleted since the listing is logged:\n%s", log.String())
	}
}
