package password

// DefaultSymbols is the symbol set of the recipe this project replaces; users
// who call the function without "symbols" get exactly the passwords they got
// before.
const DefaultSymbols = "!@#$%^&*()_+-=[]{}|;:,.<>?"

// Ambiguous lists characters that are easy to misread when a password is
// typed from a screen or paper. exclude_ambiguous drops all of them.
const Ambiguous = "Il1O0o"

// Policy is the validated description of the passwords one request may
// produce. The zero value is not useful; callers start from Default().
type Policy struct {
	// Length is the exact number of characters.
	Length int

	// Classes to draw from.
	Lowercase bool
	Uppercase bool
	Numbers   bool
	Symbols   bool

	// SymbolSet is the symbol class when Symbols is true: printable ASCII
	// punctuation without duplicates. Default sets it to DefaultSymbols.
	SymbolSet string

	// ExcludeCharacters never appear in a password.
	ExcludeCharacters string
	// ExcludeAmbiguous drops every character in Ambiguous.
	ExcludeAmbiguous bool

	// RequireEachIncludedType demands at least one character of every
	// included class.
	RequireEachIncludedType bool

	// Minimum counts per class; 0 means no minimum beyond
	// RequireEachIncludedType.
	MinLowercase int
	MinUppercase int
	MinNumbers   int
	MinSymbols   int
}

// Default returns the recipe's defaults: 16 characters from all four classes,
// each of them present at least once.
func Default() Policy {
	return Policy{
		Length:                  16,
		Lowercase:               true,
		Uppercase:               true,
		Numbers:                 true,
		Symbols:                 true,
		SymbolSet:               DefaultSymbols,
		RequireEachIncludedType: true,
	}
}
