package iampolicy

// TLSOnly is the bucket policy that refuses every request made over plain
// HTTP, whoever makes it, for the bucket and each object in it. A Deny wins
// over any Allow, so no later grant can reopen plain-HTTP access.
func TLSOnly(bucketARN string) (Document, error) {
	var in inputs
	in.bucket(bucketARN)
	if err := in.err("TLS-only bucket policy"); err != nil {
		return Document{}, err
	}
	return Document{Version: version, Statement: []Statement{tlsOnlyStatement(bucketARN)}}, nil
}

func tlsOnlyStatement(bucketARN string) Statement {
	return Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  []string{bucketARN, bucketARN + "/*"},
		Condition: map[string]map[string][]string{
			"Bool": {"aws:SecureTransport": {"false"}},
		},
	}
}

// PasswordBucketArgs are what the password bucket's policy names.
type PasswordBucketArgs struct {
	BucketARN string // arn:<partition>:s3:::<bucket>
	KeyPrefix string // "" or ending in '/'
	// RotatorRoleARN is the rotator's execution role.
	RotatorRoleARN string
}

// PasswordBucket is the password bucket's policy: TLS only, and the
// rotator may write a password only with If-Match. The rotator lists a
// password, then writes its next version conditionally on the ETag it
// listed, so a version stored in between is never clobbered; the denial
// makes that a rule S3 enforces rather than a habit of the code.
//
// The principal is matched by aws:PrincipalArn, which for a role's session
// is the role's ARN, rather than named in Principal: IAM stores a named
// role as its unique id, so a role recreated under the same name would
// silently escape the denial.
func PasswordBucket(a PasswordBucketArgs) (Document, error) {
	var in inputs
	in.bucket(a.BucketARN)
	in.keyPrefix(a.KeyPrefix)
	in.arn("rotator role ARN", "arn:<partition>:iam::<account>:role/<name>", rolePattern, a.RotatorRoleARN)
	if err := in.err("password bucket policy"); err != nil {
		return Document{}, err
	}
	return Document{
		Version: version,
		Statement: []Statement{
			tlsOnlyStatement(a.BucketARN),
			{
				Sid:       "DenyRotatorWritesWithoutIfMatch",
				Effect:    "Deny",
				Principal: "*",
				Action:    []string{"s3:PutObject"},
				Resource:  []string{objectsARN(a.BucketARN, a.KeyPrefix)},
				Condition: map[string]map[string][]string{
					"ArnEquals": {"aws:PrincipalArn": {a.RotatorRoleARN}},
					// Null is true when the request carries no If-Match.
					"Null": {"s3:if-match": {"true"}},
				},
			},
		},
	}, nil
}

// AuditBucket is the audit bucket's policy: TLS only, and the one trail
// (arn:<partition>:cloudtrail:<region>:<account>:trail/<name>) may check the
// bucket's ACL and write log files under AWSLogs/<its account>/, as
// CloudTrail requires. aws:SourceArn names the trail, so no other trail,
// of this account or another, can write here through the CloudTrail
// service. CloudTrail sends x-amz-acl bucket-owner-full-control, which
// BucketOwnerEnforced accepts.
func AuditBucket(bucketARN, trailARN string) (Document, error) {
	var in inputs
	in.bucket(bucketARN)
	m := in.arn("trail ARN", "arn:<partition>:cloudtrail:<region>:<account>:trail/<name>", trailPattern, trailARN)
	if err := in.err("audit bucket policy"); err != nil {
		return Document{}, err
	}
	cloudTrail := map[string][]string{"Service": {"cloudtrail.amazonaws.com"}}
	return Document{
		Version: version,
		Statement: []Statement{
			tlsOnlyStatement(bucketARN),
			{
				Sid:       "CloudTrailAclCheck",
				Effect:    "Allow",
				Principal: cloudTrail,
				Action:    []string{"s3:GetBucketAcl"},
				Resource:  []string{bucketARN},
				Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceArn": {trailARN}}},
			},
			{
				Sid:       "CloudTrailWrite",
				Effect:    "Allow",
				Principal: cloudTrail,
				Action:    []string{"s3:PutObject"},
				Resource:  []string{bucketARN + "/AWSLogs/" + m[3] + "/*"},
				Condition: map[string]map[string][]string{"StringEquals": {
					"aws:SourceArn": {trailARN},
					"s3:x-amz-acl":  {"bucket-owner-full-control"},
				}},
			},
		},
	}, nil
}
