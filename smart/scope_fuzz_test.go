package smart_test

import (
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

// FuzzParseScopes checks that any scope string parses without panicking,
// that every scope lands in exactly one group, and that every resource scope
// the parser accepts is well-formed: a known context, a type that is "*" or
// starts with an upper-case letter, permissions, and v1 scopes without
// conditions.
func FuzzParseScopes(f *testing.F) {
	for _, tc := range scopeCases {
		f.Add(tc.in)
	}
	f.Add("launch/patient openid fhirUser offline_access patient/*.rs patient/Observation.rs?category=" +
		labCategory + " patient/Observation.dus")
	f.Add("patient/Observation.rs?a=%41&b=c\tuser/Patient.r\n system/*.cruds")

	f.Fuzz(func(t *testing.T, in string) {
		got := smart.ParseScopes(in)

		fields := map[string]bool{}
		isSpace := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
		for _, f := range strings.FieldsFunc(in, isSpace) {
			fields[f] = true
		}
		if n := len(got.Resource) + len(got.Other) + len(got.Malformed); n != len(fields) {
			t.Fatalf("%d scopes filed for %d distinct fields in %q", n, len(fields), in)
		}
		for _, sc := range got.Resource {
			checkWellFormed(t, sc)
		}
		for _, m := range got.Malformed {
			if m.Reason == "" || !fields[m.Scope] {
				t.Fatalf("malformed entry %+v has no reason or was not in the input", m)
			}
		}
	})
}

func checkWellFormed(t *testing.T, sc smart.Scope) {
	t.Helper()
	if sc.Context < smart.ContextPatient || sc.Context > smart.ContextSystem {
		t.Fatalf("%q: context %v", sc.Raw, sc.Context)
	}
	if !strings.HasPrefix(sc.Raw, sc.Context.String()+"/") {
		t.Fatalf("%q: context %v does not match the prefix", sc.Raw, sc.Context)
	}
	if sc.Type != "*" && (sc.Type == "" || sc.Type[0] < 'A' || sc.Type[0] > 'Z') {
		t.Fatalf("%q: type %q", sc.Raw, sc.Type)
	}
	if sc.Permissions == 0 || sc.Permissions&^smart.PermAll != 0 {
		t.Fatalf("%q: permissions %b", sc.Raw, sc.Permissions)
	}
	if sc.V1 && sc.Granular() {
		t.Fatalf("%q: v1 scope with conditions", sc.Raw)
	}
	for _, p := range sc.Params {
		if p.Name == "" || p.Value == "" {
			t.Fatalf("%q: empty condition %+v", sc.Raw, p)
		}
	}
}
