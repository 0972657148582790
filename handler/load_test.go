package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// loadRuntimes is the number of runtime processes the load runs over, and
// also the number of callers: one caller per process keeps every process
// busy while each measured latency stays the invocation's own, not time
// spent queueing for a free process.
const loadRuntimes = 8

// invokeAll sends every payload through a pool of loadRuntimes callers and
// returns the replies, and how long each took, in payload order.
func invokeAll(t *testing.T, d *deployment, payloads []string) ([]reply, []time.Duration) {
	t.Helper()
	replies := make([]reply, len(payloads))
	took := make([]time.Duration, len(payloads))
	// All the work is queued up front, so a caller that d.invoke stops
	// leaves its slot's zero reply (status 0) behind and the others carry
	// on with the rest.
	work := make(chan int, len(payloads))
	for i := range payloads {
		work <- i
	}
	close(work)
	var wg sync.WaitGroup
	for range loadRuntimes {
		wg.Go(func() {
			for i := range work {
				start := time.Now()
				replies[i] = d.invoke(t, payloads[i])
				took[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	return replies, took
}

// requireStatuses stops the test unless the replies' statuses are exactly
// want. Of one unexpected reply it quotes the error and message, not the
// whole reply, since no reply has yet been checked for passwords.
func requireStatuses(t *testing.T, replies []reply, want map[int]int) {
	t.Helper()
	got := map[int]int{}
	var odd *reply
	for i, r := range replies {
		got[r.StatusCode]++
		if want[r.StatusCode] == 0 && odd == nil {
			odd = &replies[i]
		}
	}
	if maps.Equal(got, want) {
		return
	}
	if odd != nil {
		t.Fatalf("statuses %v, want %v; e.g. status %d: %v: %v", got, want, odd.StatusCode, odd.body["error"], odd.body["message"])
	}
	t.Fatalf("statuses %v, want %v", got, want)
}

// storedVersions counts the versions (and delete markers, which nothing
// here should create) of every key under prefix, across all pages.
func storedVersions(t *testing.T, d *deployment, prefix string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	pages := s3.NewListObjectVersionsPaginator(d.s3, &s3.ListObjectVersionsInput{Bucket: &d.bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list versions under %s: %v", prefix, err)
		}
		for _, v := range page.Versions {
			counts[aws.ToString(v.Key)]++
		}
		for _, m := range page.DeleteMarkers {
			counts[aws.ToString(m.Key)]++
		}
	}
	return counts
}

// requireOneVersionEach stops the test unless exactly keys are stored
// under prefix, each with a single version.
func requireOneVersionEach(t *testing.T, d *deployment, prefix string, keys []string) {
	t.Helper()
	counts := storedVersions(t, d, prefix)
	for _, key := range keys {
		if counts[key] != 1 {
			t.Errorf("%s has %d versions, want 1", key, counts[key])
		}
	}
	if len(counts) != len(keys) {
		t.Errorf("%d keys stored under %s, want %d", len(counts), prefix, len(keys))
	}
	if t.Failed() {
		t.FailNow()
	}
}

// readSecretsFirst reads the record stored at each key, with its version
// id, and stops the test if any of their passwords appears in the
// function's log or in any reply: checked before anything else, so that
// later failure messages may quote replies without revealing a password.
func readSecretsFirst(t *testing.T, d *deployment, keys []string, replies []reply) ([]record, []string) {
	t.Helper()
	records := make([]record, len(keys))
	versions := make([]string, len(keys))
	for i, key := range keys {
		rec, obj := d.get(t, key, "")
		records[i], versions[i] = rec, aws.ToString(obj.VersionId)
		d.assertSecret(t, rec.Password, replies...)
	}
	if t.Failed() {
		t.FailNow()
	}
	return records, versions
}

// TestBootstrapUnderLoad drives the function at its deployed concurrency
// against MinIO: first many distinct names, where every invocation must
// store exactly what it answers, then many callers racing on a few names,
// where create-only storage must let exactly one per name win.
func TestBootstrapUnderLoad(t *testing.T) {
	d := deploy(t, loadRuntimes, 10*time.Second)

	t.Run("distinct names", func(t *testing.T) {
		const n = 2000
		payloads, keys, lengths := make([]string, n), make([]string, n), make([]int, n)
		for i := range n {
			// Every length the default limits allow, 8 to 128.
			lengths[i] = 8 + i%121
			name := fmt.Sprintf("load/%04d", i)
			payloads[i] = fmt.Sprintf(`{"length": %d, "name": %q}`, lengths[i], name)
			keys[i] = "passwords/" + name + ".json"
		}
		start := time.Now()
		replies, took := invokeAll(t, d, payloads)
		elapsed := time.Since(start)
		requireStatuses(t, replies, map[int]int{200: n})
		slices.Sort(took)
		t.Logf("%d invocations over %d runtimes in %v (%.0f/s): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
			n, loadRuntimes, elapsed.Round(time.Millisecond), n/elapsed.Seconds(),
			ms(took[n/2]), ms(took[n*99/100]), ms(took[n-1]))

		requireOneVersionEach(t, d, "passwords/load/", keys)
		records, versions := readSecretsFirst(t, d, keys, replies)
		for i, r := range replies {
			key, rec := keys[i], records[i]
			if r.body["s3_key"] != key || r.body["version_id"] != versions[i] || r.body["length"] != float64(lengths[i]) {
				t.Errorf("%s: answered key %v, version %v, length %v; stored version %q, requested length %d",
					key, r.body["s3_key"], r.body["version_id"], r.body["length"], versions[i], lengths[i])
			}
			if len(rec.Password) != lengths[i] || rec.Length != lengths[i] {
				t.Errorf("%s: stored %d characters with length %d, requested %d", key, len(rec.Password), rec.Length, lengths[i])
			}
			if _, err := time.Parse(time.RFC3339, rec.CreatedAt); err != nil || rec.CreatedAt != r.body["created_at"] {
				t.Errorf("%s: created_at stored %q, answered %v", key, rec.CreatedAt, r.body["created_at"])
			}
		}
	})

	t.Run("racing names", func(t *testing.T) {
		const names, attempts = 10, 20
		var payloads, keys []string
		// Each name's attempts are consecutive, so the callers in flight
		// together are mostly racing on the same name.
		for i := range names {
			keys = append(keys, fmt.Sprintf("passwords/race/%d.json", i))
			for range attempts {
				payloads = append(payloads, fmt.Sprintf(`{"name": "race/%d"}`, i))
			}
		}
		replies, _ := invokeAll(t, d, payloads)
		requireStatuses(t, replies, map[int]int{200: names, 409: names*attempts - names})
		requireOneVersionEach(t, d, "passwords/race/", keys)
		_, versions := readSecretsFirst(t, d, keys, replies)

		answered := map[any]any{}
		for _, r := range replies {
			if r.StatusCode == 200 {
				answered[r.body["s3_key"]] = r.body["version_id"]
			}
		}
		for i, key := range keys {
			if answered[key] != versions[i] {
				t.Errorf("%s: stored version %q, the 200 answered %v", key, versions[i], answered[key])
			}
		}
	})
}
