// Package password generates passwords that are exactly uniform over
// everything a Policy allows, and says how many such passwords exist.
//
// New validates a Policy once and precomputes everything Generate needs, so a
// Generator is cheap to use, immutable and safe for concurrent use.
// Randomness is injected as an io.Reader (crypto/rand.Reader in production, a
// seeded stream in tests).
//
// Uniform means every password that satisfies the policy, minimums included,
// is equally likely. The familiar "draw one character of each class, fill the
// rest, shuffle" does not have that property, so requirements are met by
// rejecting whole candidates or, when that would be slow, by drawing how many
// characters each class gets with probability proportional to the exact
// number of passwords with those counts.
package password
