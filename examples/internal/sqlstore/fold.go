package sqlstore

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s and removes its accents, as FHIR R4 string search
// compares: canonical decomposition, combining marks removed,
// recomposition, lower case. It is the normalisation of internal/
// searchparam's string matcher, applied here once at write time, so that
// a string search is a prefix comparison in SQL.
//
// Known gap: for ASCII text searchparam compares with strings.EqualFold,
// under which a few non-ASCII letters (the long s "ſ") equal ASCII ones;
// here they do not, so a search for "ſ" misses an ASCII "s".
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
