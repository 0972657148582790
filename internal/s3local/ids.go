package s3local

import (
	"crypto/rand"
	"strings"
)

// nullVersion is S3's version id for objects written while versioning was
// never enabled or suspended.
const nullVersion = "null"

// newID returns an unguessable id for versions, data files and requests.
// Version ids are opaque to clients; being random they reveal nothing about
// the order or number of writes.
func newID() string { return rand.Text() }

var idLength = len(newID())

// isID reports whether s could have come from newID, so ids read from a
// request or an index file can be used as file names or looked up safely.
func isID(s string) bool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	if len(s) != idLength {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(alphabet, c) {
			return false
		}
	}
	return true
}

func isVersionID(s string) bool { return s == nullVersion || isID(s) }
