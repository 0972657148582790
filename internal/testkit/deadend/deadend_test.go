package deadend_test

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/testkit/deadend"
)

func get(t *testing.T, url string, timeout time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func TestRefusedRefusesConnections(t *testing.T) {
	if err := get(t, deadend.Refused(t), 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET = %v, want connection refused", err)
	}
}

func TestStalledNeverAnswers(t *testing.T) {
	if err := get(t, deadend.Stalled(t), 200*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GET = %v, want the client's deadline to pass", err)
	}
}
