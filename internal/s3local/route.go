package s3local

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// level is what a path addresses: the service, a bucket or an object.
type level int

const (
	serviceLevel level = iota
	bucketLevel
	objectLevel
)

type handler func(s *Server, w http.ResponseWriter, r *http.Request, bucketName, key string) error

// operation is one S3 API call as it appears on the wire: S3 tells its
// operations apart by method, path and one "subresource" query parameter.
type operation struct {
	method      string
	level       level
	subresource string   // "" for the operation without one
	params      []string // the other query parameters it understands
	serve       handler
}

var operations = []operation{
	{http.MethodGet, serviceLevel, "", []string{"prefix", "max-buckets", "continuation-token"}, (*Server).listBuckets},
	{http.MethodPut, bucketLevel, "", nil, (*Server).createBucketRequest},
	{http.MethodHead, bucketLevel, "", nil, (*Server).headBucket},
	{http.MethodGet, bucketLevel, "versioning", nil, (*Server).getBucketVersioning},
	{http.MethodPut, bucketLevel, "versioning", nil, (*Server).putBucketVersioning},
	{http.MethodGet, bucketLevel, "list-type", []string{"prefix", "delimiter", "max-keys", "continuation-token", "start-after", "encoding-type"}, (*Server).listObjectsV2},
	{http.MethodGet, bucketLevel, "versions", []string{"prefix", "delimiter", "max-keys", "key-marker", "version-id-marker", "encoding-type"}, (*Server).listObjectVersions},
	{http.MethodPut, objectLevel, "", nil, (*Server).putObject},
	{http.MethodGet, objectLevel, "", []string{"versionId"}, (*Server).getObject},
	{http.MethodHead, objectLevel, "", []string{"versionId"}, (*Server).getObject},
	{http.MethodDelete, objectLevel, "", []string{"versionId"}, (*Server).deleteObject},
}

// selectOperation finds the operation a request asks for. Anything this
// store does not implement, including an implemented operation with a
// parameter it would otherwise silently ignore, answers NotImplemented.
func selectOperation(r *http.Request, bucketName, key string) (*operation, error) {
	lvl := objectLevel
	switch {
	case bucketName == "":
		lvl = serviceLevel
	case key == "":
		lvl = bucketLevel
	}
	q := r.URL.Query()
	var plain *operation
	for i := range operations {
		op := &operations[i]
		if op.method != r.Method || op.level != lvl {
			continue
		}
		if op.subresource == "" {
			plain = op
			continue
		}
		if q.Has(op.subresource) {
			return op, op.checkParams(q)
		}
	}
	if plain == nil {
		return nil, errNotImplemented("This local store does not implement %s on %s.", r.Method, describe(lvl, q))
	}
	return plain, plain.checkParams(q)
}

func (op *operation) checkParams(q url.Values) error {
	for name := range q {
		// x-id names the operation for logs (the Go SDK sends it); X-Amz-*
		// carry a presigned URL's signature, which is not verified.
		if name == op.subresource || name == "x-id" || strings.HasPrefix(name, "X-Amz-") || slices.Contains(op.params, name) {
			continue
		}
		return errNotImplemented("This local store does not implement the %q parameter of this request.", name)
	}
	return nil
}

func describe(lvl level, q url.Values) string {
	target := [...]string{"the service", "a bucket", "an object"}[lvl]
	if names := slices.Sorted(maps.Keys(q)); len(names) > 0 {
		return target + " with the " + names[0] + " parameter"
	}
	return target
}
