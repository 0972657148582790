package request

import (
	"maps"
	"slices"
	"strings"
)

// fieldNames lists the known fields in a fixed order, so that the suggestion
// for a typo does not depend on map iteration.
var fieldNames = slices.Sorted(maps.Keys(fields))

// unknownField reports a key that is not a request field, naming the
// closest known field when the key looks like a near-miss of one.
func unknownField(key string) *Error {
	msg := "is not a request field"
	if s := suggest(key); s != "" {
		msg += "; did you mean " + `"` + s + `"?`
	}
	return &Error{Field: fieldLabel(key), Message: msg}
}

// suggest returns the known field that key most likely misspells, or "".
// Case, '_' and '-' are ignored so that "Length" and "includeSymbols" find
// their field; then a typo within two edits ("lenght") or an unambiguous
// abbreviation ("len") counts as a near-miss.
func suggest(key string) string {
	// Field names are short; a long key is no typo of one, and bounding it
	// bounds the edit-distance work.
	if len(key) > 64 {
		return ""
	}
	k := normalize(key)
	best, bestDist := "", 3
	var prefixOf []string
	for _, name := range fieldNames {
		n := normalize(name)
		if d := distance(k, n); d < bestDist {
			best, bestDist = name, d
		}
		if len(k) >= 3 && strings.HasPrefix(n, k) {
			prefixOf = append(prefixOf, name)
		}
	}
	if best == "" && len(prefixOf) == 1 {
		return prefixOf[0]
	}
	return best
}

func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// distance is the Levenshtein distance between a and b, counted in bytes;
// field names are ASCII, so a non-ASCII key only ever looks further away.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
