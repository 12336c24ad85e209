package throttle

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxText is the longest free-text field accepted, in characters.
const maxText = 4000

// checker collects the problems of one justification.
type checker struct {
	problems []Problem
}

// add records a problem.
func (c *checker) add(field string, err error, format string, args ...any) {
	c.problems = append(c.problems, Problem{
		Field: field, Err: err, Message: fmt.Sprintf(format, args...),
	})
}

// err returns a *ValidationError listing the problems, or nil.
func (c *checker) err(id string) error {
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{ID: id, Problems: c.problems}
}

// text checks a required free-text field and screens its words; identity
// also refuses words that name clients. It reports whether the field
// passed.
func (c *checker) text(field, value string, identity bool) bool {
	switch {
	case strings.TrimSpace(value) == "":
		c.add(field, ErrMissing, "required")
	case !utf8.ValidString(value) || utf8.RuneCountInString(value) > maxText:
		c.add(field, ErrInvalid, "must be valid UTF-8 of at most %d characters", maxText)
	case strings.IndexFunc(value, isControl) >= 0:
		c.add(field, ErrInvalid, "must not contain control characters")
	default:
		return c.grounds(field, value, identity)
	}
	return false
}

// grounds screens a free-text field; see screen.
func (c *checker) grounds(field, value string, identity bool) bool {
	cost, names := screen(value, identity)
	if cost != "" {
		c.add(field, ErrNonTechnical, "mentions %q: cost, revenue, pricing and competition "+
			"are not grounds for throttling under 45 CFR 171; state the technical impact", cost)
	}
	if names != "" {
		c.add(field, ErrDiscriminatory, "mentions %q: the limit applies to every client "+
			"alike; describe the behaviour it targets, not who sends it", names)
	}
	return cost == "" && names == ""
}

// isControl reports control characters other than tab and newline, which
// multi-line YAML text may hold.
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// instant checks a required time and reports whether it is set.
func (c *checker) instant(field string, t time.Time) bool {
	if t.IsZero() {
		c.add(field, ErrMissing, "required (an RFC 3339 time such as 2026-03-01T00:00:00Z)")
		return false
	}
	return true
}

// positive checks a required rate or measurement that must be finite and
// greater than zero, and reports whether it is.
func (c *checker) positive(field string, v float64) bool {
	switch {
	case v == 0:
		c.add(field, ErrMissing, "required (a positive number)")
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
		c.add(field, ErrInvalid, "must be a positive number, not %v", v)
	default:
		return true
	}
	return false
}

// id checks a justification ID.
func (c *checker) id(id string) {
	if id == "" {
		c.add("id", ErrMissing, "required")
		return
	}
	if len(id) > 64 || !isIDByte(id[0]) || strings.IndexFunc(id, notIDRune) >= 0 {
		c.add("id", ErrInvalid, "must be 1 to 64 letters, digits, '.', '-' or '_', "+
			"starting with a letter or digit")
		return
	}
	c.grounds("id", id, false)
}

// isIDByte reports whether b may start an ID.
func isIDByte(b byte) bool {
	return b < utf8.RuneSelf && (unicode.IsLetter(rune(b)) || unicode.IsDigit(rune(b)))
}

// notIDRune reports runes an ID may not hold.
func notIDRune(r rune) bool {
	return r >= utf8.RuneSelf || !(isIDByte(byte(r)) || r == '.' || r == '-' || r == '_')
}

// contact checks the contact shown to limited clients.
func (c *checker) contact(v string) {
	if strings.TrimSpace(v) == "" {
		c.add("contact", ErrMissing, "required (an e-mail address, an https URL or a tel: URI)")
		return
	}
	if len(v) > 256 || strings.IndexFunc(v, unicode.IsControl) >= 0 || !reachable(v) {
		c.add("contact", ErrInvalid, "must be an e-mail address, an https URL or a tel: URI "+
			"of at most 256 characters")
	}
}

// reachable reports whether v is a contact a client can use.
func reachable(v string) bool {
	if rest, ok := strings.CutPrefix(v, "tel:"); ok {
		return strings.ContainsAny(rest, "0123456789") &&
			strings.Trim(rest, "+0123456789- ().") == ""
	}
	if u, err := url.Parse(v); err == nil && u.Scheme == "https" {
		return u.Host != "" && u.User == nil
	}
	addr, err := mail.ParseAddress(strings.TrimPrefix(v, "mailto:"))
	return err == nil && addr.Name == "" && !strings.ContainsAny(v, "<>")
}
