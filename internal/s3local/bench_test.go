package s3local_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// record is about the size of the JSON document the function stores.
var record = `{"password":"` + strings.Repeat("x", 32) + `","length":32,"created_at":"2025-01-01T00:00:00Z","parameters":{},"entropy_bits":200.1}`

// BenchmarkPutObject is the function's write: a create-only, encrypted PUT
// of one small record, through the SDK over loopback HTTP.
func BenchmarkPutObject(b *testing.B) {
	c := newClient(newBucketStore(b, "bench"))
	i := 0
	for b.Loop() {
		i++
		_, err := c.PutObject(b.Context(), &s3.PutObjectInput{
			Bucket:               aws.String("bench"),
			Key:                  aws.String(fmt.Sprintf("passwords/p-%d.json", i)),
			Body:                 strings.NewReader(record),
			IfNoneMatch:          aws.String("*"),
			ServerSideEncryption: types.ServerSideEncryptionAes256,
			ContentType:          aws.String("application/json"),
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetObject is `aws s3 cp s3://… -` of one record.
func BenchmarkGetObject(b *testing.B) {
	c := newClient(newBucketStore(b, "bench"))
	key := aws.String("passwords/p.json")
	if _, err := c.PutObject(b.Context(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: key, Body: strings.NewReader(record)}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		out, err := c.GetObject(b.Context(), &s3.GetObjectInput{Bucket: aws.String("bench"), Key: key})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, out.Body); err != nil {
			b.Fatal(err)
		}
		out.Body.Close()
	}
}
