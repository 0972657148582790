package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/store"
)

func TestGetReadsCurrentAndOlderVersions(t *testing.T) {
	st, _, _ := minioStore(t, "")
	ctx := context.Background()
	bodies := [][]byte{secretRecord(t), secretRecord(t)}
	var ids []string
	for i, body := range bodies {
		id, err := st.Put(ctx, "p/a.json", body, store.PutOptions{Overwrite: i > 0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, tt := range []struct{ version, wantVersion string }{{"", ids[1]}, {ids[0], ids[0]}, {ids[1], ids[1]}} {
		obj, err := st.Get(ctx, "p/a.json", tt.version)
		want := bodies[slices.Index(ids, tt.wantVersion)]
		if err != nil || !bytes.Equal(obj.Body, want) || obj.VersionID != tt.wantVersion || obj.LastModified.IsZero() {
			t.Errorf("Get version %q: version %q, modified %v, matching body %v, %v", tt.version, obj.VersionID, obj.LastModified, bytes.Equal(obj.Body, want), err)
		}
	}
}

// TestGetFindsNothing: every way of asking for what is not there is
// ErrNotFound, a current delete marker included.
func TestGetFindsNothing(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	ctx := context.Background()
	first, err := st.Put(ctx, "p/deleted.json", secretRecord(t), store.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	del, err := srv.Client(t).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("p/deleted.json")})
	if err != nil || !aws.ToBool(del.DeleteMarker) {
		t.Fatalf("delete: %v", err)
	}
	if _, err := st.Put(ctx, "p/live.json", secretRecord(t), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, key, version string }{
		{"a key never stored", "p/never.json", ""},
		{"a current delete marker", "p/deleted.json", ""},
		{"the delete marker's version", "p/deleted.json", aws.ToString(del.VersionId)},
		{"an unknown version", "p/live.json", "00000000-0000-0000-0000-000000000000"},
		{"a version id S3 cannot parse", "p/live.json", "not-a-version"},
		{"another key's version", "p/live.json", first},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if obj, err := st.Get(ctx, tt.key, tt.version); !errors.Is(err, store.ErrNotFound) || obj.Body != nil {
				t.Errorf("Get = %d bytes, %v; want ErrNotFound", len(obj.Body), err)
			}
		})
	}
	// The version before the delete marker stays readable.
	if _, err := st.Get(ctx, "p/deleted.json", first); err != nil {
		t.Errorf("the version under a delete marker: %v", err)
	}
}

func TestListPaginates(t *testing.T) {
	st, _, _ := minioStore(t, "")
	ctx := context.Background()
	var want []string
	for i := range 7 {
		key := fmt.Sprintf("p/team/k%d.json", i)
		want = append(want, key)
		if _, err := st.Put(ctx, key, secretRecord(t), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Put(ctx, "p/other/x.json", secretRecord(t), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	pages := 0
	for token := ""; pages == 0 || token != ""; pages++ {
		page, err := st.List(ctx, "p/team/", token, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			got = append(got, it.Key)
		}
		token = page.Next
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("%d pages listed %q, want 3 pages of %q", pages, got, want)
	}
}

// TestVersionsPaginatesOneKey lists a key's versions and delete markers,
// the latest first, over pages, leaving out a longer key that shares the
// prefix.
func TestVersionsPaginatesOneKey(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	ctx := context.Background()
	var ids []string
	for i := range 4 {
		id, err := st.Put(ctx, "p/a.json", secretRecord(t), store.PutOptions{Overwrite: i > 0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := st.Put(ctx, "p/a.json.json", secretRecord(t), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	del, err := srv.Client(t).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("p/a.json")})
	if err != nil {
		t.Fatal(err)
	}
	var got []store.Version
	pages := 0
	for token := ""; pages == 0 || token != ""; pages++ {
		page, err := st.Versions(ctx, "p/a.json", token, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Items...)
		token = page.Next
	}
	if len(got) != 5 || pages < 3 {
		t.Fatalf("%d pages, %d versions %+v; want 5 over at least 3 pages", pages, len(got), got)
	}
	if !got[0].DeleteMarker || !got[0].IsLatest || got[0].VersionID != aws.ToString(del.VersionId) {
		t.Errorf("first entry %+v, want the latest, the delete marker", got[0])
	}
	var rest []string
	for _, v := range got[1:] {
		if v.DeleteMarker || v.IsLatest {
			t.Errorf("entry %+v is not a plain older version", v)
		}
		rest = append(rest, v.VersionID)
	}
	slices.Reverse(ids)
	if !slices.Equal(rest, ids) {
		t.Errorf("versions %q, want newest first %q", rest, ids)
	}
}

// TestVersionsEndWithTheKeysLastPage: however a longer key that shares
// the prefix falls across the pages (after a full page of key's own, or
// within its last page), the listing ends with key's last entries and
// never hands out a token for an empty page; nothing of key's is left out.
func TestVersionsEndWithTheKeysLastPage(t *testing.T) {
	tests := []struct {
		name           string
		own, longer    int
		size, wantPage int
	}{
		{"the longer key right after a full page", 4, 3, 2, 2},
		{"the longer key within the last page", 3, 3, 2, 2},
		{"one entry a page, the longer key next", 1, 2, 1, 1},
		{"several pages, then the longer key", 5, 1, 2, 3},
		{"no longer key", 4, 0, 2, 2},
		{"a page for all", 2, 1, 5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, _ := minioStore(t, "")
			ctx := context.Background()
			for key, n := range map[string]int{"p/a.json": tt.own, "p/a.json.json": tt.longer} {
				for i := range n {
					if _, err := st.Put(ctx, key, secretRecord(t), store.PutOptions{Overwrite: i > 0}); err != nil {
						t.Fatal(err)
					}
				}
			}
			var sizes []int
			seen := map[string]bool{}
			for token := ""; len(sizes) == 0 || token != ""; {
				if len(sizes) > tt.own+1 {
					t.Fatalf("still listing after %d pages", len(sizes))
				}
				page, err := st.Versions(ctx, "p/a.json", token, int32(tt.size))
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(page.Items))
				for _, v := range page.Items {
					seen[v.VersionID] = true
				}
				token = page.Next
			}
			if len(sizes) != tt.wantPage || len(seen) != tt.own || slices.Contains(sizes, 0) {
				t.Errorf("pages of %v entries, %d distinct; want %d pages, none empty, %d entries", sizes, len(seen), tt.wantPage, tt.own)
			}
		})
	}
}

func TestListingsRefuseForeignTokens(t *testing.T) {
	st, _, _ := minioStore(t, "")
	ctx := context.Background()
	for _, token := range []string{"%%%", "bm90IGpzb24", "e30"} { // not base64, not JSON, {}
		if _, err := st.List(ctx, "p/", token, 10); !errors.Is(err, store.ErrBadToken) {
			t.Errorf("List with token %q: %v, want ErrBadToken", token, err)
		}
		if _, err := st.Versions(ctx, "p/a.json", token, 10); !errors.Is(err, store.ErrBadToken) {
			t.Errorf("Versions with token %q: %v, want ErrBadToken", token, err)
		}
	}
	// Tokens of the other kind of listing, or of another key's versions,
	// would list from the wrong place without a word.
	token := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	if _, err := st.List(ctx, "p/", token(`{"k":"p/a.json","v":"1"}`), 10); !errors.Is(err, store.ErrBadToken) {
		t.Errorf("List with a version listing's token: %v, want ErrBadToken", err)
	}
	if _, err := st.Versions(ctx, "p/a.json", token(`{"c":"x"}`), 10); !errors.Is(err, store.ErrBadToken) {
		t.Errorf("Versions with a name listing's token: %v, want ErrBadToken", err)
	}
	if _, err := st.Versions(ctx, "p/a.json", token(`{"k":"p/b.json","v":"1"}`), 10); !errors.Is(err, store.ErrBadToken) {
		t.Errorf("Versions with another key's token: %v, want ErrBadToken", err)
	}
}

func TestReadsRefusedByS3AreDenied(t *testing.T) {
	newFakeS3(t, denied)
	st := newStore(t, "bucket", "")
	ctx := context.Background()
	if _, err := st.Get(ctx, "p/a.json", ""); !errors.Is(err, store.ErrDenied) {
		t.Errorf("Get: %v, want ErrDenied", err)
	}
	if _, err := st.List(ctx, "p/", "", 10); !errors.Is(err, store.ErrDenied) {
		t.Errorf("List: %v, want ErrDenied", err)
	}
	if _, err := st.Versions(ctx, "p/a.json", "", 10); !errors.Is(err, store.ErrDenied) {
		t.Errorf("Versions: %v, want ErrDenied", err)
	}
}
