package enumerate

import (
	"slices"
	"testing"
)

func TestEach(t *testing.T) {
	var got []string
	Each("ab", 2, func(s []byte) { got = append(got, string(s)) })
	if want := []string{"aa", "ab", "ba", "bb"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	n := 0
	Each("abc", 0, func(s []byte) {
		if len(s) != 0 {
			t.Errorf("length 0 gave %q", s)
		}
		n++
	})
	if n != 1 {
		t.Errorf("length 0: %d strings, want the empty one", n)
	}
	n = 0
	Each("xyz", 4, func([]byte) { n++ })
	if n != 81 {
		t.Errorf("3^4: %d strings", n)
	}
}
