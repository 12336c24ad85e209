package searchparam_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden lists the golden resources and their types.
var golden = map[string]string{
	"observation.json":        "Observation",
	"allergyintolerance.json": "AllergyIntolerance",
	"communication.json":      "Communication",
	"group.json":              "Group",
	"careteam.json":           "CareTeam",
	"provenance.json":         "Provenance",
	"encounter.json":          "Encounter",
	"patient.json":            "Patient",
	"library.json":            "Library",
}

// TestExtractGolden extracts every supported parameter of each golden
// resource and compares the values with testdata/golden/*.txt, which were
// reviewed by hand.
func TestExtractGolden(t *testing.T) {
	for file, typ := range golden {
		t.Run(file, func(t *testing.T) {
			got := strings.Join(extractAll(t, typ, readFile(t, file)), "\n") + "\n"
			path := filepath.Join("testdata", "golden", strings.TrimSuffix(file, ".json")+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("values differ from %s:\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// extractAll returns "name: value" for every value of every supported
// parameter of typ, sorted.
func extractAll(t *testing.T, typ string, data []byte) []string {
	t.Helper()
	var defs []*searchparam.Def
	for _, d := range searchparam.Defs(typ) {
		if d.Supported() {
			defs = append(defs, d)
		}
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	err = ex.Extract(data, func(i int, v searchparam.Value) {
		lines = append(lines, defs[i].Name+": "+v.String())
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return lines
}

func lineDiff(want, got string) string {
	var b strings.Builder
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestCompartmentReferences checks, parameter by parameter, the references
// through which the golden resources belong to compartments.
func TestCompartmentReferences(t *testing.T) {
	tests := []struct {
		file, typ, param string
		want             []string
	}{
		{"observation.json", "Observation", "subject", []string{"Patient/A"}},
		{"observation.json", "Observation", "patient", []string{"Patient/A"}},
		{"observation.json", "Observation", "performer",
			[]string{"Practitioner/P1", "Organization/O1"}},
		{"allergyintolerance.json", "AllergyIntolerance", "patient", []string{"Patient/A"}},
		{"allergyintolerance.json", "AllergyIntolerance", "recorder", []string{"Practitioner/P1"}},
		{"allergyintolerance.json", "AllergyIntolerance", "asserter", []string{"RelatedPerson/R1"}},
		{"communication.json", "Communication", "sender", []string{"Practitioner/P1"}},
		{"communication.json", "Communication", "recipient",
			[]string{"Patient/A", "https://other.example.org/fhir/RelatedPerson/R2"}},
		{"group.json", "Group", "member", []string{"Patient/A", "Patient/B"}},
		{"careteam.json", "CareTeam", "participant",
			[]string{"Practitioner/P1", "Patient/A", "#contained-1"}},
		{"careteam.json", "CareTeam", "patient", []string{"Patient/A"}},
		{"provenance.json", "Provenance", "target",
			[]string{"Observation/obs-bp-1", "Patient/A/_history/2"}},
		{"provenance.json", "Provenance", "patient", []string{"Patient/A/_history/2"}},
		{"provenance.json", "Provenance", "agent", []string{"Practitioner/P1", "Patient/A"}},
		{"encounter.json", "Encounter", "patient", []string{"Patient/A"}},
		{"encounter.json", "Encounter", "practitioner", []string{"Practitioner/P1"}},
		{"patient.json", "Patient", "link", []string{"Patient/A-old"}},
		{"library.json", "Library", "composed-of",
			[]string{"http://example.org/Library/part-a", "http://example.org/Library/part-b"}},
		{"library.json", "Library", "depends-on", []string{"http://example.org/Library/base"}},
		{"library.json", "Library", "successor", nil},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"."+tt.param, func(t *testing.T) {
			got := references(t, tt.typ, tt.param, readFile(t, tt.file))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func references(t *testing.T, typ, param string, data []byte) []string {
	t.Helper()
	d, ok := searchparam.Lookup(typ, param)
	if !ok {
		t.Fatalf("no parameter %s.%s", typ, param)
	}
	ex, err := searchparam.NewExtractor(d)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = ex.Extract(data, func(_ int, v searchparam.Value) { got = append(got, v.Ref) })
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestNewExtractorErrors(t *testing.T) {
	composite, _ := searchparam.Lookup("Observation", "code-value-quantity")
	subject, _ := searchparam.Lookup("Observation", "subject")
	patientName, _ := searchparam.Lookup("Patient", "name")
	tests := []struct {
		name        string
		defs        []*searchparam.Def
		unsupported bool
	}{
		{"none", nil, false},
		{"nil", []*searchparam.Def{nil}, true},
		{"unsupported", []*searchparam.Def{subject, composite}, true},
		{"two types", []*searchparam.Def{subject, patientName}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := searchparam.NewExtractor(tt.defs...)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, searchparam.ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v", err, got)
			}
		})
	}
}

// TestExtractorConcurrentUse shares one Extractor and one Criterion among
// several goroutines; run with -race.
func TestExtractorConcurrentUse(t *testing.T) {
	data := readFile(t, "observation.json")
	want := len(extractAll(t, "Observation", data))
	var defs []*searchparam.Def
	for _, d := range searchparam.Defs("Observation") {
		if d.Supported() {
			defs = append(defs, d)
		}
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := searchparam.ParseCriterion("Observation", "subject", "Patient/A")
	if err != nil {
		t.Fatal(err)
	}

	counts := make(chan int)
	for range 4 {
		go func() {
			n := 0
			err := ex.Extract(data, func(int, searchparam.Value) { n++ })
			if ok, cerr := c.MatchResource(data); err != nil || cerr != nil || !ok {
				n = -1
			}
			counts <- n
		}()
	}
	for range 4 {
		if got := <-counts; got != want {
			t.Errorf("a goroutine saw %d values, want %d", got, want)
		}
	}
}
