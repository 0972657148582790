package minio

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/minio/madmin-go/v3"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/passwordgen/passwordgen/internal/iampolicy"
)

// S3Statements separates the statements MinIO can load, those whose every
// resource is in S3, from the others. MinIO refuses a policy that names
// another service's resources (CloudWatch Logs, KMS), and it checks no KMS
// permission for the encryption it does on a user's behalf, so the S3
// statements are exactly the part of a policy it can enforce. A statement
// mixing both could be neither loaded nor dropped without changing what
// the policy grants, so it is an error.
func S3Statements(doc iampolicy.Document) (s3 iampolicy.Document, others []iampolicy.Statement, err error) {
	s3.Version = doc.Version
	for _, st := range doc.Statement {
		inS3 := 0
		for _, r := range st.Resource {
			if strings.HasPrefix(r, "arn:aws:s3:::") {
				inS3++
			}
		}
		switch inS3 {
		case len(st.Resource):
			s3.Statement = append(s3.Statement, st)
		case 0:
			others = append(others, st)
		default:
			return s3, others, fmt.Errorf("statement %s mixes S3 and other resources: %q", st.Sid, st.Resource)
		}
	}
	if len(s3.Statement) == 0 {
		return s3, others, fmt.Errorf("the policy has no S3 statement")
	}
	return s3, others, nil
}

// AddUser makes user a MinIO user whose only policy is doc, which must hold
// S3 statements only (see S3Statements). Run again for the same user, it
// replaces the secret and the policy, so a restarted stack can reuse it.
func AddUser(ctx context.Context, endpoint string, root, user Credentials, doc iampolicy.Document) error {
	text, err := doc.JSON()
	if err != nil {
		return err
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("MinIO endpoint %q: %w", endpoint, err)
	}
	admin, err := madmin.NewWithOptions(u.Host, &madmin.Options{
		Creds:  credentials.NewStaticV4(root.AccessKey, root.SecretKey, ""),
		Secure: u.Scheme == "https",
	})
	if err != nil {
		return fmt.Errorf("MinIO admin client: %w", err)
	}
	policy := "policy-" + user.AccessKey
	if err := admin.AddCannedPolicy(ctx, policy, []byte(text)); err != nil {
		return fmt.Errorf("MinIO refused the policy of %s: %w\n%s", user.AccessKey, err, text)
	}
	if err := admin.AddUser(ctx, user.AccessKey, user.SecretKey); err != nil {
		return fmt.Errorf("add MinIO user %s: %w", user.AccessKey, err)
	}
	_, err = admin.AttachPolicy(ctx, madmin.PolicyAssociationReq{Policies: []string{policy}, User: user.AccessKey})
	if err != nil && madmin.ToErrorResponse(err).Code != "XMinioAdminPolicyChangeAlreadyApplied" {
		return fmt.Errorf("attach policy to MinIO user %s: %w", user.AccessKey, err)
	}
	return nil
}
