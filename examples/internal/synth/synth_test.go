package synth_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// usCoreTypes returns the resource types of the US Core 6.1.0 server
// CapabilityStatement (testdata/PROVENANCE.md).
func usCoreTypes(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/us-core-6.1.0-resource-types.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

func generate(t *testing.T, cfg synth.Config) []compartment.Resource {
	t.Helper()
	rs, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := generate(t, synth.Config{}), generate(t, synth.Config{})
	if len(a) != len(b) {
		t.Fatalf("%d and %d resources", len(a), len(b))
	}
	for i := range a {
		if a[i].Reference() != b[i].Reference() || !bytes.Equal(a[i].JSON, b[i].JSON) {
			t.Fatalf("resource %d differs: %s and %s", i, a[i].Reference(), b[i].Reference())
		}
	}
	c := generate(t, synth.Config{Seed: 2})
	if bytes.Equal(a[len(a)-40].JSON, c[len(c)-40].JSON) && bytes.Equal(a[100].JSON, c[100].JSON) {
		t.Error("another seed gives the same values")
	}
}

func TestGenerateCoversUSCore(t *testing.T) {
	rs := generate(t, synth.Config{Patients: 5})
	byType := make(map[string]int)
	for _, r := range rs {
		byType[r.Type]++
	}
	for _, typ := range usCoreTypes(t) {
		if byType[typ] == 0 {
			t.Errorf("no %s", typ)
		}
	}
	for _, p := range synth.Patients(5) {
		for _, typ := range usCoreTypes(t) {
			if searchparam.CompartmentParams(typ) == nil {
				continue
			}
			if n := compartmentCount(t, rs, typ, p.ID); n == 0 && typ != "Patient" {
				t.Errorf("patient %s has no %s", p.ID, typ)
			}
		}
	}
}

// compartmentCount counts the resources of typ in patient id's
// compartment, through any compartment parameter.
func compartmentCount(t *testing.T, rs []compartment.Resource, typ, id string) int {
	t.Helper()
	n := 0
	for _, r := range rs {
		if r.Type != typ {
			continue
		}
		for _, name := range searchparam.CompartmentParams(typ) {
			c, err := searchparam.ParseCriterion(typ, name, "Patient/"+id)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := c.MatchResource(r.JSON); err != nil || ok {
				if err != nil {
					t.Fatal(err)
				}
				n++
				break
			}
		}
	}
	return n
}

func TestGenerateCategories(t *testing.T) {
	rs := generate(t, synth.Config{Patients: 5})
	for typ, want := range map[string][]string{
		"Observation": {"vital-signs", "laboratory", "social-history", "survey", "exam"},
		"Condition":   {"problem-list-item", "encounter-diagnosis", "health-concern"},
	} {
		for _, cat := range want {
			c, err := searchparam.ParseCriterion(typ, "category", cat)
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(rs, func(r compartment.Resource) bool {
				ok, _ := c.MatchResource(r.JSON)
				return r.Type == typ && ok && strings.HasPrefix(r.ID, "p1-")
			})
			if !found {
				t.Errorf("p1 has no %s of category %s", typ, cat)
			}
		}
	}
}

func TestGeneratePatientsActForOthers(t *testing.T) {
	rs := generate(t, synth.Config{Patients: 5})
	for _, tc := range []struct{ typ, param, target, subject string }{
		{"Observation", "performer", "Patient/p2", "Patient/p1"},
		{"DocumentReference", "author", "Patient/p1", "Patient/p5"},
		{"QuestionnaireResponse", "author", "Patient/p3", "Patient/p2"},
	} {
		found := false
		for _, r := range rs {
			if r.Type != tc.typ {
				continue
			}
			by, _ := searchparam.ParseCriterion(tc.typ, tc.param, tc.target)
			of, _ := searchparam.ParseCriterion(tc.typ, "subject", tc.subject)
			okBy, _ := by.MatchResource(r.JSON)
			okOf, _ := of.MatchResource(r.JSON)
			found = found || okBy && okOf
		}
		if !found {
			t.Errorf("no %s of %s with %s %s", tc.typ, tc.subject, tc.param, tc.target)
		}
	}
}

func TestGenerateResourcesAreValid(t *testing.T) {
	seen := make(map[string]bool)
	for _, r := range generate(t, synth.Config{Patients: 2}) {
		if seen[r.Reference()] {
			t.Errorf("%s generated twice", r.Reference())
		}
		seen[r.Reference()] = true
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(r.JSON, &head); err != nil || head.ResourceType != r.Type ||
			head.ID != r.ID {
			t.Errorf("%s: %s %s, %v", r.Reference(), head.ResourceType, head.ID, err)
		}
		if _, ok := searchparam.Lookup(r.Type, "_id"); !ok {
			t.Errorf("%s is not an R4 type", r.Type)
		}
	}
	for ref := range seen {
		if strings.Contains(ref, "/p3-") {
			t.Errorf("%s generated for a third patient", ref)
		}
	}
}

func TestGenerateRefusesBadConfig(t *testing.T) {
	for _, n := range []int{-1, synth.MaxPatients + 1} {
		if _, err := synth.Generate(synth.Config{Patients: n}); err == nil {
			t.Errorf("Patients %d accepted", n)
		}
	}
}

func TestPatients(t *testing.T) {
	ps := synth.Patients(8)
	if ps[0].ID != "p1" || ps[0].Name != "Amy Shaw" || ps[7].ID != "p8" || ps[7].Name == ps[1].Name {
		t.Errorf("patients %v", ps)
	}
}
