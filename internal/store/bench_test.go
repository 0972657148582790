package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/store"
)

// BenchmarkPut compares Put (checksum, SSE, create-only) with the bare
// PutObject any function storing the same bytes would make, on MinIO.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	b.Run("store.Put", func(b *testing.B) {
		st, _, _ := minioStore(b, "")
		body := secretRecord(b)
		for i := 0; b.Loop(); i++ {
			if _, err := st.Put(ctx, fmt.Sprintf("k%d.json", i), body, store.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare PutObject", func(b *testing.B) {
		_, srv, bucket := minioStore(b, "")
		client := srv.Client(b)
		body := secretRecord(b)
		for i := 0; b.Loop(); i++ {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("k%d.json", i)), Body: bytes.NewReader(body),
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
