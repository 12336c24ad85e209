package compartment_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// search parses a raw query string for typ and runs it through g.
func search(ctx context.Context, g compartment.Repository, typ, raw string) (
	compartment.Page, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return compartment.Page{}, err
	}
	q, err := compartment.ParseQuery(typ, v)
	if err != nil {
		return compartment.Page{}, err
	}
	return g.Search(ctx, q)
}

// leakCase is one attempt by patient a to reach data it may not see. run
// returns the resources the attempt obtained; want is the error it must
// fail with (nil when it must succeed but show nothing outside the grant).
type leakCase struct {
	name string
	run  func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error)
	want error

	// scopes are the token's scopes; empty means patient/*.cruds.
	scopes string

	// matches, when not nil, are exactly the resources the attempt must
	// return: for conditions whose mere match would tell something.
	matches []string
}

// expect returns tc expecting exactly the resources refs.
func (tc leakCase) expect(refs ...string) leakCase {
	tc.matches = append([]string{}, refs...)
	return tc
}

// withScopes returns tc run with a token holding scopes.
func (tc leakCase) withScopes(scopes string) leakCase {
	tc.scopes = scopes
	return tc
}

// searchCase is a leakCase for a search.
func searchCase(name, typ, raw string, want error) leakCase {
	return leakCase{name: name, want: want,
		run: func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
			p, err := search(ctx, g, typ, raw)
			return append(p.Resources, p.Included...), err
		}}
}

// readCase is a leakCase for a read of typ/id.
func readCase(typ, id string) leakCase {
	return leakCase{name: "read " + typ + "/" + id, want: compartment.ErrNotFound,
		run: func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
			r, err := g.Read(ctx, typ, id)
			return nonZero(r), err
		}}
}

// nonZero returns r as a list, or nil for the zero Resource.
func nonZero(r compartment.Resource) []compartment.Resource {
	if r.Type == "" {
		return nil
	}
	return []compartment.Resource{r}
}

// leakCases are the vectors of the issue, each its own case.
func leakCases(t *testing.T) []leakCase {
	forbidden := compartment.ErrForbidden
	cases := []leakCase{
		readCase("Patient", "b"),
		readCase("Observation", "obs-b1"),
		readCase("Observation", "obs-b2"),
		readCase("Provenance", "prov-b1"),
		readCase("Provenance", "prov-b-pr"),
		readCase("Binary", "bin-b1"),
		readCase("Binary", "bin-sec-b"),
		readCase("Task", "task-b"),
		{name: "vread Observation/obs-b1/_history/1", want: compartment.ErrNotFound,
			run: func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
				r, err := g.VRead(ctx, "Observation", "obs-b1", "1")
				return nonZero(r), err
			}},
		{name: "instance history Observation/obs-b1", want: compartment.ErrNotFound,
			run: historyRun(compartment.HistoryQuery{Type: "Observation", ID: "obs-b1"})},
		{name: "type history Observation",
			run: historyRun(compartment.HistoryQuery{Type: "Observation"})},
		{name: "system history", run: historyRun(compartment.HistoryQuery{})},
		searchCase("patient=b on Observation", "Observation", "patient=b", forbidden),
		searchCase("patient=b on AllergyIntolerance", "AllergyIntolerance", "patient=b", forbidden),
		searchCase("subject=Patient/b", "Observation", "subject=Patient/b", forbidden),
		searchCase("subject:Patient=b", "Observation", "subject:Patient=b", forbidden),
		searchCase("subject with version", "Observation", "subject=Patient/b/_history/1", forbidden),
		searchCase("encoded slash", "Observation", "subject=Patient%2Fb", forbidden),
		searchCase("comma list a and b", "Observation", "subject=Patient/a,Patient/b", forbidden),
		searchCase("comma list practitioner and b", "Observation",
			"performer=Practitioner/pr1,Patient/b", forbidden),
		searchCase("repeated parameters", "Observation", "subject=Patient/a&subject=Patient/b",
			forbidden),
		searchCase("absolute reference to this server", "Observation",
			"subject=http://fhir.example.org/r4/Patient/b", forbidden),
		searchCase("absolute reference to another server", "Observation",
			"subject=https://elsewhere.example/fhir/Patient/b", forbidden),
		searchCase("identifier modifier", "Observation", "subject:identifier=urn:mrn|123", forbidden),
		searchCase("Patient _id", "Patient", "_id=b", forbidden),
		searchCase("Patient _id list", "Patient", "_id=a,b", forbidden),
		searchCase("Observation _id of b's", "Observation", "_id=obs-b1,obs-b2", nil),
		searchCase("no parameter", "Observation", "", nil),
		searchCase("_include subject", "Observation", "_include=Observation:subject", nil),
		searchCase("_revinclude Provenance", "Observation", "_revinclude=Provenance:target", nil),
		searchCase("_revinclude Provenance of reference data", "Practitioner",
			"_revinclude=Provenance:target", nil).expect("Practitioner/pr1", "Provenance/prov-pr1"),
		searchCase(":iterate through a withheld patient", "CareTeam",
			"_include=CareTeam:subject&_revinclude:iterate=Observation:subject", nil),
		searchCase("_include:iterate", "Observation",
			"_include=Observation:subject&_include:iterate=Patient:link", nil),
		searchCase("_include=*", "Observation", "_include=*", nil),
		searchCase("_revinclude=*", "Patient", "_revinclude=*", nil),
		searchCase("_include wildcard on CareTeam", "CareTeam", "_include=CareTeam:*", nil),
		searchCase("chain subject:Patient.name", "Observation", "subject:Patient.name=Bravo",
			nil).expect(),
		searchCase("chain subject.name", "Observation", "subject.name=Bravo", nil).expect(),
		searchCase("chain on Encounter", "Encounter", "subject:Patient.family=Bravo", nil).expect(),
		searchCase("chain to another patient's allergy", "AllergyIntolerance",
			"patient.name=Bravo", nil).expect(),
		searchCase("chain to own data", "Observation", "subject:Patient.name=Alpha", nil).expect(
			"Observation/obs-a1", "Observation/obs-a2", "Observation/obs-a4"),
		searchCase("_has probing another patient", "Practitioner",
			"_has:Observation:performer:subject=Patient/b", forbidden),
		searchCase("_has probing a type without scope", "Patient",
			"_has:Observation:subject:code=2345-7", forbidden).withScopes("patient/Patient.rs"),
		searchCase("_has probing a category without scope", "Patient",
			"_has:Observation:subject:code=2345-7", nil).expect().withScopes(
			"patient/Patient.rs patient/Observation.rs?category=vital-signs"),
		searchCase("_has on own data", "Patient", "_has:Observation:subject:code=8867-4",
			nil).expect("Patient/a"),
		searchCase("_total=accurate", "Observation", "_total=accurate", nil),
		searchCase("_summary=count", "Observation", "_summary=count", nil),
		searchCase("compartment search across types", "", "_type=Observation,Patient&_id=b,obs-b1", nil),
		searchCase("search across all types", "", "", nil),
	}
	cases = append(cases, deviceLeakCases()...)
	cases = append(cases, compartmentParamCases(t)...)
	return append(cases, writeLeakCases()...)
}

// compartmentParamCases searches every compartment parameter of every
// fixture type for patient b.
func compartmentParamCases(t *testing.T) []leakCase {
	var out []leakCase
	for typ, params := range compartmentDefinition(t) {
		if memberPaths[typ] == nil {
			continue
		}
		for _, p := range params {
			if typ == "Patient" {
				continue // Patient is constrained by _id
			}
			name := typ + "?" + p + "=Patient/b"
			out = append(out, searchCase(name, typ, p+"=Patient/b", compartment.ErrForbidden))
		}
	}
	slices.SortFunc(out, func(a, b leakCase) int { return strings.Compare(a.name, b.name) })
	return out
}

// historyRun returns a run function for a history query.
func historyRun(q compartment.HistoryQuery) func(context.Context, *compartment.Guard) (
	[]compartment.Resource, error) {
	return func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
		p, err := g.History(ctx, q)
		return p.Resources, err
	}
}

// TestNoLeak runs every vector with a patient/*.cruds token for patient a
// and checks that nothing outside a's grant comes back, and that refusals
// are the documented ones. Each vector runs against a correct store and
// against a lax one that ignores the constraints, so that the Guard's own
// re-check is tested too.
func TestNoLeak(t *testing.T) {
	o := newOracle(t, "a")
	for _, kind := range []string{"store", "lax store"} {
		for _, tc := range leakCases(t) {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				g, _ := newGuard(t, stores(t)[kind], compartment.Config{})
				scopes := tc.scopes
				if scopes == "" {
					scopes = "patient/*.cruds"
				}
				got, err := tc.run(patientCtx("a", scopes), g)
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Fatalf("error = %v, want %v", err, tc.want)
				}
				if tc.want == nil && err != nil {
					t.Fatalf("error = %v", err)
				}
				o.checkOnlyVisible(t, got)
				if tc.matches != nil && !slices.Equal(sortedRefs(got), tc.matches) {
					t.Errorf("got %v, want exactly %v", sortedRefs(got), tc.matches)
				}
			})
		}
	}
}

// sortedRefs returns the sorted "Type/id" of each resource.
func sortedRefs(rs []compartment.Resource) []string {
	out := refs(rs)
	slices.Sort(out)
	return out
}
