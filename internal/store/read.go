package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ErrNotFound reports a key without a current version (never stored, or
// its latest version is a delete marker) or a version it does not have.
var ErrNotFound = errors.New("not found")

// ErrBadToken reports a page token that no listing handed out.
var ErrBadToken = errors.New("invalid page token")

const (
	// readBudget bounds a read or a listing page, retries included, like
	// putBudget bounds a write.
	readBudget = 5 * time.Second
	// maxRecord bounds what Get reads: records are well under 10 KB, and
	// the function must not buffer whatever else an object might hold.
	maxRecord = 1 << 20
)

// Object is one stored version of a key.
type Object struct {
	Body         []byte
	VersionID    string
	LastModified time.Time
}

// Get reads key's current version, or the version versionID when it is
// not "". Its errors wrap ErrNotFound or ErrDenied where they apply.
func (s *Store) Get(ctx context.Context, key, versionID string) (Object, error) {
	ctx, cancel := context.WithTimeout(ctx, readBudget)
	defer cancel()
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return Object{}, readError("get "+key, versionID != "", err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxRecord+1))
	switch {
	case err != nil:
		return Object{}, fmt.Errorf("get %s: read body: %w", key, err)
	case len(body) > maxRecord:
		return Object{}, fmt.Errorf("get %s: the object is larger than a record can be (%d bytes)", key, maxRecord)
	}
	return Object{Body: body, VersionID: aws.ToString(out.VersionId), LastModified: aws.ToTime(out.LastModified)}, nil
}

// readError maps S3's refusals: 404 (no such key or version, or a current
// delete marker), 405 (the version asked for is a delete marker) and, for
// a version id S3 cannot parse, 400 all mean there is nothing to read.
func readError(op string, versioned bool, err error) error {
	switch status := httpStatus(err); {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || (versioned && status == http.StatusBadRequest):
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	case status == http.StatusForbidden:
		return fmt.Errorf("%s: %w: %w", op, ErrDenied, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Listed is one key of a listing.
type Listed struct {
	Key          string
	LastModified time.Time
}

// Version is one version of a key, or a delete marker.
type Version struct {
	VersionID    string
	LastModified time.Time
	IsLatest     bool
	DeleteMarker bool
}

// Page is one page of a listing; Next is "" on the last page, else the
// token that asks for the following one.
type Page[T any] struct {
	Items []T
	Next  string
}

// pageToken is what a page token holds, base64url-encoded JSON so that
// callers treat it as opaque.
type pageToken struct {
	Continuation  string `json:"c,omitempty"`
	KeyMarker     string `json:"k,omitempty"`
	VersionMarker string `json:"v,omitempty"`
}

func (p pageToken) encode() string {
	if p == (pageToken{}) {
		return ""
	}
	b, _ := json.Marshal(p) // strings always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (pageToken, error) {
	var p pageToken
	if s == "" {
		return p, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &p) != nil || p == (pageToken{}) {
		return p, ErrBadToken
	}
	return p, nil
}

// List returns up to max keys starting with prefix, in key order, from the
// page token on.
func (s *Store) List(ctx context.Context, prefix, token string, max int32) (Page[Listed], error) {
	var page Page[Listed]
	t, err := decodeToken(token)
	if err != nil {
		return page, err
	}
	// A version listing's token would restart this listing from its first
	// page, silently.
	if t.KeyMarker != "" || t.VersionMarker != "" {
		return page, ErrBadToken
	}
	objects, next, err := s.listObjects(ctx, prefix, t.Continuation, max)
	if err != nil {
		return page, err
	}
	for _, o := range objects {
		page.Items = append(page.Items, Listed{Key: aws.ToString(o.Key), LastModified: aws.ToTime(o.LastModified)})
	}
	if next != "" {
		page.Next = pageToken{Continuation: next}.encode()
	}
	return page, nil
}

// listObjects makes one ListObjectsV2 call, the one listing of current
// versions both List and ListCurrent page through: the page's objects and
// S3's continuation token for the next page, "" after the last.
func (s *Store) listObjects(ctx context.Context, prefix, continuation string, max int32) ([]types.Object, string, error) {
	ctx, cancel := context.WithTimeout(ctx, readBudget)
	defer cancel()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(max)}
	if continuation != "" {
		in.ContinuationToken = aws.String(continuation)
	}
	out, err := s.client.ListObjectsV2(ctx, in)
	if err != nil {
		return nil, "", listError("list "+prefix, continuation != "", err)
	}
	if !aws.ToBool(out.IsTruncated) {
		return out.Contents, "", nil
	}
	return out.Contents, aws.ToString(out.NextContinuationToken), nil
}

// Versions returns up to max versions and delete markers of key, newest
// first, from the page token on.
func (s *Store) Versions(ctx context.Context, key, token string, max int32) (Page[Version], error) {
	var page Page[Version]
	t, err := decodeToken(token)
	if err != nil {
		return page, err
	}
	// A name listing's token, or one from another key's versions, would
	// list from the wrong place without a word.
	if t.Continuation != "" || t != (pageToken{}) && !strings.HasPrefix(t.KeyMarker, key) {
		return page, ErrBadToken
	}
	ctx, cancel := context.WithTimeout(ctx, readBudget)
	defer cancel()
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket), Prefix: aws.String(key), MaxKeys: aws.Int32(max)}
	if t.KeyMarker != "" {
		in.KeyMarker, in.VersionIdMarker = aws.String(t.KeyMarker), aws.String(t.VersionMarker)
	}
	out, err := s.client.ListObjectVersions(ctx, in)
	if err != nil {
		return page, listError("list versions of "+key, t != (pageToken{}), err)
	}
	// The prefix also matches longer keys ("a.json" is a prefix of
	// "a.json.json"); only key's own versions count. S3 lists keys in
	// order, so once a longer key shows, key has no more.
	beyond := false
	for _, v := range out.Versions {
		if aws.ToString(v.Key) != key {
			beyond = true
			continue
		}
		page.Items = append(page.Items, Version{aws.ToString(v.VersionId), aws.ToTime(v.LastModified), aws.ToBool(v.IsLatest), false})
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) != key {
			beyond = true
			continue
		}
		page.Items = append(page.Items, Version{aws.ToString(m.VersionId), aws.ToTime(m.LastModified), aws.ToBool(m.IsLatest), true})
	}
	// S3 lists versions and delete markers apart; merged, the latest
	// first, then newest first.
	slices.SortStableFunc(page.Items, func(a, b Version) int {
		if a.IsLatest != b.IsLatest {
			if a.IsLatest {
				return -1
			}
			return 1
		}
		return b.LastModified.Compare(a.LastModified)
	})
	if aws.ToBool(out.IsTruncated) && !beyond {
		next := pageToken{KeyMarker: aws.ToString(out.NextKeyMarker), VersionMarker: aws.ToString(out.NextVersionIdMarker)}
		more, err := s.versionsAfter(ctx, key, next)
		if err != nil {
			return page, listError("list versions of "+key, true, err)
		}
		if more {
			page.Next = next.encode()
		}
	}
	return page, nil
}

// versionsAfter reports whether key has versions after the markers of a
// full page of its own: the listing goes on to longer keys when it has
// none, and a token for that would only fetch an empty page. (The
// markers cannot tell: S3's NextKeyMarker is key either way, and MinIO's
// carries a cache suffix.) When the answer cannot tell either, it says
// yes: an empty page is better than a version left out.
func (s *Store) versionsAfter(ctx context.Context, key string, after pageToken) (bool, error) {
	out, err := s.client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{
		Bucket: aws.String(s.bucket), Prefix: aws.String(key), MaxKeys: aws.Int32(1),
		KeyMarker: aws.String(after.KeyMarker), VersionIdMarker: aws.String(after.VersionMarker),
	})
	if err != nil {
		return false, err
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			return true, nil
		}
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			return true, nil
		}
	}
	return len(out.Versions)+len(out.DeleteMarkers) == 0 && aws.ToBool(out.IsTruncated), nil
}

// listError reads a 400 after a page token as S3 refusing the token.
func listError(op string, paged bool, err error) error {
	switch status := httpStatus(err); {
	case paged && status == http.StatusBadRequest:
		return fmt.Errorf("%s: %w", op, ErrBadToken)
	case status == http.StatusForbidden:
		return fmt.Errorf("%s: %w: %w", op, ErrDenied, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
