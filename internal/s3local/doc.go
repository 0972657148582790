// Package s3local is a small S3-compatible HTTP server that runs inside a Go
// process, so the local stack can store passwords without AWS and without a
// separate server to install. The unchanged aws-sdk-go-v2 client and the AWS
// CLI talk to it through their endpoint settings (AWS_ENDPOINT_URL_S3 or
// --endpoint-url) with path-style addressing.
//
// It implements the operations the function and a person checking its work
// need, with S3's wire formats and error codes: ListBuckets, CreateBucket,
// HeadBucket, Get/PutBucketVersioning, PutObject, GetObject, HeadObject,
// DeleteObject, ListObjectsV2 and ListObjectVersions. Every other operation
// answers 501 NotImplemented rather than something that merely looks right.
//
// What the function relies on behaves as in S3: each PUT to a versioned
// bucket creates a new version and older ones stay readable; DELETE writes a
// delete marker; "If-None-Match: *" refuses to overwrite a current version,
// atomically with respect to concurrent writers; Content-MD5 and the
// x-amz-checksum-* headers or trailers are verified before anything is
// stored; aws-chunked bodies (signed or unsigned, with or without trailers)
// are decoded; a body that ends early stores nothing.
//
// It is a development store, not a secure one:
//   - Request signatures are accepted without verification, and so are
//     unsigned requests. The store is meant to listen on the loopback
//     interface of a developer's machine or a CI box, where the only callers
//     are the developer's own processes; verifying signatures would add a
//     shared secret to configure and protect nothing.
//   - Server-side encryption headers are validated, stored and echoed the way
//     S3 does, so code that sets them can be tested, but the data is written
//     to disk unencrypted. SSE-KMS key ids are echoed as sent, where S3 would
//     report the key's ARN.
//
// Data lives under one directory and survives restarts. Object and index
// files are written to a temporary file, synced and renamed into place, so a
// crash leaves either the old state or the new one, never a partial object.
// Only one Server may use a directory at a time.
package s3local
