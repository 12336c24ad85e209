package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// This file reads search values the way internal/searchparam's matchers
// do, to turn them into SQL. Every value reaching it has already been
// accepted by searchparam.ParseCriterion, which reports malformed values;
// the functions here only take the accepted ones apart.

// splitEscaped splits s at the separators no backslash escapes, keeping
// the escapes in the parts.
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unescape removes the FHIR search escapes (\, \| \$ \\) of a part.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// prefixes are the comparison prefixes of date, number and quantity
// searches.
var prefixes = []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

// cutPrefix splits the comparison prefix off a value; no prefix is "eq".
func cutPrefix(s string) (prefix, rest string) {
	if len(s) >= 2 {
		for _, p := range prefixes {
			if s[:2] == p {
				return p, s[2:]
			}
		}
	}
	return "eq", s
}

// parseNumber reads a decimal and half the unit of its last digit, the
// precision that eq, ne, sa and eb use: "100" is [99.5, 100.5).
func parseNumber(s string) (val, half float64, err error) {
	val, err = strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, errors.New("not a number")
	}
	mant, exp, _ := strings.Cut(strings.ToLower(s), "e")
	e, _ := strconv.Atoi(exp)
	if _, frac, found := strings.Cut(mant, "."); found {
		e -= len(frac)
	}
	return val, 0.5 * math.Pow(10, float64(e)), nil
}

// dateProbe reads FHIR dates with searchparam's own reading, so that a
// search value covers exactly the range the matchers give it: the value is
// placed in an Observation's effectiveDateTime and extracted.
var dateProbe = sync.OnceValues(func() (*searchparam.Extractor, error) {
	d, ok := searchparam.Lookup("Observation", "date")
	if !ok {
		return nil, errors.New("no Observation date parameter")
	}
	return searchparam.NewExtractor(d)
})

// parseDate returns the range [low, high) that a FHIR date, dateTime or
// instant covers.
func parseDate(s string) (low, high time.Time, err error) {
	ex, err := dateProbe()
	if err != nil {
		return low, high, err
	}
	quoted, _ := json.Marshal(s) // a string always marshals
	doc := append([]byte(`{"resourceType":"Observation","effectiveDateTime":`), quoted...)
	doc = append(doc, '}')
	found := false
	err = ex.Extract(doc, func(_ int, v searchparam.Value) {
		low, high, found = v.Low, v.High, v.Kind == searchparam.KindDate
	})
	if err == nil && !found {
		err = errors.New("not a FHIR date")
	}
	return low, high, err
}

// encodeTime writes an instant as fixed-width text that sorts like time:
// seconds since 1970 shifted to stay positive for every year from 1 to
// 9999, and nanoseconds. The zero time (an open bound) is SQL NULL.
func encodeTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	const shift = 100_000_000_000
	return fmt.Sprintf("%012d.%09d", max(t.Unix()+shift, 0), t.Nanosecond())
}

// isID reports whether s has the syntax of a FHIR resource ID.
func isID(s string) bool {
	_, id, ok := searchparam.ParseReference("Patient/" + s)
	return ok && id == s
}
