package smart

import (
	"strings"
	"testing"
)

// parseChallenge reads a Bearer challenge back into its parameters,
// following the auth-param grammar of RFC 9110 section 11.2 with quoted
// values only. It returns ok false when the header does not follow it.
func parseChallenge(h string) (params map[string]string, ok bool) {
	rest, found := strings.CutPrefix(h, "Bearer")
	if !found {
		return nil, false
	}
	params = map[string]string{}
	sep := " "
	for rest != "" {
		if rest, found = strings.CutPrefix(rest, sep); !found {
			return nil, false
		}
		sep = ", "
		name, value, found := strings.Cut(rest, `="`)
		if !found || name == "" || strings.ContainsAny(name, ` ",\`) {
			return nil, false
		}
		var b strings.Builder
		i := 0
		for ; i < len(value) && value[i] != '"'; i++ {
			if value[i] == '\\' {
				i++
				if i == len(value) {
					return nil, false
				}
			}
			b.WriteByte(value[i])
		}
		if i == len(value) {
			return nil, false
		}
		if _, dup := params[name]; dup {
			return nil, false
		}
		params[name], rest = b.String(), value[i+1:]
	}
	return params, true
}

// sanitized is what appendQuoted promises to keep of s.
func sanitized(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

func TestChallengeString(t *testing.T) {
	cases := []struct {
		name string
		c    challenge
		want string
	}{
		{"no realm", challenge{}, "Bearer"},
		{"realm only", challenge{realm: "fhir"}, `Bearer realm="fhir"`},
		{"insufficient scope", challenge{realm: "fhir", code: codeInsufficientScope,
			scope: "patient/Observation.rs"},
			`Bearer realm="fhir", error="insufficient_scope", scope="patient/Observation.rs"`},
		{"quotes and backslashes", challenge{realm: `a"b\c`, code: codeInvalidToken,
			description: `say "hi"\`},
			`Bearer realm="a\"b\\c", error="invalid_token", error_description="say \"hi\"\\"`},
		{"line break and non-ASCII", challenge{realm: "a\r\nWWW-Authenticate: x", scope: "é"},
			`Bearer realm="a??WWW-Authenticate: x", scope="??"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// FuzzChallenge checks that no value can break out of its quoted-string:
// whatever the values, the header reads back as exactly the parameters
// written, with their values intact apart from replaced control and
// non-ASCII bytes.
func FuzzChallenge(f *testing.F) {
	f.Add("fhir", "invalid_token", "the token expired", "patient/Observation.rs")
	f.Add(`a"b`, `", scope="x`, `\`, `\"`)
	f.Add("\r\n", "\x00", "é", `"""`)
	f.Fuzz(func(t *testing.T, realm, code, description, scope string) {
		c := challenge{realm: realm, code: code, description: description, scope: scope}
		h := c.String()
		params, ok := parseChallenge(h)
		if !ok {
			t.Fatalf("challenge %q does not parse", h)
		}
		want := map[string]string{}
		for name, v := range map[string]string{"realm": realm, "error": code,
			"error_description": description, "scope": scope} {
			if v != "" {
				want[name] = sanitized(v)
			}
		}
		if len(params) != len(want) {
			t.Fatalf("challenge %q has params %q, want %q", h, params, want)
		}
		for name, v := range want {
			if params[name] != v {
				t.Errorf("param %s = %q, want %q (header %q)", name, params[name], v, h)
			}
		}
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] >= 0x7f {
				t.Fatalf("challenge %q holds byte %#x", h, h[i])
			}
		}
	})
}
