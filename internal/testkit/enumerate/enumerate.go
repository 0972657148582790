// Package enumerate lists every string over a small alphabet, for tests
// that check counts and distributions against brute force.
package enumerate

// Each calls visit with every string of the given length over alphabet,
// in the alphabet's order, the last position varying fastest. visit must
// not retain its argument, which is reused.
func Each(alphabet string, length int, visit func(s []byte)) {
	if alphabet == "" && length > 0 {
		return
	}
	digits := make([]int, length)
	buf := make([]byte, length)
	for i := range buf {
		buf[i] = alphabet[0]
	}
	for {
		visit(buf)
		i := length - 1
		for ; i >= 0 && digits[i] == len(alphabet)-1; i-- {
			digits[i] = 0
			buf[i] = alphabet[0]
		}
		if i < 0 {
			return
		}
		digits[i]++
		buf[i] = alphabet[digits[i]]
	}
}
