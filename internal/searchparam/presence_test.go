package searchparam_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// presenceOf runs ExtractPresence with the definitions typ.names and
// returns the names of the definitions that have an element, by presence
// or by value, sorted and distinct.
func presenceOf(t *testing.T, typ string, names []string, data string) ([]string, error) {
	t.Helper()
	defs := make([]*searchparam.Def, len(names))
	for i, n := range names {
		d, ok := searchparam.Lookup(typ, n)
		if !ok {
			t.Fatalf("no parameter %s on %s", n, typ)
		}
		defs[i] = d
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	mark := func(def int) { got = append(got, names[def]) }
	err = ex.ExtractPresence([]byte(data), func(def int, _ searchparam.Value) { mark(def) }, mark)
	slices.Sort(got)
	return slices.Compact(got), err
}

func TestExtractPresence(t *testing.T) {
	const dev = `{"resourceType":"Device",`
	const obs = `{"resourceType":"Observation",`
	const lib = `{"resourceType":"Library","status":"active","type":{"text":"x"},`
	tests := []struct {
		name, typ string
		params    []string
		data      string
		want      []string
	}{
		{"no element", "Device", []string{"patient"}, dev + `"status":"active"}`, nil},
		{"literal reference", "Device", []string{"patient"},
			dev + `"patient":{"reference":"Patient/b"}}`, []string{"patient"}},
		{"contained reference", "Device", []string{"patient"},
			dev + `"patient":{"reference":"#p"}}`, []string{"patient"}},
		{"identifier only", "Device", []string{"patient"},
			dev + `"patient":{"identifier":{"system":"urn:mrn","value":"1"}}}`, []string{"patient"}},
		{"display only", "Device", []string{"patient"},
			dev + `"patient":{"display":"someone"}}`, []string{"patient"}},
		{"null", "Device", []string{"patient"}, dev + `"patient":null}`, []string{"patient"}},
		{"empty object", "Device", []string{"patient"}, dev + `"patient":{}}`, []string{"patient"}},
		{"empty array", "Device", []string{"patient"}, dev + `"patient":[]}`, []string{"patient"}},
		{"a string", "Device", []string{"patient"}, dev + `"patient":"Patient/b"}`,
			[]string{"patient"}},
		{"escaped key", "Device", []string{"patient"}, dev + `"p\u0061tient":null}`,
			[]string{"patient"}},
		{"primitive extension only", "Device", []string{"patient"},
			dev + `"_patient":{"extension":[]}}`, nil},
		{"nested elsewhere", "Device", []string{"patient"},
			dev + `"note":[{"patient":{"reference":"Patient/b"}}]}`, nil},
		{"resolve() condition: identifier only", "Observation", []string{"patient", "subject"},
			obs + `"subject":{"identifier":{"value":"1"}}}`, []string{"subject"}},
		{"resolve() condition: a value that passes", "Observation", []string{"patient", "subject"},
			obs + `"subject":{"reference":"Patient/a"}}`, []string{"patient", "subject"}},
		{"resolve() condition: a value that fails", "Observation", []string{"patient", "subject"},
			obs + `"subject":{"reference":"Group/g"}}`, []string{"subject"}},
		{"path through an array", "Patient", []string{"link"},
			`{"resourceType":"Patient","link":[{"type":"seealso"},{"other":null}]}`,
			[]string{"link"}},
		{"path through an array, absent", "Patient", []string{"link"},
			`{"resourceType":"Patient","link":[{"type":"seealso"}]}`, nil},
		{"array in an array", "Patient", []string{"link"},
			`{"resourceType":"Patient","link":[[{"other":{}}]]}`, nil},
		{"where() in the path: no value", "Library", []string{"composed-of"},
			lib + `"relatedArtifact":[{"type":"composed-of","resource":null}]}`, nil},
		{"where() in the path: a value", "Library", []string{"composed-of"},
			lib + `"relatedArtifact":[{"type":"composed-of","resource":"http://x/Library/1"}]}`,
			[]string{"composed-of"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := presenceOf(t, tc.typ, tc.params, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("present %v, want %v", got, tc.want)
			}
		})
	}
}

// TestExtractPresenceRejectsUntrustedJSON checks that an element written
// twice, whatever its values, fails the extraction rather than being
// reported present or absent.
func TestExtractPresenceRejectsUntrustedJSON(t *testing.T) {
	for name, data := range map[string]string{
		"duplicated":         `{"resourceType":"Device","patient":null,"patient":{}}`,
		"duplicated escaped": `{"resourceType":"Device","patient":{},"p\u0061tient":{}}`,
		"invalid JSON":       `{"resourceType":"Device","patient":{]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := presenceOf(t, "Device", []string{"patient"}, data)
			if !errors.Is(err, searchparam.ErrDuplicateKey) && !errors.Is(err, searchparam.ErrSyntax) {
				t.Fatalf("error %v, want ErrDuplicateKey or ErrSyntax", err)
			}
		})
	}
}

// TestMissingUsesPresence checks that :missing=true holds only for a
// resource without the element, and that an element yielding no value
// (identifier only, null, an empty object) is not missing.
func TestMissingUsesPresence(t *testing.T) {
	tests := []struct {
		name, data string
		missing    bool
	}{
		{"absent", `{"resourceType":"Device"}`, true},
		{"literal", `{"resourceType":"Device","patient":{"reference":"Patient/a"}}`, false},
		{"identifier only", `{"resourceType":"Device","patient":{"identifier":{"value":"1"}}}`,
			false},
		{"null", `{"resourceType":"Device","patient":null}`, false},
		{"empty object", `{"resourceType":"Device","patient":{}}`, false},
	}
	yes, _ := searchparam.ParseCriterion("Device", "patient:missing", "true")
	no, _ := searchparam.ParseCriterion("Device", "patient:missing", "false")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotYes, errYes := yes.MatchResource([]byte(tc.data))
			gotNo, errNo := no.MatchResource([]byte(tc.data))
			if errYes != nil || errNo != nil {
				t.Fatal(errYes, errNo)
			}
			if gotYes != tc.missing || gotNo == tc.missing {
				t.Errorf("missing=true %v, missing=false %v; want missing %v", gotYes, gotNo,
					tc.missing)
			}
		})
	}
}
