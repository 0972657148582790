package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// What the rotator reads: which keys hold a current version, with the ETag
// its conditional write must match, and each version's tags. Neither reads
// a password, so the rotator's role needs no s3:GetObject.

// Current is a key's current version as a listing shows it.
type Current struct {
	Key          string
	ETag         string
	LastModified time.Time
}

// ListCurrent returns up to max current versions of keys starting with
// prefix (S3 answers at most 1,000), in key order, from the token on; ""
// starts at the first. Keys whose latest version is a delete marker are not
// listed. The token is S3's continuation token, for this listing only.
func (s *Store) ListCurrent(ctx context.Context, prefix, token string, max int32) (Page[Current], error) {
	objects, next, err := s.listObjects(ctx, prefix, token, max)
	if err != nil {
		return Page[Current]{}, err
	}
	page := Page[Current]{Items: make([]Current, 0, len(objects)), Next: next}
	for _, o := range objects {
		page.Items = append(page.Items, Current{Key: aws.ToString(o.Key), ETag: aws.ToString(o.ETag), LastModified: aws.ToTime(o.LastModified)})
	}
	return page, nil
}

// Tagging is the tag set of a key's current version, and which version S3
// read it from.
type Tagging struct {
	// VersionID is the version S3 names in its answer, "" when it names
	// none. S3 names the current version of a versioned bucket's object;
	// MinIO names a version only when asked for one, which needs the
	// version id first.
	VersionID string
	Tags      map[string]string
}

// Tags reads the tags of key's current version. A key without one (deleted
// since it was listed) gives an error wrapping ErrNotFound.
func (s *Store) Tags(ctx context.Context, key string) (Tagging, error) {
	ctx, cancel := context.WithTimeout(ctx, readBudget)
	defer cancel()
	out, err := s.client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return Tagging{}, readError("get tags of "+key, false, err)
	}
	t := Tagging{VersionID: aws.ToString(out.VersionId), Tags: make(map[string]string, len(out.TagSet))}
	for _, tag := range out.TagSet {
		t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return t, nil
}
