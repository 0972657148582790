package iampolicy

// RotatorArgs are the resources the rotator's role may touch: what the
// generator's may (its own log group in LogGroupARN), and its failure
// queue.
type RotatorArgs struct {
	FunctionArgs
	// FailureQueueARN is the on-failure destination of the rotator's
	// asynchronous invocations, a standard SQS queue. Lambda sends the
	// failed event there with the function's own role.
	FailureQueueARN string
}

// Rotator is the rotator's only inline policy: list the keys below the
// prefix, read and write object tags there, write new versions with their
// tags, create data keys with SSE-KMS, write its own log streams and
// report a failed run to its queue.
//
// It holds no s3:GetObject and no kms:Decrypt, whatever the encryption: the
// rotator generates each new password from the parameters stored in the
// tags, so it never needs to read one. s3:GetObjectTagging on the current
// version answers the version id the rotator records as rotated_from, so
// s3:GetObjectVersionTagging is not granted either.
func Rotator(a RotatorArgs) (Document, error) {
	var in inputs
	in.writer(a.FunctionArgs)
	in.arn("failure queue ARN", "arn:<partition>:sqs:<region>:<account>:<queue>", queuePattern, a.FailureQueueARN)
	if err := in.err("rotator policy"); err != nil {
		return Document{}, err
	}
	statements := []Statement{
		listStatement(a.BucketARN, a.KeyPrefix, "s3:ListBucket"),
		{
			Sid:      "ReadPasswordTags",
			Effect:   "Allow",
			Action:   []string{"s3:GetObjectTagging"},
			Resource: []string{objectsARN(a.BucketARN, a.KeyPrefix)},
		},
		putStatement(a.BucketARN, a.KeyPrefix),
		logStatement(a.LogGroupARN),
		{
			Sid:      "ReportFailedRuns",
			Effect:   "Allow",
			Action:   []string{"sqs:SendMessage"},
			Resource: []string{a.FailureQueueARN},
		},
	}
	if a.KMSKeyARN != "" {
		statements = append(statements, encryptWithKey(a.BucketARN, a.KMSKeyARN, a.Through))
	}
	return Document{Version: version, Statement: statements}, nil
}
