package iampolicy

import "slices"

// ReaderArgs are the resources an authorized reader may read.
type ReaderArgs struct {
	BucketARN string // arn:<partition>:s3:::<bucket>
	KeyPrefix string // "" or ending in '/'; readers see only objects below it
	KMSKeyARN string // the key new passwords get; "" when the bucket uses SSE-S3
	// PreviousKMSKeyARNs are keys that encrypted versions stored before the
	// stack moved to its current encryption. Each stored version keeps the
	// key it was written with, so readers must keep decrypting with these.
	PreviousKMSKeyARNs []string
	// Through is S3's endpoint in the stack's region; needed with a key.
	Through S3Endpoint
}

// Reader is the managed policy that people and automation attach to read
// stored passwords: every version of the objects below the prefix, listing
// limited to that prefix, and decryption with every key that encrypted one
// of them. It grants no write.
func Reader(a ReaderArgs) (Document, error) {
	var in inputs
	in.reader(a)
	if err := in.err("reader policy"); err != nil {
		return Document{}, err
	}
	return Document{Version: version, Statement: readStatements(a)}, nil
}

// RetrieverArgs are the resources the retrieval function's role may touch.
type RetrieverArgs struct {
	ReaderArgs
	LogGroupARN string // its own log group, without the ":*" suffix
}

// Retriever is the retrieval function's only inline policy: what a reader
// may do, and write its own log streams. Like a reader it can never write
// or delete a password.
func Retriever(a RetrieverArgs) (Document, error) {
	var in inputs
	in.reader(a.ReaderArgs)
	in.logGroup(a.LogGroupARN)
	if err := in.err("retriever policy"); err != nil {
		return Document{}, err
	}
	return Document{Version: version, Statement: append(readStatements(a.ReaderArgs), logStatement(a.LogGroupARN))}, nil
}

// reader checks what a reading policy names.
func (in *inputs) reader(a ReaderArgs) {
	in.bucket(a.BucketARN)
	in.keyPrefix(a.KeyPrefix)
	in.kmsKey(a.KMSKeyARN)
	for _, arn := range a.PreviousKMSKeyARNs {
		if arn == "" {
			in.fail("previous KMS key ARN is empty")
			continue
		}
		in.kmsKey(arn)
	}
	if len(DecryptKeys(a.KMSKeyARN, a.PreviousKMSKeyARNs)) > 0 {
		in.s3Endpoint(a.Through)
	}
}

// readStatements read every version below the prefix, list only the
// prefix, and decrypt with every key that encrypted a version.
func readStatements(a ReaderArgs) []Statement {
	statements := []Statement{
		{
			Sid:      "ReadPasswordObjects",
			Effect:   "Allow",
			Action:   []string{"s3:GetObject", "s3:GetObjectVersion"},
			Resource: []string{objectsARN(a.BucketARN, a.KeyPrefix)},
		},
		listStatement(a.BucketARN, a.KeyPrefix, "s3:ListBucket", "s3:ListBucketVersions"),
	}
	if keys := DecryptKeys(a.KMSKeyARN, a.PreviousKMSKeyARNs); len(keys) > 0 {
		statements = append(statements, Statement{
			Sid:       "DecryptWithKey",
			Effect:    "Allow",
			Action:    []string{"kms:Decrypt"},
			Resource:  keys,
			Condition: a.Through.forBucket(a.BucketARN),
		})
	}
	return statements
}

// listStatement lists the keys below the prefix, and nothing else.
func listStatement(bucketARN, prefix string, actions ...string) Statement {
	list := Statement{
		Sid:      "ListPasswordKeys",
		Effect:   "Allow",
		Action:   actions,
		Resource: []string{bucketARN},
	}
	if prefix != "" {
		// With no prefix the whole bucket is listable, and the condition is
		// left out: IAM treats a missing s3:prefix as not matching, so
		// StringLike "*" would refuse a plain listing of the bucket.
		list.Condition = map[string]map[string][]string{
			"StringLike": {"s3:prefix": {prefix + "*"}},
		}
	}
	return list
}

// DecryptKeys lists the keys readers decrypt with: the current key first
// (if any), then the previous ones sorted, each once. Sorting keeps the
// policy unchanged when only the order of the configured keys changes. No
// key gives an empty list, not nil, so it shows as [] where it is exported.
func DecryptKeys(current string, previous []string) []string {
	keys := []string{}
	if current != "" {
		keys = append(keys, current)
	}
	for _, k := range slices.Compact(slices.Sorted(slices.Values(previous))) {
		if k != "" && k != current {
			keys = append(keys, k)
		}
	}
	return keys
}
