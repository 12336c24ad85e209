package compartment_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

func TestNewValidatesConfig(t *testing.T) {
	store := newStore(t)
	tests := []struct {
		name string
		repo compartment.Repository
		cfg  compartment.Config
	}{
		{"nil repository", nil, compartment.Config{}},
		{"relative base URL", store, compartment.Config{BaseURL: "fhir/r4"}},
		{"base URL with query", store, compartment.Config{BaseURL: "https://x.example/r4?a=b"}},
		{"base URL with a comma", store, compartment.Config{BaseURL: "https://x.example/a,b"}},
		{"base URL with an empty segment", store,
			compartment.Config{BaseURL: "https://x.example//r4"}},
		{"base URL with a dot segment", store, compartment.Config{BaseURL: "https://x.example/./r4"}},
		{"negative MaxResolve", store, compartment.Config{MaxResolve: -1}},
		{"rule without name", store, compartment.Config{Rules: []compartment.Rule{
			{Expression: "true"}}}},
		{"rule on unknown type", store, compartment.Config{Rules: []compartment.Rule{
			{Name: "r", Expression: "true", Types: []string{"Observaton"}}}}},
		{"duplicate rule names", store, compartment.Config{Rules: []compartment.Rule{
			{Name: "r", Expression: "true"}, {Name: "r", Expression: "false"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := compartment.New(tc.repo, tc.cfg); err == nil {
				t.Fatal("New accepted an invalid configuration")
			}
		})
	}
	if _, err := compartment.New(store, compartment.Config{}); err != nil {
		t.Fatalf("zero Config refused: %v", err)
	}
}

func TestNoGrantFailsClosed(t *testing.T) {
	g, rec := newGuard(t, newStore(t), compartment.Config{})
	ctx := context.Background()
	if _, err := g.Read(ctx, "Patient", "a"); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("Read without grant: %v", err)
	}
	_, err := g.Search(ctx, compartment.Query{Type: "Patient"})
	if !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("Search without grant: %v", err)
	}
	if err := g.Delete(ctx, "Patient", "a"); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("Delete without grant: %v", err)
	}
	if n := len(rec.kinds(audit.KindForbidden)); n != 3 {
		t.Errorf("%d forbidden records, want 3", n)
	}
}

func TestTypeWithoutScope(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{})
	ctx := patientCtx("a", "patient/Observation.rs")
	if _, err := g.Read(ctx, "Condition", "x"); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("read of a type without scope: %v, want 403", err)
	}
	if _, err := search(ctx, g, "Encounter", ""); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("search of a type without scope: %v, want 403", err)
	}
	if _, err := search(ctx, g, "Observation", ""); err != nil {
		t.Errorf("search of the granted type: %v", err)
	}
}

// TestStorageDefectReported checks that a store ignoring its constraints
// is reported, resource by resource, and that the response holds only
// what the grant covers.
func TestStorageDefectReported(t *testing.T) {
	for name, rules := range map[string][]compartment.Rule{
		"without rules": nil,
		"with a rule":   {{Name: "r", Expression: `interaction == "search"`}},
	} {
		t.Run(name, func(t *testing.T) {
			g, rec := newGuard(t, laxStore{newStore(t)}, compartment.Config{Rules: rules})
			p, err := search(patientCtx("a", "patient/*.rs"), g, "Observation", "")
			if err != nil {
				t.Fatal(err)
			}
			newOracle(t, "a").checkOnlyVisible(t, p.Resources)
			var defects []string
			for _, r := range rec.kinds(audit.KindStorageDefect) {
				defects = append(defects, r.ResourceType+"/"+r.ResourceID)
			}
			slices.Sort(defects)
			if want := obsList("obs-a2x obs-b1 obs-b2 obs-c1"); !slices.Equal(defects, want) {
				t.Errorf("defects %v, want %v", defects, want)
			}
		})
	}
}

// TestPagingCarriesNoAuthority replays patient a's next-page cursor with
// patient b's token: b gets only its own data.
func TestPagingCarriesNoAuthority(t *testing.T) {
	o := newOracle(t, "b")
	for kind, store := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			g, _ := newGuard(t, store, compartment.Config{})
			first, err := search(patientCtx("a", "patient/*.rs"), g, "Observation", "_count=1")
			if err != nil || first.Next == "" {
				t.Fatalf("first page: next %q, %v", first.Next, err)
			}
			q := compartment.Query{Type: "Observation", Count: 1, PageToken: first.Next}
			for q.PageToken != "" {
				p, err := g.Search(patientCtx("b", "patient/*.rs"), q)
				if err != nil {
					t.Fatal(err)
				}
				o.checkOnlyVisible(t, p.Resources)
				q.PageToken = p.Next
			}
		})
	}
}

// TestUserScopes checks user/ tokens without and with the Narrow hook.
func TestUserScopes(t *testing.T) {
	panel := func(_ context.Context, g *smart.Grant, typ string) (compartment.Constraints, error) {
		if g.FHIRUser != "Practitioner/pr1" {
			return compartment.Constraints{{}}, nil
		}
		if typ == "Observation" {
			return compartment.Constraints{{{Param: "performer", Value: "Practitioner/pr1"}}}, nil
		}
		return nil, nil
	}
	tests := []struct {
		name   string
		narrow func(context.Context, *smart.Grant, string) (compartment.Constraints, error)
		want   []string
	}{
		{"without Narrow", nil, nil},
		{"with Narrow", panel, []string{"Observation/obs-a1", "Observation/obs-b1"}},
	}
	all := newOracle(t).ofType("Observation", func(string) bool { return true })
	for kind, store := range stores(t) {
		for _, tc := range tests {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				g, _ := newGuard(t, store, compartment.Config{Narrow: tc.narrow})
				p, err := search(userCtx("user/Observation.rs"), g, "Observation", "_count=100")
				if err != nil {
					t.Fatal(err)
				}
				want := tc.want
				if want == nil {
					want = all
				}
				if got := sortedRefs(p.Resources); !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}

func TestNarrowErrorFailsRequest(t *testing.T) {
	boom := errors.New("directory down")
	g, _ := newGuard(t, newStore(t), compartment.Config{
		Narrow: func(context.Context, *smart.Grant, string) (compartment.Constraints, error) {
			return nil, boom
		}})
	if _, err := search(userCtx("user/Observation.rs"), g, "Observation", ""); !errors.Is(err, boom) {
		t.Fatalf("error = %v, want the hook's error", err)
	}
	_, err := g.Read(userCtx("user/Observation.rs"), "Observation", "obs-a1")
	if !errors.Is(err, boom) {
		t.Fatalf("read error = %v, want the hook's error", err)
	}
}

// TestPatientAndUserScopes checks the combination rule: patient/ scopes
// reach the compartment, user/ scopes what Narrow allows, and a resource
// is visible when either reaches it.
func TestPatientAndUserScopes(t *testing.T) {
	narrow := func(context.Context, *smart.Grant, string) (compartment.Constraints, error) {
		return compartment.Constraints{{{Param: "_id", Value: "obs-c1"}}}, nil
	}
	for kind, store := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			g, _ := newGuard(t, store, compartment.Config{Narrow: narrow})
			ctx := patientCtx("a", "patient/Observation.rs user/Observation.rs")
			p, err := search(ctx, g, "Observation", "")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Observation/obs-a-abs", "Observation/obs-a1", "Observation/obs-a2",
				"Observation/obs-a4", "Observation/obs-ab", "Observation/obs-c1"}
			if got := sortedRefs(p.Resources); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestPatientCompartmentOnly(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{PatientCompartmentOnly: true})
	ctx := patientCtx("a", "patient/*.rs")
	if _, err := g.Read(ctx, "Practitioner", "pr1"); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("Practitioner read: %v, want 403", err)
	}
	if _, err := g.Read(ctx, "Observation", "obs-a1"); err != nil {
		t.Errorf("compartment read: %v", err)
	}
}

// TestUnenforceableScope checks that a granular scope the Guard cannot
// evaluate grants nothing, is reported, and leaves the other scopes
// working.
func TestUnenforceableScope(t *testing.T) {
	g, rec := newGuard(t, newStore(t), compartment.Config{})
	ctx := patientCtx("a", "patient/Observation.rs?code:in=http://example.org/vs "+
		"patient/Observation.rs?category=vital-signs")
	p, err := search(ctx, g, "Observation", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedRefs(p.Resources); !slices.Equal(got, []string{"Observation/obs-a2"}) {
		t.Errorf("got %v, want only the vital-signs Observation", got)
	}
	recs := rec.kinds(audit.KindUnenforceableScope)
	if len(recs) != 1 || !strings.Contains(recs[0].Scope, "code:in") {
		t.Fatalf("unenforceable records: %+v", recs)
	}
	only := patientCtx("a", "patient/Observation.rs?code:in=http://example.org/vs")
	if _, err := search(only, g, "Observation", ""); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("search with only an unenforceable scope: %v, want 403", err)
	}
}

// TestAuditRecordsHoldNoValues checks that no record carries a search
// value or resource content.
func TestAuditRecordsHoldNoValues(t *testing.T) {
	g, rec := newGuard(t, laxStore{newStore(t)}, compartment.Config{})
	ctx := patientCtx("a", "patient/*.rs")
	_, _ = search(ctx, g, "Observation", "subject=Patient/b")
	_, _ = search(ctx, g, "Observation", "code=2345-7&_include=Observation:subject")
	_, _ = search(ctx, g, "Observation", "subject:Patient.name=Bravo")
	_, _ = g.Read(ctx, "Patient", "b")
	if len(rec.records) == 0 {
		t.Fatal("no records")
	}
	for _, r := range rec.records {
		text := r.Detail + r.Reason + r.Scope
		for _, secret := range []string{"2345-7", "Bravo", "Glucose", "Patient/b"} {
			if strings.Contains(text, secret) {
				t.Errorf("record %+v holds %q", r, secret)
			}
		}
		if r.Component != "compartment" || r.Time != fixedNow || r.ClientID != "app" {
			t.Errorf("record without its identifiers: %+v", r)
		}
	}
}

// TestConcurrentGrants runs patients a and b through one Guard at once:
// the shared policy cache must not mix their compartments.
func TestConcurrentGrants(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{})
	oracles := map[string]*oracle{"a": newOracle(t, "a"), "b": newOracle(t, "b")}
	var wg sync.WaitGroup
	for i := range 8 {
		patient := []string{"a", "b"}[i%2]
		wg.Go(func() {
			for range 20 {
				p, err := search(patientCtx(patient, "patient/*.rs"), g, "Observation",
					"_revinclude=Provenance:target")
				if err != nil {
					t.Error(err)
					return
				}
				oracles[patient].checkOnlyVisible(t, append(p.Resources, p.Included...))
			}
		})
	}
	wg.Wait()
}

func TestChainTooBroad(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{LinkedPatients: linkedA, MaxResolve: 1})
	ctx := patientCtx("a", "patient/*.rs")
	_, err := search(ctx, g, "Observation", "subject:Patient.name=Alpha")
	if !errors.Is(err, compartment.ErrInvalid) {
		t.Fatalf("error = %v, want ErrInvalid for a chain past MaxResolve", err)
	}
	if _, err := search(ctx, g, "Observation", "subject:Patient.name=Alpha&subject=Patient/a"); !errors.Is(
		err, compartment.ErrInvalid) {
		t.Fatalf("error = %v, want ErrInvalid", err)
	}
}

func TestLinkedPatientsErrorFailsRequest(t *testing.T) {
	boom := errors.New("mpi down")
	g, _ := newGuard(t, newStore(t), compartment.Config{
		LinkedPatients: func(context.Context, string) ([]string, error) { return nil, boom }})
	if _, err := search(patientCtx("a", "patient/*.rs"), g, "Observation", ""); !errors.Is(err, boom) {
		t.Fatalf("error = %v, want the resolver's error", err)
	}
	g, _ = newGuard(t, newStore(t), compartment.Config{
		LinkedPatients: func(context.Context, string) ([]string, error) { return []string{"x,y"}, nil }})
	if _, err := g.Read(patientCtx("a", "patient/*.rs"), "Patient", "a"); err == nil {
		t.Fatal("an invalid linked ID was accepted")
	}
}

// TestPolicyCacheFollowsScopeContent checks that the policy cache is keyed
// on what the scopes grant, not on how they were written: a server may
// build Grants itself, with Scope values whose Raw text is empty or
// stale. A granular grant must not reuse the policy of a full one.
func TestPolicyCacheFollowsScopeContent(t *testing.T) {
	scope := func(params ...smart.Param) smart.Scope {
		return smart.Scope{Context: smart.ContextPatient, Type: "Observation",
			Permissions: smart.PermRead | smart.PermSearch, Params: params}
	}
	grant := func(s smart.Scope) context.Context {
		return smart.NewContext(context.Background(), &smart.Grant{Patient: "a",
			Scopes: smart.Scopes{Resource: []smart.Scope{s}}})
	}
	full := grant(scope())
	lab := grant(scope(smart.Param{Name: "category", Value: "laboratory"}))
	vital := grant(scope(smart.Param{Name: "category", Value: "vital-signs"}))
	g, _ := newGuard(t, newStore(t), compartment.Config{})
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want []string
	}{
		{"full", full, obsList("obs-a-abs obs-a1 obs-a2 obs-a4 obs-ab")},
		{"laboratory", lab, obsList("obs-a-abs obs-a1")},
		{"vital signs", vital, obsList("obs-a2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := search(tc.ctx, g, "Observation", "")
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedRefs(p.Resources); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestInvalidGrantPatientFailsClosed checks a hand-built Grant whose
// patient is not a FHIR ID: the Guard refuses rather than build
// constraints from it.
func TestInvalidGrantPatientFailsClosed(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{})
	for _, patient := range []string{"a,b", "a/../b", "Patient/a"} {
		t.Run(patient, func(t *testing.T) {
			ctx := smart.NewContext(context.Background(), &smart.Grant{Patient: patient,
				Scopes: smart.ParseScopes("patient/*.rs")})
			if _, err := search(ctx, g, "Observation", ""); !errors.Is(err, compartment.ErrForbidden) {
				t.Fatalf("error = %v, want ErrForbidden", err)
			}
		})
	}
}
