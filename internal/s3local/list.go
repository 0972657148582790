package s3local

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxListKeys is S3's page size limit for object listings.
const maxListKeys = 1000

func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// intParam reads an optional integer query parameter within [lo, hi]; S3
// caps page sizes rather than rejecting large ones.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo {
		return 0, errInvalidArgument("Provided %s not an integer or within integer range", name)
	}
	return min(n, hi), nil
}

// Continuation tokens are opaque to clients; here they carry the last name
// of the previous page.
func encodeToken(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

func decodeToken(q url.Values) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(q.Get("continuation-token"))
	if err != nil {
		return "", errInvalidArgument("The continuation token provided is incorrect")
	}
	return string(raw), nil
}

// listing holds what both object listings share: which keys they cover and
// how keys roll up into common prefixes.
type listing struct {
	prefix, delimiter string
	// urlEncode is encoding-type=url: names are percent-encoded so that keys
	// holding characters XML cannot carry survive. The AWS CLI always asks
	// for it.
	urlEncode bool
	maxKeys   int
}

// newListing reads the query parameters both listings share, after checking
// that the bucket exists: S3 reports NoSuchBucket before any bad parameter.
func (s *Server) newListing(name string, q url.Values) (*bucket, listing, error) {
	b, err := s.bucket(name)
	if err != nil {
		return nil, listing{}, err
	}
	l := listing{prefix: q.Get("prefix"), delimiter: q.Get("delimiter")}
	switch q.Get("encoding-type") {
	case "":
	case "url":
		l.urlEncode = true
	default:
		return nil, listing{}, errInvalidArgument("Invalid Encoding Method specified in Request")
	}
	if l.maxKeys, err = intParam(q, "max-keys", maxListKeys, 0, maxListKeys); err != nil {
		return nil, listing{}, err
	}
	return b, l, nil
}

// commonPrefix returns the common prefix key rolls up into, or "" if key is
// listed on its own.
func (l listing) commonPrefix(key string) string {
	if l.delimiter == "" {
		return ""
	}
	i := strings.Index(key[len(l.prefix):], l.delimiter)
	if i < 0 {
		return ""
	}
	return key[:len(l.prefix)+i+len(l.delimiter)]
}

func (l listing) encode(s string) string {
	if l.urlEncode {
		return url.QueryEscape(s)
	}
	return s
}

func (l listing) encodingType() string {
	if l.urlEncode {
		return "url"
	}
	return ""
}

// keys returns b's keys under the prefix in S3's order (UTF-8 bytes).
// The caller holds b.mu.
func (l listing) keys(b *bucket) []string {
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, l.prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

type prefixEntry struct {
	Prefix string
}

type objectEntry struct {
	Key               string
	LastModified      string
	ETag              string
	Size              int64
	StorageClass      string
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

type listBucketResult struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string
	Prefix                string
	Delimiter             string `xml:",omitempty"`
	MaxKeys               int
	KeyCount              int
	IsTruncated           bool
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	EncodingType          string `xml:",omitempty"`
	Contents              []objectEntry
	CommonPrefixes        []prefixEntry
}

func (s *Server) listObjectsV2(w http.ResponseWriter, r *http.Request, name, _ string) error {
	q := r.URL.Query()
	if q.Get("list-type") != "2" {
		return errInvalidArgument("Invalid List Type specified in Request")
	}
	b, l, err := s.newListing(name, q)
	if err != nil {
		return err
	}
	after := q.Get("start-after")
	if q.Has("continuation-token") {
		if after, err = decodeToken(q); err != nil {
			return err
		}
	}
	result := listBucketResult{
		Name:              name,
		Prefix:            l.encode(l.prefix),
		Delimiter:         l.encode(l.delimiter),
		MaxKeys:           l.maxKeys,
		ContinuationToken: q.Get("continuation-token"),
		StartAfter:        l.encode(q.Get("start-after")),
		EncodingType:      l.encodingType(),
	}

	b.mu.Lock()
	// last is the last name listed, a key or a common prefix; starting from
	// the marker means a common prefix already listed is not listed again.
	last := after
	for _, key := range l.keys(b) {
		v := b.current(key)
		if key <= after || v == nil {
			continue
		}
		cp := l.commonPrefix(key)
		if cp != "" && cp == last {
			continue
		}
		if result.KeyCount == l.maxKeys {
			result.IsTruncated = true
			break
		}
		result.KeyCount++
		if cp != "" {
			result.CommonPrefixes = append(result.CommonPrefixes, prefixEntry{l.encode(cp)})
			last = cp
			continue
		}
		result.Contents = append(result.Contents, objectEntry{
			Key:               l.encode(key),
			LastModified:      xmlTime(v.LastModified),
			ETag:              v.ETag,
			Size:              v.Size,
			StorageClass:      "STANDARD",
			ChecksumAlgorithm: v.ChecksumAlgorithm,
			ChecksumType:      checksumType(v),
		})
		last = key
	}
	b.mu.Unlock()

	if result.IsTruncated {
		result.NextContinuationToken = encodeToken(last)
	}
	writeXML(w, http.StatusOK, result)
	return nil
}

// versionEntry is a <Version> or a <DeleteMarker>, told apart by XMLName;
// S3 interleaves both in key order, newest first within a key.
type versionEntry struct {
	XMLName           xml.Name
	Key               string
	VersionID         string `xml:"VersionId"`
	IsLatest          bool
	LastModified      string
	ETag              string `xml:",omitempty"`
	Size              *int64 `xml:",omitempty"`
	StorageClass      string `xml:",omitempty"`
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
	Owner             owner
}

type listVersionsResult struct {
	XMLName             xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListVersionsResult"`
	Name                string
	Prefix              string
	KeyMarker           string
	VersionIDMarker     string `xml:"VersionIdMarker"`
	NextKeyMarker       string `xml:",omitempty"`
	NextVersionIDMarker string `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int
	Delimiter           string `xml:",omitempty"`
	EncodingType        string `xml:",omitempty"`
	IsTruncated         bool
	Entries             []versionEntry
	CommonPrefixes      []prefixEntry
}

func (s *Server) listObjectVersions(w http.ResponseWriter, r *http.Request, name, _ string) error {
	q := r.URL.Query()
	b, l, err := s.newListing(name, q)
	if err != nil {
		return err
	}
	keyMarker, versionMarker := q.Get("key-marker"), q.Get("version-id-marker")
	if versionMarker != "" && keyMarker == "" {
		return errInvalidArgument("A version-id marker cannot be specified without a key marker.")
	}
	result := listVersionsResult{
		Name:            name,
		Prefix:          l.encode(l.prefix),
		KeyMarker:       l.encode(keyMarker),
		VersionIDMarker: versionMarker,
		MaxKeys:         l.maxKeys,
		Delimiter:       l.encode(l.delimiter),
		EncodingType:    l.encodingType(),
	}

	b.mu.Lock()
	count, lastKey, lastVersion := 0, keyMarker, versionMarker
walk:
	for _, key := range l.keys(b) {
		if key < keyMarker || (key == keyMarker && versionMarker == "") {
			continue
		}
		if cp := l.commonPrefix(key); cp != "" {
			if cp == lastKey {
				continue
			}
			if count == l.maxKeys {
				result.IsTruncated = true
				break
			}
			count++
			result.CommonPrefixes = append(result.CommonPrefixes, prefixEntry{l.encode(cp)})
			lastKey, lastVersion = cp, ""
			continue
		}
		versions := b.objects[key]
		if key == keyMarker {
			i := slices.IndexFunc(versions, func(v *version) bool { return v.ID == versionMarker })
			versions = versions[i+1:]
		}
		for _, v := range versions {
			if count == l.maxKeys {
				result.IsTruncated = true
				break walk
			}
			count++
			result.Entries = append(result.Entries, newVersionEntry(l.encode(key), v, v == b.latest(key)))
			lastKey, lastVersion = key, v.ID
		}
	}
	b.mu.Unlock()

	if result.IsTruncated {
		result.NextKeyMarker = l.encode(lastKey)
		result.NextVersionIDMarker = lastVersion
	}
	writeXML(w, http.StatusOK, result)
	return nil
}

func newVersionEntry(key string, v *version, latest bool) versionEntry {
	e := versionEntry{
		XMLName:      xml.Name{Local: "Version"},
		Key:          key,
		VersionID:    v.ID,
		IsLatest:     latest,
		LastModified: xmlTime(v.LastModified),
		Owner:        owner{ID: ownerID},
	}
	if v.DeleteMarker {
		e.XMLName.Local = "DeleteMarker"
		return e
	}
	size := v.Size
	e.ETag, e.Size, e.StorageClass = v.ETag, &size, "STANDARD"
	e.ChecksumAlgorithm, e.ChecksumType = v.ChecksumAlgorithm, checksumType(v)
	return e
}
