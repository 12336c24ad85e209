package searchparam_test

import (
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

func TestParseReferenceURL(t *testing.T) {
	tests := []struct {
		ref           string
		base, typ, id string
		ok            bool
	}{
		{"Patient/123", "", "Patient", "123", true},
		{"Patient/a-b.c", "", "Patient", "a-b.c", true},
		{"Patient/123/_history/4", "", "Patient", "123", true},
		{"https://h.example/r4/Patient/123", "https://h.example/r4", "Patient", "123", true},
		{"http://h.example/Patient/123/_history/4", "http://h.example", "Patient", "123", true},
		{"http://host:8080/Patient/1", "http://host:8080", "Patient", "1", true},
		{strings.Repeat("a", 64), "", "", "", false},
		{"Patient/" + strings.Repeat("a", 64), "", "Patient", strings.Repeat("a", 64), true},
		{"Patient/" + strings.Repeat("a", 65), "", "", "", false},
		{"#contained", "", "", "", false},
		{"Patient/#x", "", "", "", false},
		{"urn:uuid:9d6e3f9c-7d4b-4e8e-8f0e-1d0b6f0d7c11", "", "", "", false},
		{"urn:oid:1.2.3", "", "", "", false},
		{"Patient/123?x=1", "", "", "", false},
		{"Patient/12 3", "", "", "", false},
		{"Patient/12%2F3", "", "", "", false},
		{"Patient/../Patient/B", "", "", "", false},
		{"Patient//123", "", "", "", false},
		{"/Patient/123", "", "", "", false},
		{"patient/123", "", "", "", false},
		{"P/123", "", "", "", false},
		{"Pat1ent/123", "", "", "", false},
		{"Patient/", "", "", "", false},
		{"Patient", "", "", "", false},
		{"", "", "", "", false},
		{"Patient/123/_history/", "", "", "", false},
		{"Patient/123/_history", "", "", "", false},
		{"ftp://host/Patient/1", "", "", "", false},
		{"https:///Patient/1", "", "", "", false},
		{"https://host/../Patient/1", "", "", "", false},
		{"https://host//Patient/1", "", "", "", false},
		{"x/Patient/1", "", "", "", false},
		{"Patient/ü", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			base, typ, id, ok := searchparam.ParseReferenceURL(tt.ref)
			if base != tt.base || typ != tt.typ || id != tt.id || ok != tt.ok {
				t.Errorf("got %q %q %q %v, want %q %q %q %v",
					base, typ, id, ok, tt.base, tt.typ, tt.id, tt.ok)
			}
			typ2, id2, ok2 := searchparam.ParseReference(tt.ref)
			if typ2 != typ || id2 != id || ok2 != ok {
				t.Errorf("ParseReference disagrees: %q %q %v", typ2, id2, ok2)
			}
		})
	}
}

// FuzzParseReference checks that an accepted reference has R4's type and
// ID syntax and can be rebuilt from its parts.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"Patient/1", "Patient/1/_history/2", "https://h/b/Patient/x",
		"#c", "urn:uuid:1", "Patient/../x", "http://h/Patient/1?x", "/Patient/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		base, typ, id, ok := searchparam.ParseReferenceURL(ref)
		if !ok {
			if base != "" || typ != "" || id != "" {
				t.Fatalf("rejected %q but returned parts", ref)
			}
			return
		}
		if len(id) == 0 || len(id) > 64 || strings.Trim(id, validIDChars) != "" {
			t.Fatalf("%q: bad id %q", ref, id)
		}
		if len(typ) < 2 || typ[0] < 'A' || typ[0] > 'Z' || strings.Trim(typ, letters) != "" {
			t.Fatalf("%q: bad type %q", ref, typ)
		}
		rebuilt := typ + "/" + id
		if base != "" {
			rebuilt = base + "/" + rebuilt
		}
		if ref != rebuilt && !strings.HasPrefix(ref, rebuilt+"/_history/") {
			t.Fatalf("%q parsed to %q %q %q", ref, base, typ, id)
		}
		web := strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://")
		if base != "" && !web {
			t.Fatalf("%q: base %q", ref, base)
		}
	})
}

const (
	letters      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	validIDChars = letters + "0123456789-."
)

// FuzzParseCriterion checks that parsing arbitrary conditions never
// panics, and that an accepted condition can be evaluated.
func FuzzParseCriterion(f *testing.F) {
	for _, s := range [][3]string{
		{"Observation", "category", catSystem + "|laboratory"},
		{"Observation", "subject:Patient", "A"},
		{"Observation", "date", "ge2024-03-05T10:00:00+01:00"},
		{"Observation", "value-quantity", `ap6.3|http://unitsofmeasure.org|mmol/L`},
		{"Patient", "name:contains", `Zo\,e`},
		{"Patient", "identifier:of-type", "http://x|MR|1"},
		{"Observation", "_profile:below", "http://x/"},
		{"Observation", "code:missing", "true"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	data, err := readTestdata("observation.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, typ, key, value string) {
		c, err := searchparam.ParseCriterion(typ, key, value)
		if err != nil {
			if c != nil {
				t.Fatal("criterion and error")
			}
			return
		}
		if typ == "Observation" {
			if _, err := c.MatchResource(data); err != nil {
				t.Fatal(err)
			}
		}
		c.Match(searchparam.Value{Kind: searchparam.KindCode, Code: value})
	})
}
