package compartment_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// The three rules of the package documentation.
var (
	restrictedRule = compartment.Rule{
		Name: "restricted-label",
		Expression: `!has_security_label(resource,
			"http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R")
			|| "restricted" in grant.scopes`,
	}
	socialHistoryRule = compartment.Rule{
		Name:  "social-history-patient-apps-only",
		Types: []string{"Observation"},
		Expression: `!has(resource.category) || grant.patient != "" ||
			!has_coding(resource.category,
				"http://terminology.hl7.org/CodeSystem/observation-category", "social-history")`,
	}
	tenantRule = compartment.Rule{
		Name:       "tenant",
		Expression: `grant.claims.?tenant.orValue("") == "north"`,
	}
)

func TestRulesCompile(t *testing.T) {
	for _, r := range []compartment.Rule{restrictedRule, socialHistoryRule, tenantRule,
		{Name: "refs", Expression: `references(resource, "Patient/" + grant.patient)`},
		{Name: "interaction", Expression: `interaction != "delete"`},
	} {
		t.Run(r.Name, func(t *testing.T) {
			cfg := compartment.Config{Rules: []compartment.Rule{r}}
			if _, err := compartment.New(newStore(t), cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRulesThatDoNotTypeCheck(t *testing.T) {
	tests := []struct{ name, expr, want string }{
		{"unknown grant field", `grant.patinet == "a"`, "undefined field 'patinet'"},
		{"not boolean", `resource.id`, "not bool"},
		{"no such overload", `has_coding(resource.code, 1, "x")`, "found no matching overload"},
		{"syntax error", `resource.(`, "Syntax error"},
		{"unknown variable", `patient == "a"`, "undeclared reference"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compartment.New(newStore(t), compartment.Config{
				Rules: []compartment.Rule{{Name: "bad", Expression: tc.expr}}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "<input>:1:") && tc.want != "not bool" {
				t.Errorf("error %v has no position", err)
			}
		})
	}
}

// ruleCase runs a search and a read for patient a under one rule.
type ruleCase struct {
	name    string
	rule    compartment.Rule
	limit   uint64
	ctx     context.Context
	want    []string // Observations the search returns
	errKind string   // rule error kind reported, if any
}

func TestRuleDecisions(t *testing.T) {
	const ownObs = "obs-a-abs obs-a1 obs-a2 obs-a4 obs-ab"
	withClaims := smart.NewContext(context.Background(), &smart.Grant{Patient: "a",
		Scopes: smart.ParseScopes("patient/*.rs"), Claims: map[string]any{"tenant": "north"}})
	tests := []ruleCase{
		{name: "security label hides", rule: restrictedRule, ctx: patientCtx("a", "patient/*.rs"),
			want: obsList("obs-a-abs obs-a1 obs-a2 obs-ab")},
		{name: "security label with scope", rule: restrictedRule,
			ctx: patientCtx("a", "patient/*.rs restricted"), want: obsList(ownObs)},
		{name: "category rule keeps for patient apps", rule: socialHistoryRule,
			ctx: patientCtx("a", "patient/*.rs"), want: obsList(ownObs)},
		{name: "claims rule denies", rule: tenantRule, ctx: patientCtx("a", "patient/*.rs"),
			want: nil},
		{name: "claims rule admits", rule: tenantRule, ctx: withClaims, want: obsList(ownObs)},
		{name: "runtime error denies", ctx: patientCtx("a", "patient/*.rs"), errKind: "missing field",
			rule: compartment.Rule{Name: "err", Expression: `resource.valueString == "x"`}},
		{name: "cost limit denies", ctx: patientCtx("a", "patient/*.rs"), limit: 20,
			errKind: "cost limit exceeded", rule: compartment.Rule{Name: "costly",
				Expression: `[1,2,3,4,5,6,7,8,9,10].all(i, [1,2,3,4,5].all(j, resource.id != ""))`}},
	}
	for kind, store := range stores(t) {
		for _, tc := range tests {
			t.Run(kind+"/"+tc.name, func(t *testing.T) { runRuleCase(t, store, tc) })
		}
	}
}

// obsList turns "a b" into Observation references, sorted.
func obsList(ids string) []string {
	var out []string
	for id := range strings.FieldsSeq(ids) {
		out = append(out, "Observation/"+id)
	}
	slices.Sort(out)
	return out
}

// runRuleCase checks the search result and, for failing rules, the
// reports and the read.
func runRuleCase(t *testing.T, store compartment.Repository, tc ruleCase) {
	g, rec := newGuard(t, store, compartment.Config{Rules: []compartment.Rule{tc.rule},
		RuleCostLimit: tc.limit})
	p, err := search(tc.ctx, g, "Observation", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedRefs(p.Resources); !slices.Equal(got, tc.want) {
		t.Errorf("search: got %v, want %v", got, tc.want)
	}
	_, err = g.Read(tc.ctx, "Observation", "obs-a2")
	if slices.Contains(tc.want, "Observation/obs-a2") != (err == nil) {
		t.Errorf("read obs-a2: %v", err)
	}
	if tc.errKind == "" {
		return
	}
	recs := rec.kinds(audit.KindRuleError)
	if len(recs) == 0 || recs[0].Rule != tc.rule.Name ||
		!strings.Contains(recs[0].Detail, tc.errKind) {
		t.Errorf("rule error records %+v, want %q for %s", recs, tc.errKind, tc.rule.Name)
	}
}

// TestRulesOnWrites checks that rules see writes and the interaction.
func TestRulesOnWrites(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{Rules: []compartment.Rule{
		{Name: "no-deletes", Expression: `interaction != "delete"`},
		{Name: "own-subject", Types: []string{"Observation"},
			Expression: `interaction != "create" ||
				references(resource.subject, "Patient/" + grant.patient)`},
	}})
	ctx := patientCtx("a", "patient/*.cruds")
	if err := g.Delete(ctx, "Observation", "obs-a2"); !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("delete under a no-deletes rule: %v, want 404", err)
	}
	if _, err := g.Create(ctx, observation("", "Patient/a")); err != nil {
		t.Errorf("create of own Observation: %v", err)
	}
	perf := compartment.Resource{Type: "Observation", JSON: []byte(`{"resourceType":"Observation",` +
		`"status":"final","code":{"text":"x"},"subject":{"reference":"Patient/b"},` +
		`"performer":[{"reference":"Patient/a"}]}`)}
	if _, err := g.Create(ctx, perf); !errors.Is(err, compartment.ErrForbidden) {
		t.Errorf("create for another subject under own-subject rule: %v, want 403", err)
	}
}

func TestRuleHelpers(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{`references(resource.subject, "Patient/a")`, true},
		{`references(resource, "Practitioner/pr1")`, true},
		{`references(resource, "Patient/b")`, false},
		{`has_coding(resource.category, "", "laboratory")`, true},
		{`has_coding(resource.category[0].coding[0],
			"http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")`, true},
		{`has_coding(resource.code, "http://loinc.org", "8867-4")`, false},
		{`has_security_label(resource, "", "R")`, false},
		{`has_tag(resource, "", "x")`, false},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			g, _ := newGuard(t, newStore(t), compartment.Config{Rules: []compartment.Rule{
				{Name: "helper", Types: []string{"Observation"}, Expression: tc.expr}}})
			_, err := g.Read(patientCtx("a", "patient/*.rs"), "Observation", "obs-a1")
			if got := err == nil; got != tc.want {
				t.Errorf("rule %s admitted obs-a1: %v, want %v (%v)", tc.expr, got, tc.want, err)
			}
		})
	}
}

// TestRuleJSONTricks checks that a rule reading the resource cannot be
// bypassed by JSON that parsers read differently: with a duplicated key,
// encoding/json keeps the last value and other parsers the first, so a
// security label in the first "meta" must not vanish for the rule while a
// client sees it. Such resources are withheld and the rule error
// reported. The user/ token makes the Guard read nothing else of the
// resource, so the rule alone decides.
func TestRuleJSONTricks(t *testing.T) {
	const label = `{"security":[{"system":` +
		`"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}`
	tests := []struct {
		name, meta string
		visible    bool
	}{
		{"no label", `"meta":{}`, true},
		{"label", `"meta":` + label, false},
		{"duplicated meta", `"meta":` + label + `,"meta":{}`, false},
		{"duplicated escaped meta", `"meta":` + label + `,"\u006deta":{}`, false},
		{"duplicated security", `"meta":{"security":[],` + label[1:], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			put := compartment.Resource{Type: "Observation", ID: "tricky", JSON: []byte(
				`{"resourceType":"Observation","id":"tricky",` + tc.meta + `,"status":"final"}`)}
			if _, err := store.Update(context.Background(), put); err != nil {
				t.Fatal(err)
			}
			g, rec := newGuard(t, store, compartment.Config{Rules: []compartment.Rule{restrictedRule}})
			_, err := g.Read(userCtx("user/Observation.rs"), "Observation", "tricky")
			if (err == nil) != tc.visible {
				t.Fatalf("read: %v, want visible %v", err, tc.visible)
			}
			if strings.HasPrefix(tc.name, "duplicated") && len(rec.kinds(audit.KindRuleError)) == 0 {
				t.Error("no rule error reported")
			}
		})
	}
}
