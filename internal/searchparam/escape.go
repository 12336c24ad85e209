package searchparam

import (
	"fmt"
	"strings"
)

// splitEscaped splits a search value at the separators that no backslash
// escapes, keeping the escapes in the parts. It rejects a backslash that
// does not escape one of \ , | $.
func splitEscaped(s string, sep byte) ([]string, error) {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) || !strings.ContainsRune(`\,|$`, rune(s[i+1])) {
				return nil, fmt.Errorf("%w: invalid escape", ErrInvalidValue)
			}
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:]), nil
}

// unescapeParam removes the escapes of a part that splitEscaped has
// checked.
func unescapeParam(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// modifiers lists the modifiers each parameter type supports, besides
// "missing", which all support, and the reference type modifiers.
var modifiers = map[Type][]string{
	Token:  {"not", "text", "of-type"},
	String: {"exact", "contains"},
	URI:    {"below", "above"},
}

// checkModifier accepts the modifiers this package evaluates for d.
func checkModifier(d *Def, mod string) error {
	switch {
	case mod == "" || mod == "missing":
		return nil
	case d.Type == Reference && isType(mod):
		return checkTarget(d, mod)
	case mod == "of-type" && !hasIdentifier(d):
		return fmt.Errorf("%w: modifier :of-type on %s, which is not an Identifier",
			ErrUnsupported, d.Name)
	}
	for _, m := range modifiers[d.Type] {
		if m == mod {
			return nil
		}
	}
	return fmt.Errorf("%w: modifier :%s on %s parameter %s", ErrUnsupported, mod, d.Type, d.Name)
}

func checkTarget(d *Def, typ string) error {
	if len(d.Targets) == 0 {
		return nil
	}
	for _, t := range d.Targets {
		if t == typ {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not a target of %s", ErrInvalidValue, typ, d.Name)
}

func hasIdentifier(d *Def) bool {
	for _, p := range d.paths {
		if p.typ == "Identifier" {
			return true
		}
	}
	return false
}
