package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/store"
)

// TestListCurrentGivesWhatAReplacementMatches lists current versions over
// pages, each with the ETag a conditional replacement of it must name,
// leaving out keys outside the prefix and keys whose latest version is a
// delete marker.
func TestListCurrentGivesWhatAReplacementMatches(t *testing.T) {
	st, srv, bucket := minioStore(t, "")
	ctx := context.Background()
	var want []string
	for i := range 5 {
		key := fmt.Sprintf("p/k%d.json", i)
		want = append(want, key)
		if _, err := st.Put(ctx, key, secretRecord(t), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"p/deleted.json", "q/outside.json"} {
		if _, err := st.Put(ctx, key, secretRecord(t), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.Client(t).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("p/deleted.json")}); err != nil {
		t.Fatal(err)
	}

	var listed []store.Current
	pages := 0
	for token := ""; pages == 0 || token != ""; pages++ {
		page, err := st.ListCurrent(ctx, "p/", token, 2)
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, page.Items...)
		token = page.Next
	}
	var keys []string
	for _, c := range listed {
		keys = append(keys, c.Key)
	}
	if !slices.Equal(keys, want) || pages != 3 {
		t.Fatalf("%d pages listed %q, want 3 pages of %q", pages, keys, want)
	}
	for _, c := range listed {
		if c.LastModified.IsZero() {
			t.Errorf("%s: no LastModified", c.Key)
		}
		if _, err := st.Put(ctx, c.Key, secretRecord(t), store.PutOptions{IfMatch: c.ETag}); err != nil {
			t.Errorf("%s: replace with the listed ETag %s: %v", c.Key, c.ETag, err)
		}
	}
}

// TestTagsReadTheCurrentVersion reads the current version's tags, none
// for an untagged object, and a missing key as not found.
func TestTagsReadTheCurrentVersion(t *testing.T) {
	st, _, _ := minioStore(t, "")
	ctx := context.Background()
	first := map[string]string{"rotate_every_days": "30", "params_1": "e30"}
	if _, err := st.Put(ctx, "p/a.json", secretRecord(t), store.PutOptions{Tags: first}); err != nil {
		t.Fatal(err)
	}
	second := map[string]string{"rotate_every_days": "7", "params_1": "e30", "rotated_at": "2026-11-30T00:00:00Z"}
	if _, err := st.Put(ctx, "p/a.json", secretRecord(t), store.PutOptions{Overwrite: true, Tags: second}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Tags(ctx, "p/a.json")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Tags, second) {
		t.Errorf("Tags = %v, want the latest version's %v", got.Tags, second)
	}

	if _, err := st.Put(ctx, "p/untagged.json", secretRecord(t), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Tags(ctx, "p/untagged.json"); err != nil || len(got.Tags) != 0 {
		t.Errorf("untagged: Tags = %v, %v; want none", got.Tags, err)
	}
	if _, err := st.Tags(ctx, "p/missing.json"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing key: %v, want ErrNotFound", err)
	}
}

// TestTagsNameTheVersionS3Reports: S3 answers GetObjectTagging of the
// current version with that version's id, which a rotation records as the
// version it replaced. MinIO does not, so this takes S3's answer from a
// stand-in.
func TestTagsNameTheVersionS3Reports(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.URL.Query()["tagging"]; !ok || r.URL.Query().Has("versionId") {
			t.Errorf("request %s %s, want GetObjectTagging of the current version", r.Method, r.URL)
		}
		w.Header().Set("x-amz-version-id", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>rotate_every_days</Key><Value>30</Value></Tag></TagSet></Tagging>`)
	}))
	t.Cleanup(srv.Close)
	useEndpoint(t, srv.URL, "AKIDEXAMPLE", "secret")
	got, err := newStore(t, "bucket", "").Tags(context.Background(), "p/a.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Tagging{VersionID: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", Tags: map[string]string{"rotate_every_days": "30"}}); got.VersionID != want.VersionID || !maps.Equal(got.Tags, want.Tags) {
		t.Errorf("Tags = %+v, want %+v", got, want)
	}
}
