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
	return Document{
		Version: version,
		Statement: []Statement{{
			Sid:       "DenyInsecureTransport",
			Effect:    "Deny",
			Principal: "*",
			Action:    []string{"s3:*"},
			Resource:  []string{bucketARN, bucketARN + "/*"},
			Condition: map[string]map[string][]string{
				"Bool": {"aws:SecureTransport": {"false"}},
			},
		}},
	}, nil
}
