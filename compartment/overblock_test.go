package compartment_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// TestNoOverBlocking checks that a patient/*.rs token for a (linked to a2)
// gets back every resource of its compartment, as the official
// CompartmentDefinition defines it, from a search of each type with no
// parameter, and can read every resource outside the compartment that
// those resources reference.
func TestNoOverBlocking(t *testing.T) {
	o := newOracle(t, "a", "a2")
	ctx := patientCtx("a", "patient/*.rs")
	for kind, store := range stores(t) {
		g, _ := newGuard(t, store, compartment.Config{LinkedPatients: linkedA})
		for typ := range compartmentDefinition(t) {
			want := o.ofType(typ, o.inCompartment)
			if len(want) == 0 {
				continue
			}
			t.Run(kind+"/search "+typ, func(t *testing.T) {
				p, err := search(ctx, g, typ, "")
				if err != nil {
					t.Fatal(err)
				}
				got := sortedRefs(p.Resources)
				for _, ref := range want {
					if !slices.Contains(got, ref) {
						t.Errorf("%s missing; got %v", ref, got)
					}
				}
			})
		}
		for _, ref := range o.referencedOutside() {
			t.Run(kind+"/read "+ref, func(t *testing.T) {
				typ, id, _ := strings.Cut(ref, "/")
				if _, err := g.Read(ctx, typ, id); err != nil {
					t.Fatalf("read: %v", err)
				}
			})
		}
	}
}

// referencedOutside returns the resources outside the compartment that
// resources in it reference, including Binary attachments, and that the
// oracle says the token may see (an Observation of a may name b's
// Device).
func (o *oracle) referencedOutside() []string {
	seen := map[string]bool{}
	for ref, m := range o.byRef {
		if !o.inCompartment(ref) {
			continue
		}
		var all []string
		collectRefs(m, &all)
		all = append(all, o.stringsAt(m, "content.attachment.url")...)
		for _, r := range all {
			typ, _, _ := strings.Cut(r, "/")
			if _, known := o.byRef[r]; known && o.def[typ] == nil && typ != "Patient" &&
				o.visible(r) {
				seen[r] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// collectRefs appends every reference string anywhere in v.
func collectRefs(v any, out *[]string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectRefs(e, out)
		}
	case map[string]any:
		if s, ok := x["reference"].(string); ok {
			*out = append(*out, strings.TrimPrefix(s, baseURL+"/"))
		}
		for _, e := range x {
			collectRefs(e, out)
		}
	}
}

// TestEverything checks that a search of the patient's compartment across
// all types ($everything) returns exactly the compartment.
func TestEverything(t *testing.T) {
	o := newOracle(t, "a", "a2")
	for kind, store := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			g, _ := newGuard(t, store, compartment.Config{LinkedPatients: linkedA})
			q := compartment.Query{Compartment: compartment.CompartmentRef{Type: "Patient", ID: "a"},
				Count: 1000}
			p, err := g.Search(patientCtx("a", "patient/*.rs"), q)
			if err != nil {
				t.Fatal(err)
			}
			got := sortedRefs(p.Resources)
			o.checkOnlyVisible(t, p.Resources)
			for _, ref := range o.all(o.inCompartment) {
				if !strings.HasPrefix(ref, "Patient/") && !slices.Contains(got, ref) {
					t.Errorf("%s missing from $everything", ref)
				}
			}
		})
	}
}

// categoryOf returns the observation-category codes of an Observation.
func (o *oracle) categoryOf(ref string) []string {
	return o.stringsAt(o.byRef[ref], "category.coding.code")
}

// TestGranularCategories checks that category scopes return exactly the
// Observations of the granted categories in the compartment: none
// missing, none extra.
func TestGranularCategories(t *testing.T) {
	const sys = "http://terminology.hl7.org/CodeSystem/observation-category"
	tests := []struct {
		name   string
		scopes string
		cats   []string
	}{
		{"laboratory", "patient/Observation.rs?category=" + sys + "|laboratory", []string{"laboratory"}},
		{"laboratory or vital-signs", "patient/Observation.rs?category=" + sys + "|laboratory " +
			"patient/Observation.rs?category=" + sys + "|vital-signs",
			[]string{"laboratory", "vital-signs"}},
		{"comma list in one scope", "patient/Observation.rs?category=" + sys + "|survey," + sys +
			"|social-history", []string{"survey", "social-history"}},
		{"code alone", "patient/Observation.rs?category=vital-signs", []string{"vital-signs"}},
		{"resource scope subsumes", "patient/Observation.rs?category=" + sys + "|laboratory " +
			"patient/Observation.rs", []string{"laboratory", "vital-signs", "survey", "social-history"}},
	}
	o := newOracle(t, "a")
	for kind, store := range stores(t) {
		for _, tc := range tests {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				g, _ := newGuard(t, store, compartment.Config{})
				want := o.ofType("Observation", func(ref string) bool {
					return o.inCompartment(ref) && slices.ContainsFunc(o.categoryOf(ref),
						func(c string) bool { return slices.Contains(tc.cats, c) })
				})
				p, err := search(patientCtx("a", tc.scopes), g, "Observation", "_total=accurate")
				if err != nil {
					t.Fatal(err)
				}
				if got := sortedRefs(p.Resources); !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				if !p.TotalKnown || p.Total != len(want) {
					t.Errorf("total = %d (known %v), want %d", p.Total, p.TotalKnown, len(want))
				}
				for _, ref := range want {
					typ, id, _ := strings.Cut(ref, "/")
					if _, err := g.Read(patientCtx("a", tc.scopes), typ, id); err != nil {
						t.Errorf("read %s: %v", ref, err)
					}
				}
			})
		}
	}
}

// TestCounts checks _total=accurate and _summary=count against the
// oracle, for a correct and a lax store.
func TestCounts(t *testing.T) {
	o := newOracle(t, "a")
	for kind, store := range stores(t) {
		for _, typ := range []string{"Observation", "AllergyIntolerance", "Provenance"} {
			want := len(o.ofType(typ, o.inCompartment))
			for _, raw := range []string{"_total=accurate", "_summary=count", "_count=0"} {
				t.Run(kind+"/"+typ+"?"+raw, func(t *testing.T) {
					g, _ := newGuard(t, store, compartment.Config{})
					p, err := search(patientCtx("a", "patient/*.rs"), g, typ, raw)
					if err != nil {
						t.Fatal(err)
					}
					if !p.TotalKnown || p.Total != want {
						t.Errorf("total = %d (known %v), want %d", p.Total, p.TotalKnown, want)
					}
				})
			}
		}
	}
}
