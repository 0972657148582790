package s3local

import (
	"net/http"
	"slices"
	"time"
)

// deleteObject removes one version when a version id is given; otherwise
// it writes a delete marker in a bucket with versioning (enabled or
// suspended) and removes the object in one that never had it, as S3 does.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, name, key string) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	h := w.Header()
	b.mu.Lock()
	defer b.mu.Unlock()
	versions := b.objects[key]
	switch {
	case q.Has("versionId"):
		id := q.Get("versionId")
		if !isVersionID(id) {
			return errInvalidArgument("Invalid version id specified")
		}
		// Deleting a version that does not exist succeeds, as on S3.
		if i := slices.IndexFunc(versions, func(v *version) bool { return v.ID == id }); i >= 0 {
			removed := versions[i]
			if err := b.commit(key, slices.Delete(slices.Clone(versions), i, i+1)); err != nil {
				return err
			}
			b.removeBlob(removed.Blob)
			if removed.DeleteMarker {
				h.Set("x-amz-delete-marker", "true")
			}
		}
		h.Set("x-amz-version-id", id)
	case !b.everVersioned():
		if err := b.commit(key, nil); err != nil {
			return err
		}
		for _, v := range versions {
			b.removeBlob(v.Blob)
		}
	default:
		marker := &version{ID: b.newVersionID(), DeleteMarker: true, LastModified: time.Now().UTC().Truncate(time.Millisecond)}
		withMarker, replaced := b.withNewest(key, marker)
		if err := b.commit(key, withMarker); err != nil {
			return err
		}
		if replaced != nil {
			b.removeBlob(replaced.Blob)
		}
		h.Set("x-amz-delete-marker", "true")
		h.Set("x-amz-version-id", marker.ID)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
