package searchparam

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"unicode/utf8"
)

// fuzzExtractors holds one Extractor over every supported parameter of each
// golden resource's type.
var fuzzExtractors = sync.OnceValue(func() map[string]*Extractor {
	m := map[string]*Extractor{}
	for _, typ := range []string{"Observation", "AllergyIntolerance", "Communication", "Group",
		"CareTeam", "Provenance", "Encounter", "Patient", "Library", "Device"} {
		ex, err := NewExtractor(supportedDefs(typ)...)
		if err != nil {
			panic(err)
		}
		m[typ] = ex
	}
	return m
})

// FuzzExtract checks that Extract never panics, reports a syntax error
// exactly for what is not JSON (json.Valid plus RFC 8259's UTF-8 rule), and
// agrees with the reference evaluator on every input it accepts: the
// values, and which definitions have an element (ExtractPresence).
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{`{}`, `[]`, `{"resourceType":"Patient","link":[{"other":1}]}`,
		`{"resourceType":"Observation","subject":{"reference":"Patient/A","reference":"B"}}`,
		`{"resourceType":"Observation","sub\u006aect":{"reference":"Patient/\u0041"}}`,
		`{"resourceType":"Patient","name":[[{"given":["x"]}]]}`, "{\"a\":\"\xff\"}",
		`{"resourceType":"Device","patient":null}`, `{"resourceType":"Device","patient":{}}`,
		`{"resourceType":"Device","patient":{"identifier":{"value":"1"}},"owner":[]}`,
		`{"resourceType":"Patient","link":[{"other":null},{"type":"seealso"}]}`,
		`{"resourceType":"Observation","subject":{"display":"x"},"device":[]}`} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data) && utf8.Valid(data)
		for typ, ex := range fuzzExtractors() {
			got, err := scannerExtract(ex, data)
			checkVerdict(t, typ, valid, err)
			if err != nil {
				continue
			}
			want, err := referenceExtract(ex.defs, data)
			if err != nil {
				t.Fatalf("%s: accepted, but encoding/json says %v", typ, err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: scanner %q, reference %q", typ, got, want)
			}
		}
	})
}

// checkVerdict compares Extract's error with the validity of the input. A
// duplicated key or a wrong resourceType is only reported once the whole
// document has been validated, so those errors too imply valid JSON.
func checkVerdict(t *testing.T, typ string, valid bool, err error) {
	t.Helper()
	switch {
	case errors.Is(err, ErrTooDeep):
	case errors.Is(err, ErrSyntax) && valid:
		t.Fatalf("%s: valid JSON reported as %v", typ, err)
	case !errors.Is(err, ErrSyntax) && !valid:
		t.Fatalf("%s: invalid JSON accepted (err %v)", typ, err)
	}
}
