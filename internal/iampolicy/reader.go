package iampolicy

// ReaderArgs are the resources an authorized reader may read.
type ReaderArgs struct {
	BucketARN string // arn:<partition>:s3:::<bucket>
	KeyPrefix string // "" or ending in '/'; readers see only objects below it
	KMSKeyARN string // "" when the bucket uses SSE-S3
}

// Reader is the managed policy that people and automation attach to read
// stored passwords: every version of the objects below the prefix, listing
// limited to that prefix, and, with SSE-KMS, decryption. It grants no write.
func Reader(a ReaderArgs) (Document, error) {
	var in inputs
	in.bucket(a.BucketARN)
	in.keyPrefix(a.KeyPrefix)
	in.kmsKey(a.KMSKeyARN)
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
	in.bucket(a.BucketARN)
	in.keyPrefix(a.KeyPrefix)
	in.logGroup(a.LogGroupARN)
	in.kmsKey(a.KMSKeyARN)
	if err := in.err("retriever policy"); err != nil {
		return Document{}, err
	}
	return Document{Version: version, Statement: append(readStatements(a.ReaderArgs), logStatement(a.LogGroupARN))}, nil
}

// readStatements read every version below the prefix, list only the
// prefix, and with SSE-KMS decrypt.
func readStatements(a ReaderArgs) []Statement {
	list := Statement{
		Sid:      "ListPasswordKeys",
		Effect:   "Allow",
		Action:   []string{"s3:ListBucket", "s3:ListBucketVersions"},
		Resource: []string{a.BucketARN},
	}
	if a.KeyPrefix != "" {
		// With no prefix the whole bucket is readable, and the condition is
		// left out: IAM treats a missing s3:prefix as not matching, so
		// StringLike "*" would refuse a plain listing of the bucket.
		list.Condition = map[string]map[string][]string{
			"StringLike": {"s3:prefix": {a.KeyPrefix + "*"}},
		}
	}
	statements := []Statement{
		{
			Sid:      "ReadPasswordObjects",
			Effect:   "Allow",
			Action:   []string{"s3:GetObject", "s3:GetObjectVersion"},
			Resource: []string{objectsARN(a.BucketARN, a.KeyPrefix)},
		},
		list,
	}
	if a.KMSKeyARN != "" {
		statements = append(statements, Statement{
			Sid:      "DecryptWithKey",
			Effect:   "Allow",
			Action:   []string{"kms:Decrypt"},
			Resource: []string{a.KMSKeyARN},
		})
	}
	return statements
}
