package iampolicy

// FunctionArgs are the resources the function's role may touch.
type FunctionArgs struct {
	BucketARN   string // arn:<partition>:s3:::<bucket>
	KeyPrefix   string // "" or ending in '/'; the function writes only below it
	LogGroupARN string // without the ":*" suffix, as pulumi-aws reports it
	KMSKeyARN   string // "" when the bucket uses SSE-S3
	// Through is S3's endpoint in the stack's region; needed with a key.
	Through S3Endpoint
}

// Function is the role's only inline policy: write objects and their tags
// below the prefix, write its own log streams, and, with SSE-KMS, create
// data keys. The function cannot read, list or delete anything, so a
// compromised function cannot read back the passwords it stored.
func Function(a FunctionArgs) (Document, error) {
	var in inputs
	in.writer(a)
	if err := in.err("function policy"); err != nil {
		return Document{}, err
	}

	statements := []Statement{putStatement(a.BucketARN, a.KeyPrefix), logStatement(a.LogGroupARN)}
	if a.KMSKeyARN != "" {
		statements = append(statements, encryptWithKey(a.BucketARN, a.KMSKeyARN, a.Through))
	}
	return Document{Version: version, Statement: statements}, nil
}

// writer checks what a writing policy names.
func (in *inputs) writer(a FunctionArgs) {
	in.bucket(a.BucketARN)
	in.keyPrefix(a.KeyPrefix)
	in.logGroup(a.LogGroupARN)
	in.kmsKey(a.KMSKeyARN)
	if a.KMSKeyARN != "" {
		in.s3Endpoint(a.Through)
	}
}

// putStatement writes objects below the prefix, with their tags: S3
// authorizes the x-amz-tagging header of a PutObject as
// s3:PutObjectTagging, which expiry and rotation tags need.
func putStatement(bucketARN, prefix string) Statement {
	return Statement{
		Sid:      "PutPasswordObjects",
		Effect:   "Allow",
		Action:   []string{"s3:PutObject", "s3:PutObjectTagging"},
		Resource: []string{objectsARN(bucketARN, prefix)},
	}
}

// encryptWithKey lets S3 ask KMS for a data key on the caller's behalf
// for each SSE-KMS PutObject; single-part uploads need nothing else from
// the key.
func encryptWithKey(bucketARN, keyARN string, through S3Endpoint) Statement {
	return Statement{
		Sid:       "EncryptWithKey",
		Effect:    "Allow",
		Action:    []string{"kms:GenerateDataKey"},
		Resource:  []string{keyARN},
		Condition: through.forBucket(bucketARN),
	}
}

// logStatement lets a function write its own log streams.
func logStatement(logGroupARN string) Statement {
	return Statement{
		Sid:    "WriteLogEvents",
		Effect: "Allow",
		// No logs:CreateLogGroup: the stack creates the log group with its
		// retention, and the function must not recreate it without.
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{logGroupARN + ":*"},
	}
}

// objectsARN matches every object below prefix, and nothing outside it
// because the prefix ends in '/' and holds no wildcard.
func objectsARN(bucketARN, prefix string) string {
	return bucketARN + "/" + prefix + "*"
}
