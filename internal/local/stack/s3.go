package stack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/iampolicy"
	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/request"
)

// setupTimeout bounds the few requests that prepare the bucket and the
// function's user; MinIO on this machine answers in milliseconds.
const setupTimeout = 30 * time.Second

// startS3 starts MinIO on the data directory, building it first if this
// machine has not yet.
func startS3(ctx context.Context, o Options, log *slog.Logger) (*minio.Server, error) {
	secret, err := kmsSecretKey(o.DataDir)
	if err != nil {
		return nil, err
	}
	bin, err := minio.Ensure(ctx, o.Log)
	if err != nil {
		return nil, err
	}
	srv, err := minio.Start(ctx, minio.Config{
		Binary:       bin,
		Addr:         o.S3Addr,
		Dir:          o.DataDir,
		Root:         admin,
		KMSSecretKey: secret,
		Region:       region,
	})
	if err != nil {
		return nil, fmt.Errorf("the S3 API on %s: %w", o.S3Addr, err)
	}
	warnIfExposed(log, "the S3 API", srv.Addr)
	return srv, nil
}

// prepareS3 makes the bucket as the Pulumi stack deploys it, versioned with
// SSE-KMS by default and with the lifecycle rules of expiring passwords, and a MinIO user for each function, whose only
// policy is the S3 statements of the function's deployed role policy. All
// may exist from an earlier run: they are brought to the same state.
func prepareS3(ctx context.Context, srv *minio.Server, bucket string) (map[apispec.Function]minio.Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	client := s3Client(srv, srv.Root)
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return nil, fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	if _, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		return nil, fmt.Errorf("enable versioning on bucket %s: %w", bucket, err)
	}
	if _, err := client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
				SSEAlgorithm:   types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(kmsKeyName),
			},
			BucketKeyEnabled: aws.Bool(true),
		}}},
	}); err != nil {
		return nil, fmt.Errorf("set default encryption on bucket %s: %w", bucket, err)
	}
	// The values the functions offer: functionEnv gives them the defaults.
	if err := applyLifecycle(ctx, client, bucket, request.DefaultExpiryDays()); err != nil {
		return nil, err
	}

	bucketARN := "arn:aws:s3:::" + bucket
	// MinIO enforces the S3 statements only; the KMS ones are built as
	// deployed, for the region the local stack names.
	through := iampolicy.S3Endpoint{Region: region, DNSSuffix: "amazonaws.com"}
	generator, err := iampolicy.Function(iampolicy.FunctionArgs{BucketARN: bucketARN, KeyPrefix: keyPrefix, LogGroupARN: logGroupARN, KMSKeyARN: kmsKeyARN, Through: through})
	if err != nil {
		return nil, err
	}
	retriever, err := iampolicy.Retriever(iampolicy.RetrieverArgs{
		ReaderArgs:  iampolicy.ReaderArgs{BucketARN: bucketARN, KeyPrefix: keyPrefix, KMSKeyARN: kmsKeyARN, Through: through},
		LogGroupARN: retrieverLogGroupARN,
	})
	if err != nil {
		return nil, err
	}
	rotator, err := iampolicy.Rotator(iampolicy.RotatorArgs{
		FunctionArgs:    iampolicy.FunctionArgs{BucketARN: bucketARN, KeyPrefix: keyPrefix, LogGroupARN: rotatorLogGroupARN, KMSKeyARN: kmsKeyARN, Through: through},
		FailureQueueARN: rotatorFailureQueueARN,
	})
	if err != nil {
		return nil, err
	}
	users := map[apispec.Function]minio.Credentials{}
	for _, u := range []struct {
		fn   apispec.Function
		name string
		doc  iampolicy.Document
	}{{apispec.Generator, functionName, generator}, {apispec.Retriever, retrieverName, retriever}, {apispec.Rotator, rotatorName, rotator}} {
		s3Only, _, err := minio.S3Statements(u.doc)
		if err != nil {
			return nil, fmt.Errorf("%s policy: %w", u.name, err)
		}
		user := minio.Credentials{AccessKey: u.name, SecretKey: rand.Text()}
		if err := minio.AddUser(ctx, srv.Endpoint, srv.Root, user, s3Only); err != nil {
			return nil, err
		}
		users[u.fn] = user
	}
	return users, nil
}

// s3Client signs as c to srv, which serves buckets under a path.
func s3Client(srv *minio.Server, c minio.Credentials) *s3.Client {
	return s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, ""),
		UsePathStyle: true,
	})
}
