package iampolicy

// LambdaTrust is the role's trust policy: only the Lambda service may assume
// the role, so no user or other service can borrow the function's rights.
func LambdaTrust() Document {
	return Document{
		Version: version,
		Statement: []Statement{{
			Sid:       "LambdaAssumeRole",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
			Action:    []string{"sts:AssumeRole"},
		}},
	}
}
