package searchparam

import (
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// scanner reads one JSON document strictly (RFC 8259, UTF-8), validating
// everything it skips. Its methods leave pos after the value they read.
type scanner struct {
	data []byte
	pos  int
	k    []byte // the key of the member being read; see members
}

// plain marks the string bytes that need no attention: printable ASCII
// other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (s *scanner) syntax(what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrSyntax, what, s.pos)
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// expect consumes c after white space.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.syntax("expected " + string(c))
	}
	s.pos++
	return nil
}

// skip validates and skips one value.
func (s *scanner) skip(depth int) error {
	switch s.peek() {
	case '{':
		return s.skipObject(depth + 1)
	case '[':
		return s.skipArray(depth + 1)
	case '"':
		_, _, _, err := s.scanString()
		return err
	}
	return s.scanScalar()
}

func (s *scanner) skipObject(depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w at offset %d", ErrTooDeep, s.pos)
	}
	return s.members(func() error { return s.skip(depth) })
}

func (s *scanner) skipArray(depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w at offset %d", ErrTooDeep, s.pos)
	}
	return s.elements(func() error { return s.skip(depth) })
}

// members reads the object at pos, calling fn for each member with its
// decoded key in s.k; fn must consume the member's value, and read s.k
// before it reads anything else.
func (s *scanner) members(fn func() error) error {
	s.pos++ // '{'
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.syntax("expected a key")
		}
		if err := s.readKey(); err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
		if done, err := s.next('}'); done || err != nil {
			return err
		}
	}
}

// elements reads the array at pos, calling fn for each element.
func (s *scanner) elements(fn func() error) error {
	s.pos++ // '['
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		if done, err := s.next(']'); done || err != nil {
			return err
		}
	}
}

// next consumes the comma between members or elements, or the closing
// bracket, reporting whether the container ended.
func (s *scanner) next(closing byte) (bool, error) {
	switch s.peek() {
	case ',':
		s.pos++
		return false, nil
	case closing:
		s.pos++
		return true, nil
	}
	return false, s.syntax("expected , or " + string(closing))
}

// readKey reads an object key into s.k. A key with escapes, which real
// resources rarely have, is decoded into new memory.
func (s *scanner) readKey() error {
	start, end, escaped, err := s.scanString()
	switch {
	case err != nil:
		return err
	case escaped:
		s.k = unescape(nil, s.data[start:end])
	default:
		s.k = s.data[start:end]
	}
	return nil
}

// readString reads a string value, aliasing the input when it has no
// escapes.
func (s *scanner) readString() (string, error) {
	start, end, escaped, err := s.scanString()
	if err != nil {
		return "", err
	}
	if escaped {
		return string(unescape(nil, s.data[start:end])), nil
	}
	return alias(s.data[start:end]), nil
}

// alias returns b as a string without copying. b must not change while the
// string is in use.
func alias(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// scanString validates the string at pos and returns the bounds of its
// contents and whether it holds escapes.
func (s *scanner) scanString() (start, end int, escaped bool, err error) {
	d := s.data
	i := s.pos + 1
	start = i
	for {
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			s.pos = i
			return 0, 0, false, s.syntax("unterminated string")
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return start, i, escaped, nil
		case c == '\\':
			n := escapeLen(d[i:])
			if n == 0 {
				s.pos = i
				return 0, 0, false, s.syntax("invalid escape")
			}
			i += n
			escaped = true
		case c < 0x20:
			s.pos = i
			return 0, 0, false, s.syntax("control character in string")
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n <= 1 {
				s.pos = i
				return 0, 0, false, s.syntax("invalid UTF-8")
			}
			i += n
		}
	}
}

// escapeLen returns the length of the valid escape sequence at the start of
// b, or 0.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) >= 6 && isHex(b[2]) && isHex(b[3]) && isHex(b[4]) && isHex(b[5]) {
			return 6
		}
	}
	return 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
