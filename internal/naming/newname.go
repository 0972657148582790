package naming

import (
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// NewName returns a default name, "password-<UTC yyyymmdd-hhmmss>-<8 hex>".
// The timestamp keeps names sortable by creation; the 32 random bits make two
// names from the same second collide with negligible probability, which
// the recipe's timestamp-only names did not.
func NewName(now time.Time, r io.Reader) (string, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("read random name suffix: %w", err)
	}
	return "password-" + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:]), nil
}
