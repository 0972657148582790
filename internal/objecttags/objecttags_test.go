package objecttags

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParamsRoundTrip(t *testing.T) {
	for _, params := range [][]byte{
		[]byte(`{"type":"password","length":20}`),
		// Characters S3 refuses in tags, and enough of them to need
		// several tags.
		[]byte(`{"symbols":"!\"#$%&'()*<>?[]^{|}~` + strings.Repeat(`\\`, 400) + `"}`),
	} {
		tags, err := EncodeParams(params)
		if err != nil {
			t.Fatalf("EncodeParams(%d bytes): %v", len(params), err)
		}
		if _, err := Header(tags); err != nil {
			t.Errorf("tags of %d bytes of parameters are not valid S3 tags: %v", len(params), err)
		}
		got, err := DecodeParams(tags)
		if err != nil || !bytes.Equal(got, params) {
			t.Errorf("DecodeParams(EncodeParams(%q)) = %q, %v", params, got, err)
		}
	}
}

func TestEncodeParamsRefusesWhatCannotFit(t *testing.T) {
	fits := bytes.Repeat([]byte("x"), maxParamTags*MaxValueLength*3/4)
	tags, err := EncodeParams(fits)
	if err != nil || len(tags) != maxParamTags {
		t.Fatalf("EncodeParams(%d bytes) = %d tags, %v; want exactly %d tags", len(fits), len(tags), err, maxParamTags)
	}
	_, err = EncodeParams(append(fits, 'x'))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("EncodeParams(%d bytes) error = %v, want ErrTooLarge", len(fits)+1, err)
	}
}

func TestDecodeParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tags    map[string]string
		want    string
		wantErr bool
	}{
		{name: "no parameters", tags: map[string]string{KeyExpiresInDays: "7"}},
		{name: "one part", tags: map[string]string{"params_1": "e30"}, want: "{}"},
		{name: "gap", tags: map[string]string{"params_1": "e3", "params_3": "0"}, wantErr: true},
		{name: "not base64url", tags: map[string]string{"params_1": "e30="}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeParams(tc.tags)
			if (err != nil) != tc.wantErr || string(got) != tc.want {
				t.Errorf("DecodeParams(%v) = %q, %v; want %q, error %v", tc.tags, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	got, err := Header(map[string]string{KeyRotatedAt: "2026-11-30T00:00:00Z", KeyRotateEveryDays: "30"})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(got)
	if q.Get(KeyRotatedAt) != "2026-11-30T00:00:00Z" || q.Get(KeyRotateEveryDays) != "30" || len(q) != 2 {
		t.Errorf("Header = %q", got)
	}
	eleven := map[string]string{}
	for _, k := range strings.Split("a b c d e f g h i j k", " ") {
		eleven[k] = "v"
	}
	for name, tags := range map[string]map[string]string{
		"eleven tags":      eleven,
		"reserved prefix":  {"AWS:x": "v"},
		"long value":       {"k": strings.Repeat("v", MaxValueLength+1)},
		"long key":         {strings.Repeat("k", MaxKeyLength+1): "v"},
		"empty key":        {"": "v"},
		"illegal in value": {"k": "a!b"},
		"illegal in key":   {"k#": "v"},
	} {
		if _, err := Header(tags); err == nil {
			t.Errorf("%s: Header accepted %v", name, tags)
		}
	}
}
