package searchparam

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// stringMatcher matches a string search: by default a case- and
// accent-insensitive prefix, with :contains anywhere, and with :exact the
// exact string.
type stringMatcher struct {
	mod  string
	text string // folded, except for :exact
}

func newStringMatcher(mod, s string) matcher {
	if mod != "exact" {
		s = Fold(s)
	}
	return stringMatcher{mod: mod, text: s}
}

func (m stringMatcher) match(v Value) bool {
	if v.Kind != KindString {
		return false
	}
	switch m.mod {
	case "exact":
		return v.Str == m.text
	case "contains":
		return strings.Contains(Fold(v.Str), m.text)
	}
	return hasFoldedPrefix(v.Str, m.text)
}

// hasFoldedPrefix reports whether s, folded, starts with the folded
// prefix. ASCII text is compared without allocating.
func hasFoldedPrefix(s, prefix string) bool {
	if isASCII(s) {
		return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
	}
	return strings.HasPrefix(Fold(s), prefix)
}

// Fold lower-cases s and removes its accents (combining marks after
// canonical decomposition), so that "Zoë" and "ZOE" compare equal, as
// R4 string search requires. It does not fold other equivalences such as
// "ß" and "ss". A store that indexes strings for search folds them with
// Fold, so that its matches agree with this package's.
func Fold(s string) string {
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// uriMatcher matches a uri search: the exact URI, or with :below the URIs
// that start with it and with :above those it starts with.
type uriMatcher struct {
	mod, uri string
}

func (m uriMatcher) match(v Value) bool {
	if v.Kind != KindURI {
		return false
	}
	switch m.mod {
	case "below":
		return strings.HasPrefix(v.Str, m.uri)
	case "above":
		return strings.HasPrefix(m.uri, v.Str)
	}
	return v.Str == m.uri
}
