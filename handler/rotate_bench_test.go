package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/objecttags"
	"github.com/passwordgen/passwordgen/internal/request"
	"github.com/passwordgen/passwordgen/internal/rotation"
	"github.com/passwordgen/passwordgen/internal/store"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// Targets, checked by reading these figures, not asserted: over 10,000
// stored passwords at rotation.DefaultWorkers, a run with all of them due
// within 1.25x of a bare loop making one PutObject per password, and a run
// with none due within 1.25x of the bare listing and tag reads.

const benchPasswords = 10_000

// BenchmarkRotateAllDue times a rotator run that rotates every one of
// benchPasswords, against a bare loop that overwrites as many objects of
// the same size, each with one PutObject, at the same concurrency, and
// against the floor of what a rotation must ask of S3 (a tag read, then a
// tagged PutObject) for each. Each iteration runs as of two days after the
// last, so every password is due again. ratio is the run's time over the
// bare loop's (the target), floor-ratio over the floor's.
func BenchmarkRotateAllDue(b *testing.B) {
	srv := miniotest.Start(b)
	client := srv.Client(b)
	body, tags := benchRecord(b, 1)
	tagging, err := objecttags.Header(tags)
	if err != nil {
		b.Fatal(err)
	}
	rotated, bare, floor := encryptedBucket(b, srv), encryptedBucket(b, srv), encryptedBucket(b, srv)
	seed(b, client, rotated, body, tags)
	seed(b, client, bare, body, nil)
	seed(b, client, floor, body, tags)
	r := benchRotator(b, store.New(client, rotated, ""))
	at := time.Now().UTC().Truncate(time.Second)
	var run, loop, least time.Duration
	for b.Loop() {
		at = at.Add(48 * time.Hour)
		run += timeRun(b, r, at, func(rep rotation.Report) bool { return rep.Rotated == benchPasswords })
		loop += timeEach(b, func(key string) error {
			_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bare), Key: aws.String(key), Body: bytes.NewReader(body)})
			return err
		})
		least += timeEach(b, func(key string) error {
			if _, err := client.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String(floor), Key: aws.String(key)}); err != nil {
				return err
			}
			_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(floor), Key: aws.String(key), Body: bytes.NewReader(body), Tagging: aws.String(tagging)})
			return err
		})
	}
	report(b, run, loop, "bare-put")
	b.ReportMetric(float64(least.Milliseconds())/float64(b.N), "floor-ms")
	b.ReportMetric(float64(run)/float64(least), "floor-ratio")
}

// BenchmarkRotateNoneDue times a run over benchPasswords stored with a
// 30-day period, as of two days after they were stored: each one's tags
// are read and none is due. The bare loop lists the objects and reads the
// tags of each, at the same concurrency.
func BenchmarkRotateNoneDue(b *testing.B) {
	srv := miniotest.Start(b)
	client := srv.Client(b)
	body, tags := benchRecord(b, 30)
	bucket := encryptedBucket(b, srv)
	seed(b, client, bucket, body, tags)
	r := benchRotator(b, store.New(client, bucket, ""))
	at := time.Now().UTC().Truncate(time.Second).Add(48 * time.Hour)
	var run, loop time.Duration
	for b.Loop() {
		run += timeRun(b, r, at, func(rep rotation.Report) bool { return rep.Checked == benchPasswords && rep.Due == 0 })
		start := time.Now()
		listed := 0
		keys := make(chan string)
		go func() {
			defer close(keys)
			p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("passwords/")})
			for p.HasMorePages() {
				page, err := p.NextPage(context.Background())
				if err != nil {
					b.Error(err)
					return
				}
				for _, o := range page.Contents {
					keys <- aws.ToString(o.Key)
					listed++
				}
			}
		}()
		work(b, keys, func(key string) error {
			_, err := client.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			return err
		})
		loop += time.Since(start)
		if listed != benchPasswords {
			b.Fatalf("listed %d", listed)
		}
	}
	report(b, run, loop, "bare-list-tags")
}

// benchRecord is a record the generator stores and the tags of a password
// stored with a rotation period.
func benchRecord(b *testing.B, periodDays int) ([]byte, map[string]string) {
	params := []byte(`{"type":"password","length":32,"include_uppercase":true,"include_lowercase":true,"include_numbers":true,"include_symbols":true,"symbols":"!@#$%^&*()-_=+[]{}<>?","exclude_characters":"","exclude_ambiguous":false,"require_each_included_type":true,"min_lowercase":0,"min_uppercase":0,"min_numbers":0,"min_symbols":0}`)
	body, err := benchRotator(b, nil).renew(rotation.Renewal{Params: params, PeriodDays: periodDays})
	if err != nil {
		b.Fatal(err)
	}
	tags, err := objecttags.EncodeParams(params)
	if err != nil {
		b.Fatal(err)
	}
	tags[objecttags.KeyRotateEveryDays] = fmt.Sprint(periodDays)
	return body, tags
}

// benchRotator is the rotator as the local stack runs it, in process: the
// default limits and no policy, crypto/rand, trusting the scheduled time,
// logging nowhere.
func benchRotator(b *testing.B, st *store.Store) *rotator {
	cfg := fnconfig.Config{KeyPrefix: fnconfig.DefaultKeyPrefix, Limits: request.DefaultLimits(), TrustScheduledTime: true}
	policy, err := compilePolicy(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return &rotator{gen: &function{config: cfg, policy: policy, random: crand.Reader, now: time.Now}, store: st, log: slog.New(slog.DiscardHandler)}
}

// seed stores benchPasswords objects, with tags when tags is not nil,
// directly and at concurrency.
func seed(b *testing.B, client *s3.Client, bucket string, body []byte, tags map[string]string) {
	var tagging *string
	if tags != nil {
		header, err := objecttags.Header(tags)
		if err != nil {
			b.Fatal(err)
		}
		tagging = aws.String(header)
	}
	timeEach(b, func(key string) error {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body), Tagging: tagging})
		return err
	})
}

// timeEach times f called for each of benchPasswords keys, at the
// rotator's concurrency.
func timeEach(b *testing.B, f func(key string) error) time.Duration {
	start := time.Now()
	keys := make(chan string)
	go func() {
		defer close(keys)
		for i := range benchPasswords {
			keys <- fmt.Sprintf("passwords/bench/p%05d.json", i)
		}
	}()
	work(b, keys, f)
	return time.Since(start)
}

// work calls f for every key, with rotation.DefaultWorkers at a time.
func work(b *testing.B, keys <-chan string, f func(key string) error) {
	var wg sync.WaitGroup
	for range rotation.DefaultWorkers {
		wg.Go(func() {
			for key := range keys {
				if err := f(key); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// timeRun runs the rotator as of at and checks its report.
func timeRun(b *testing.B, r *rotator, at time.Time, ok func(rotation.Report) bool) time.Duration {
	start := time.Now()
	out, err := r.Invoke(context.Background(), []byte(`{"scheduled_time":"`+at.Format(time.RFC3339)+`"}`))
	took := time.Since(start)
	if err != nil || !bytes.Contains(out, []byte(`"complete":true`)) {
		b.Fatalf("run: %v %s", err, out)
	}
	var rep rotation.Report
	if err := json.Unmarshal(out, &rep); err != nil || !ok(rep) {
		b.Fatalf("run: %+v %v", rep, err)
	}
	return took
}

func report(b *testing.B, run, loop time.Duration, bare string) {
	n := float64(b.N)
	b.ReportMetric(float64(run.Milliseconds())/n, "run-ms")
	b.ReportMetric(float64(loop.Milliseconds())/n, bare+"-ms")
	b.ReportMetric(float64(run)/float64(loop), "ratio")
}
