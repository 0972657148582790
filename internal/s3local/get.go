package s3local

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// getObject serves GetObject and HeadObject.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, name, key string) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	b.mu.Lock()
	v, err := b.find(key, r.URL.Query())
	var f *os.File
	if err == nil {
		// Opened under the lock: a concurrent DELETE may remove the file,
		// but not before it is open, and an open file stays readable.
		f, err = os.Open(b.blobPath(v.Blob))
	}
	everVersioned := b.everVersioned()
	b.mu.Unlock()
	if err != nil {
		return err
	}
	defer f.Close()

	h := w.Header()
	for name, value := range v.Header {
		h.Set(name, value)
	}
	h.Set("ETag", v.ETag)
	h.Set("Last-Modified", v.LastModified.Format(http.TimeFormat))
	writeVersionHeader(h, everVersioned, v.ID)
	notModified, err := checkPreconditions(r.Header, v)
	if err != nil {
		return err
	}
	if notModified {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	// A checksum covers the whole object, so a range gets none, as on S3.
	if strings.EqualFold(r.Header.Get("x-amz-checksum-mode"), "ENABLED") && r.Header.Get("Range") == "" {
		setChecksumHeaders(h, v)
	}
	// Preconditions are settled; ServeContent is left to handle Range.
	ranged := r.Clone(r.Context())
	for _, c := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		ranged.Header.Del(c)
	}
	http.ServeContent(w, ranged, "", v.LastModified, f)
	return nil
}

// find returns the version a GET, HEAD or DELETE addresses, or S3's error
// for it. The caller holds b.mu.
func (b *bucket) find(key string, q url.Values) (*version, error) {
	if !q.Has("versionId") {
		v := b.latest(key)
		if v == nil {
			return nil, errNoSuchKey()
		}
		if v.DeleteMarker {
			return nil, errNoSuchKey().withDeleteMarker(v.ID)
		}
		return v, nil
	}
	id := q.Get("versionId")
	if !isVersionID(id) {
		return nil, errInvalidArgument("Invalid version id specified")
	}
	for _, v := range b.objects[key] {
		if v.ID != id {
			continue
		}
		if v.DeleteMarker {
			return nil, newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").withDeleteMarker(id)
		}
		return v, nil
	}
	return nil, errNoSuchVersion()
}

// checkPreconditions applies GET's conditional headers in the order RFC 9110
// and S3 use: If-Match before If-Unmodified-Since, If-None-Match before
// If-Modified-Since.
func checkPreconditions(h http.Header, v *version) (notModified bool, err error) {
	modified := v.LastModified.Truncate(time.Second)
	if m := h.Get("If-Match"); m != "" {
		if !etagMatches(m, v.ETag) {
			return false, errPreconditionFailed("If-Match")
		}
	} else if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil && modified.After(t) {
		return false, errPreconditionFailed("If-Unmodified-Since")
	}
	if m := h.Get("If-None-Match"); m != "" {
		return etagMatches(m, v.ETag), nil
	}
	if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil && !modified.After(t) {
		return true, nil
	}
	return false, nil
}

func etagMatches(list, etag string) bool {
	for candidate := range strings.SplitSeq(list, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || strings.Trim(candidate, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}
