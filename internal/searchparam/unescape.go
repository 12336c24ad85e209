package searchparam

import (
	"unicode/utf16"
	"unicode/utf8"
)

// unescape appends to dst the contents of a JSON string whose escapes
// scanString has validated. Like encoding/json, it turns an unpaired
// surrogate into U+FFFD, so both read the same text.
func unescape(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		if src[i+1] != 'u' {
			dst = append(dst, simpleEscape(src[i+1]))
			i += 2
			continue
		}
		r, n := unicodeEscape(src[i:])
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst
}

func simpleEscape(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\' and '/'
}

// unicodeEscape decodes the \uXXXX escape at the start of b, joining a
// surrogate pair, and returns the rune and the bytes consumed.
func unicodeEscape(b []byte) (rune, int) {
	r := hex4(b[2:6])
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
		if pair := utf16.DecodeRune(r, hex4(b[8:12])); pair != utf8.RuneError {
			return pair, 12
		}
	}
	return utf8.RuneError, 6
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
