package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passwordgen/passwordgen/internal/apievent"
	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/store"
)

// reader is what the retriever asks of S3; tests substitute it to reach
// failures a real server will not produce on demand.
type reader interface {
	Get(ctx context.Context, key, versionID string) (store.Object, error)
	List(ctx context.Context, prefix, token string, max int32) (store.Page[store.Listed], error)
	Versions(ctx context.Context, key, token string, max int32) (store.Page[store.Version], error)
}

// retriever answers the HTTP API's read routes:
//
//   - GET /passwords/{name+}: the current version, or ?version_id=;
//   - GET /passwords/{name+}?versions=true: the versions, newest first;
//   - GET /passwords?prefix=: the names under a prefix.
//
// Listings take max_items (1-1000, default 100) and next_token, and never
// carry a password. Every answer has Cache-Control: no-store.
//
// A password past its record's expires_at is refused with 404, by now's
// clock rather than S3's lifecycle, which acts up to a day later; so are
// all the versions of a name whose current password has expired.
type retriever struct {
	config fnconfig.Config
	store  reader
	now    func() time.Time
	log    *slog.Logger
}

const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// retrieval is what one invocation decided. body is for the caller only:
// for a GET it holds the password, so it is never logged.
type retrieval struct {
	status int
	// name is the password's name, or a listing's prefix.
	name      string
	versionID string
	// listing is true for the routes that list; listed counts entries.
	listing bool
	listed  int
	// body is the 200 answer, request id included.
	body any
	// err is the cause of a refusal or failure: shown to the caller for
	// 400, 403 and 404, logged always.
	err    error
	caller string
	route  string
}

func (r *retriever) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := time.Now()
	ctx, cancel := withDeadlineMargin(ctx)
	defer cancel()
	ev := apievent.Parse(payload)
	res := r.handle(ctx, ev)
	res.caller, res.route = ev.Caller(), ev.RouteKey
	res.log(ctx, r.log, time.Since(start))
	return res.response(requestID(ctx))
}

func (r *retriever) handle(ctx context.Context, ev apievent.Event) retrieval {
	switch ev.RouteKey {
	case apispec.RouteGet:
		name := ev.PathParameters["name"]
		if err := naming.ValidateName(name); err != nil {
			return retrieval{status: http.StatusBadRequest, name: name, err: fmt.Errorf("name: %w", err)}
		}
		if !r.config.ClientPrefixes.Allows(ev.HasToken(), ev.ClientID(), name) {
			return retrieval{status: http.StatusForbidden, name: name, err: errors.New(r.config.ClientPrefixes.Refusal(ev.ClientID(), name))}
		}
		if err := onlyQuery(ev.Query, "version_id", "versions", "max_items", "next_token"); err != nil {
			return retrieval{status: http.StatusBadRequest, name: name, err: err}
		}
		switch ev.Query["versions"] {
		case "true":
			if _, ok := ev.Query["version_id"]; ok {
				return retrieval{status: http.StatusBadRequest, name: name, err: errors.New("version_id and versions=true exclude each other: one reads a version, the other lists them")}
			}
			return r.versions(ctx, ev, name)
		case "", "false":
			return r.get(ctx, name, ev.Query["version_id"])
		}
		return retrieval{status: http.StatusBadRequest, name: name, err: fmt.Errorf("versions: want true or false, got %q", ev.Query["versions"])}
	case apispec.RouteList:
		prefix := ev.Query["prefix"]
		if err := onlyQuery(ev.Query, "prefix", "max_items", "next_token"); err != nil {
			return retrieval{status: http.StatusBadRequest, name: prefix, err: err}
		}
		// A prefix is the start of a name: with one more character it
		// must make a valid name (a trailing '/' is fine, "../" is not).
		if prefix != "" {
			if err := naming.ValidateName(prefix + "x"); err != nil {
				return retrieval{status: http.StatusBadRequest, name: prefix, err: fmt.Errorf("prefix: %w", err)}
			}
		}
		if !r.config.ClientPrefixes.Allows(ev.HasToken(), ev.ClientID(), prefix) {
			return retrieval{status: http.StatusForbidden, name: prefix, err: errors.New(r.config.ClientPrefixes.Refusal(ev.ClientID(), prefix))}
		}
		return r.list(ctx, ev, prefix)
	}
	return retrieval{status: http.StatusBadRequest, err: fmt.Errorf("the retrieval function answers the HTTP API's %s and %s routes only", apispec.RouteGet, apispec.RouteList)}
}

// onlyQuery refuses a query parameter the route does not take, as the
// generator refuses unknown fields: a typo must not be silently ignored.
func onlyQuery(query map[string]string, allowed ...string) error {
	for k := range query {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("query parameter %q is not one of %s", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// maxItems reads max_items.
func maxItems(query map[string]string) (int32, error) {
	v, ok := query["max_items"]
	if !ok {
		return defaultMaxItems, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxMaxItems {
		return 0, fmt.Errorf("max_items: want a whole number from 1 to %d, got %q", maxMaxItems, v)
	}
	return int32(n), nil
}

// errExpired marks the refusal of an expired password.
var errExpired = errors.New("expired")

func (r *retriever) get(ctx context.Context, name, versionID string) retrieval {
	key := naming.Key(r.config.KeyPrefix, name)
	// The current version first, even for a read by version id: a name
	// whose password has expired serves none of its versions.
	current, err := r.read(ctx, key, "")
	switch {
	case errors.Is(err, store.ErrNotFound) && versionID != "":
		// No current password, as after a delete: the version read
		// answers for itself.
	case err != nil:
		return r.failed(ctx, name, cmp.Or(versionID, current.VersionID), err)
	case current.expired(r.now()):
		what := "none of its versions is served"
		if versionID == "" {
			what = "it is no longer served"
		}
		return retrieval{status: http.StatusNotFound, name: name, versionID: cmp.Or(versionID, current.VersionID),
			err: fmt.Errorf("%s %w at %s: %s", name, errExpired, current.expiresAt.Format(time.RFC3339), what)}
	case versionID == "" || versionID == current.VersionID:
		return r.answer(ctx, name, current)
	}
	obj, err := r.read(ctx, key, versionID)
	switch {
	case err != nil:
		return r.failed(ctx, name, versionID, err)
	case obj.expired(r.now()):
		return retrieval{status: http.StatusNotFound, name: name, versionID: obj.VersionID,
			err: fmt.Errorf("%s version %q %w at %s: it is no longer served", name, versionID, errExpired, obj.expiresAt.Format(time.RFC3339))}
	}
	return r.answer(ctx, name, obj)
}

// storedRecord is one version as read: the record's own fields, whatever
// version of the generator wrote them, and when it expires.
type storedRecord struct {
	store.Object
	fields map[string]json.RawMessage
	// expiresAt is the zero time for a password that never expires.
	expiresAt time.Time
}

func (s storedRecord) expired(now time.Time) bool {
	return !s.expiresAt.IsZero() && !now.Before(s.expiresAt)
}

// errNotARecord is an object under the prefix that this code did not
// write as it writes records: a 502, since the caller can do nothing.
var errNotARecord = errors.New("the stored object is not a password record")

// read reads one version of key as a record. An expires_at that is not a
// time counts as a broken record rather than as no expiry, so that a
// damaged record is never served past its time.
func (r *retriever) read(ctx context.Context, key, versionID string) (storedRecord, error) {
	obj, err := r.store.Get(ctx, key, versionID)
	if err != nil {
		return storedRecord{}, err
	}
	rec := storedRecord{Object: obj}
	if err := json.Unmarshal(obj.Body, &rec.fields); err != nil || rec.fields == nil {
		return rec, errNotARecord
	}
	if raw, ok := rec.fields["expires_at"]; ok {
		var at string
		if json.Unmarshal(raw, &at) != nil {
			return rec, fmt.Errorf("%w: expires_at is not a string", errNotARecord)
		}
		if rec.expiresAt, err = time.Parse(time.RFC3339, at); err != nil {
			return rec, fmt.Errorf("%w: expires_at: %w", errNotARecord, err)
		}
	}
	return rec, nil
}

// answer is the 200 for a record: its fields plus where it was found.
func (r *retriever) answer(ctx context.Context, name string, rec storedRecord) retrieval {
	body := rec.fields
	for k, v := range map[string]string{
		"password_name": name,
		"s3_key":        naming.Key(r.config.KeyPrefix, name),
		"version_id":    rec.VersionID,
		"last_modified": rec.LastModified.UTC().Format(time.RFC3339),
		"request_id":    requestID(ctx),
	} {
		body[k], _ = json.Marshal(v) // strings always marshal
	}
	return retrieval{status: http.StatusOK, name: name, versionID: rec.VersionID, body: body}
}

type listedName struct {
	Name         string `json:"name"`
	LastModified string `json:"last_modified"`
}

type namesBody struct {
	Prefix    string       `json:"prefix"`
	Names     []listedName `json:"names"`
	NextToken string       `json:"next_token"`
	RequestID string       `json:"request_id"`
}

func (r *retriever) list(ctx context.Context, ev apievent.Event, prefix string) retrieval {
	limit, err := maxItems(ev.Query)
	if err != nil {
		return retrieval{status: http.StatusBadRequest, name: prefix, err: err}
	}
	page, err := r.store.List(ctx, r.config.KeyPrefix+prefix, ev.Query["next_token"], limit)
	if err != nil {
		return r.failed(ctx, prefix, "", err)
	}
	names := []listedName{}
	for _, it := range page.Items {
		// Only records: anything else under the prefix is not a password.
		if name, ok := strings.CutSuffix(strings.TrimPrefix(it.Key, r.config.KeyPrefix), ".json"); ok {
			names = append(names, listedName{name, it.LastModified.UTC().Format(time.RFC3339)})
		}
	}
	return retrieval{status: http.StatusOK, name: prefix, listing: true, listed: len(names),
		body: namesBody{prefix, names, page.Next, requestID(ctx)}}
}

type listedVersion struct {
	VersionID    string `json:"version_id"`
	LastModified string `json:"last_modified"`
	IsLatest     bool   `json:"is_latest"`
	// Deleted marks a delete marker: the name had no password from then.
	Deleted bool `json:"deleted"`
}

type versionsBody struct {
	PasswordName string          `json:"password_name"`
	Versions     []listedVersion `json:"versions"`
	NextToken    string          `json:"next_token"`
	RequestID    string          `json:"request_id"`
}

func (r *retriever) versions(ctx context.Context, ev apievent.Event, name string) retrieval {
	limit, err := maxItems(ev.Query)
	if err != nil {
		return retrieval{status: http.StatusBadRequest, name: name, err: err}
	}
	token := ev.Query["next_token"]
	page, err := r.store.Versions(ctx, naming.Key(r.config.KeyPrefix, name), token, limit)
	if err != nil {
		return r.failed(ctx, name, "", err)
	}
	if len(page.Items) == 0 && token == "" && page.Next == "" {
		return retrieval{status: http.StatusNotFound, name: name, err: fmt.Errorf("%s has never been stored", name)}
	}
	versions := make([]listedVersion, len(page.Items))
	for i, v := range page.Items {
		versions[i] = listedVersion{v.VersionID, v.LastModified.UTC().Format(time.RFC3339), v.IsLatest, v.DeleteMarker}
	}
	return retrieval{status: http.StatusOK, name: name, listing: true, listed: len(versions),
		body: versionsBody{name, versions, page.Next, requestID(ctx)}}
}

// failed turns a store error into the caller's answer.
func (r *retriever) failed(ctx context.Context, name, versionID string, err error) retrieval {
	res := retrieval{name: name, versionID: versionID, err: err}
	switch {
	case errors.Is(err, store.ErrNotFound) && versionID != "":
		res.status, res.err = http.StatusNotFound, fmt.Errorf("%s has no version %q", name, versionID)
	case errors.Is(err, store.ErrNotFound):
		res.status, res.err = http.StatusNotFound, fmt.Errorf("%s has no current password: it was never stored, or it was deleted", name)
	case errors.Is(err, store.ErrBadToken):
		res.status, res.err = http.StatusBadRequest, errors.New("next_token: not a token this listing handed out")
	case errors.Is(err, store.ErrDenied), errors.Is(err, errNotARecord):
		res.status = http.StatusBadGateway
	default:
		res.status = storageStatus(ctx, err)
	}
	return res
}

func (res retrieval) response(requestID string) ([]byte, error) {
	// Neither a password nor a listing may be kept by a cache between the
	// caller and the API.
	headers := map[string]string{"Cache-Control": "no-store"}
	body := res.body
	switch {
	case res.status == http.StatusOK:
	case res.status < 500:
		titles := map[int]string{http.StatusBadRequest: "Invalid request", http.StatusForbidden: "Forbidden", http.StatusNotFound: "Password not found"}
		title := titles[res.status]
		if errors.Is(res.err, errExpired) {
			title = "Password expired"
		}
		body = errorBody{title, res.err.Error(), requestID}
	case errors.Is(res.err, store.ErrDenied):
		body = errorBody{"Failed to read password", "S3 refused the read: access denied. The retrieval function's role or the bucket's key does not allow it; retrying will not help until the deployment is fixed", requestID}
	default:
		body = errorBody{"Failed to read password", "S3 did not answer in time or failed; retry, and report the request id if it persists", requestID}
	}
	return proxyResponse(res.status, headers, body)
}

// log writes the invocation's audit line: who asked for which name (or
// prefix), the version read or the number of entries listed, and how it
// ended. Never the body.
func (res retrieval) log(ctx context.Context, l *slog.Logger, took time.Duration) {
	msg, result := verdict(res.status, "password read", "read")
	extra := []slog.Attr{slog.String("route", res.route)}
	switch {
	case res.listing && res.status == http.StatusOK:
		msg, result = "listed", "listed"
		extra = append(extra, slog.Int("listed", res.listed))
	case errors.Is(res.err, errExpired):
		msg, result = "password expired", "expired"
	}
	audit{res.caller, res.name, res.versionID, res.status, res.err}.write(ctx, l, took, msg, result, extra...)
}
