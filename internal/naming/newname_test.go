package naming

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"testing"
	"time"
)

func TestNewName(t *testing.T) {
	// 23:59:59 on Dec 31 in UTC-5 is already the next year in UTC: the name
	// must use UTC whatever zone the caller's clock reports.
	now := time.Date(2025, 12, 31, 23, 59, 59, 999, time.FixedZone("EST", -5*3600))
	got, err := NewName(now, bytes.NewReader([]byte{0xde, 0xad, 0xbe, 0xef, 0x01}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "password-20260101-045959-deadbeef"; got != want {
		t.Errorf("NewName = %q, want %q", got, want)
	}
	if err := ValidateName(got); err != nil {
		t.Errorf("ValidateName(%q) = %v", got, err)
	}
}

func TestNewNameFormatAndValidity(t *testing.T) {
	format := regexp.MustCompile(`^password-\d{8}-\d{6}-[0-9a-f]{8}$`)
	for _, now := range []time.Time{
		time.Unix(0, 0),
		time.Date(2025, 7, 12, 8, 5, 3, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		for _, seed := range [][]byte{{0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff}, {0x0a, 0xb0, 0x01, 0x10}} {
			name, err := NewName(now, bytes.NewReader(seed))
			if err != nil {
				t.Fatal(err)
			}
			if !format.MatchString(name) {
				t.Errorf("NewName(%v, %x) = %q, want format password-yyyymmdd-hhmmss-xxxxxxxx", now, seed, name)
			}
			if err := ValidateName(name); err != nil {
				t.Errorf("ValidateName(%q) = %v", name, err)
			}
		}
	}
}

// Two names made in the same second differ whenever the random bytes do:
// the recipe's timestamp-only names silently overwrote each other.
func TestNewNameSameSecondDiffers(t *testing.T) {
	now := time.Date(2025, 7, 12, 8, 5, 3, 0, time.UTC)
	a, errA := NewName(now, bytes.NewReader([]byte{1, 2, 3, 4}))
	b, errB := NewName(now, bytes.NewReader([]byte{1, 2, 3, 5}))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a == b {
		t.Errorf("same second, different randomness, same name %q", a)
	}
}

type failingReader struct{}

var errNoEntropy = errors.New("no entropy")

func (failingReader) Read([]byte) (int, error) { return 0, errNoEntropy }

func TestNewNameReaderFailure(t *testing.T) {
	now := time.Now()
	for name, r := range map[string]io.Reader{
		"failing": failingReader{},
		"short":   bytes.NewReader([]byte{1, 2, 3}),
		"empty":   bytes.NewReader(nil),
	} {
		got, err := NewName(now, r)
		if err == nil {
			t.Errorf("%s reader: NewName = %q, want error", name, got)
			continue
		}
		if got != "" {
			t.Errorf("%s reader: NewName returned name %q with error", name, got)
		}
	}
	if _, err := NewName(now, failingReader{}); !errors.Is(err, errNoEntropy) {
		t.Errorf("NewName error %v does not wrap the reader's error", err)
	}
}
