package s3local

import (
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// ownerID stands in for the account's canonical user id; there is one
// account here.
const ownerID = "s3local"

// defaultRegion is reported when a request names no region of its own.
const defaultRegion = "us-east-1"

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validateBucketName applies S3's naming rules, which also make every valid
// name a safe directory name.
func validateBucketName(name string) error {
	if !bucketNamePattern.MatchString(name) || strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return newError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
	}
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// requestRegion is the region the caller signed for. Reporting it back as
// the bucket's region keeps clients from trying to redirect to another one.
func requestRegion(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if _, after, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		cred = after
	}
	// Credential=<access key>/<date>/<region>/s3/aws4_request
	if parts := strings.Split(cred, "/"); len(parts) > 2 && regionPattern.MatchString(parts[2]) {
		return parts[2]
	}
	return defaultRegion
}

type owner struct {
	ID string
}

type bucketEntry struct {
	Name         string
	CreationDate string
	BucketRegion string
}

type listAllMyBucketsResult struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner   owner
	Buckets struct {
		Bucket []bucketEntry
	}
	ContinuationToken string `xml:",omitempty"`
	Prefix            string `xml:",omitempty"`
}

func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request, _, _ string) error {
	q := r.URL.Query()
	maxBuckets, err := intParam(q, "max-buckets", 10000, 1, 10000)
	if err != nil {
		return err
	}
	after, err := decodeToken(q)
	if err != nil {
		return err
	}
	prefix := q.Get("prefix")
	region := requestRegion(r)

	s.mu.RLock()
	names := make([]string, 0, len(s.buckets))
	for name := range s.buckets {
		if strings.HasPrefix(name, prefix) && name > after {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	result := listAllMyBucketsResult{Owner: owner{ID: ownerID}, Prefix: prefix}
	for i, name := range names {
		if i == maxBuckets {
			result.ContinuationToken = encodeToken(names[i-1])
			break
		}
		result.Buckets.Bucket = append(result.Buckets.Bucket, bucketEntry{
			Name:         name,
			CreationDate: xmlTime(s.buckets[name].settings.Created),
			BucketRegion: region,
		})
	}
	s.mu.RUnlock()

	writeXML(w, http.StatusOK, result)
	return nil
}

func (s *Server) createBucketRequest(w http.ResponseWriter, r *http.Request, name, _ string) error {
	if r.Header.Get("x-amz-bucket-object-lock-enabled") == "true" {
		return errUnsupportedHeader("x-amz-bucket-object-lock-enabled")
	}
	// The body may hold a CreateBucketConfiguration naming a region; there
	// is only one place to put the bucket, so it is not read.
	_, created, err := s.createBucket(name)
	if err != nil {
		return err
	}
	if !created {
		return newError(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	w.Header().Set("Location", "/"+name)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) headBucket(w http.ResponseWriter, r *http.Request, name, _ string) error {
	if _, err := s.bucket(name); err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", requestRegion(r))
	w.WriteHeader(http.StatusOK)
	return nil
}

type versioningConfiguration struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
	Status    string   `xml:",omitempty"`
	MfaDelete string   `xml:",omitempty"`
}

func (s *Server) getBucketVersioning(w http.ResponseWriter, _ *http.Request, name, _ string) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	b.mu.Lock()
	status := b.settings.Versioning
	b.mu.Unlock()
	writeXML(w, http.StatusOK, versioningConfiguration{Status: status})
	return nil
}

// maxConfigurationSize bounds the XML documents this store reads.
const maxConfigurationSize = 64 << 10

func (s *Server) putBucketVersioning(w http.ResponseWriter, r *http.Request, name, _ string) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxConfigurationSize))
	if err != nil {
		return errIncompleteBody()
	}
	// The element names matter, not the namespace: clients differ in
	// whether they send one.
	var config struct {
		Status    string
		MfaDelete string
	}
	if err := xml.Unmarshal(raw, &config); err != nil || (config.Status != versioningEnabled && config.Status != versioningSuspended) {
		return newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if config.MfaDelete == "Enabled" {
		return errNotImplemented("This local store does not implement MFA delete.")
	}
	if err := b.setVersioning(config.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
