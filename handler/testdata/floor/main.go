// Command floor is the benchmark baseline for the two functions: a Lambda
// that does nothing but one bare S3 call per invocation, through the same
// S3 client configuration. By default it makes a PutObject of a
// record-sized body, the generator's floor; with FLOOR_GET_KEY set it
// reads that key with one GetObject, the retriever's floor. No function
// that stores or reads a password can be faster, so the real functions
// are measured against it.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/store"
)

// bodySize is about the size of a stored password record.
const bodySize = 560

func main() {
	client, err := store.NewClient(context.Background())
	if err != nil {
		panic(err)
	}
	bucket := os.Getenv(fnconfig.EnvBucket)
	if key := os.Getenv("FLOOR_GET_KEY"); key != "" {
		lambda.Start(func(ctx context.Context, _ json.RawMessage) (json.RawMessage, error) {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				return nil, err
			}
			defer out.Body.Close()
			_, err = io.Copy(io.Discard, out.Body)
			return json.RawMessage(`{}`), err
		})
	}
	body := bytes.Repeat([]byte{'x'}, bodySize)
	// json.RawMessage, not []byte: aws-lambda-go would decode the JSON event
	// into a []byte and fail on anything but a base64 string.
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (json.RawMessage, error) {
		var id [8]byte
		rand.Read(id[:])
		key := "floor/" + hex.EncodeToString(id[:])
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
		return json.RawMessage(`{}`), err
	})
}
