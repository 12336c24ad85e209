package searchparam

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestTablesMatchData re-derives the generated tables from the data files,
// with code of its own, so that a stale or hand-edited tables_gen.go fails.
func TestTablesMatchData(t *testing.T) {
	want := deriveDefRows(t)
	if len(want) != len(defRows) {
		t.Fatalf("tables_gen.go has %d parameter rows, the data %d: run go generate",
			len(defRows), len(want))
	}
	for i, got := range defRows {
		w := want[i]
		if got.resource != w.resource || got.name != w.name || got.typ != w.typ ||
			got.expr != w.expr || !slices.Equal(got.targets, w.targets) {
			t.Errorf("row %d: got %+v, data says %+v", i, got, w)
		}
	}
}

// deriveDefRows reads search-parameters.json into rows sorted as the
// generator sorts them.
func deriveDefRows(t *testing.T) []defRow {
	var bundle struct {
		Entry []struct {
			Resource struct {
				Code, Type, Expression string
				Base, Target           []string
			}
		}
	}
	readJSON(t, "data/search-parameters.json", &bundle)
	if len(bundle.Entry) != 1378 {
		t.Fatalf("search-parameters.json has %d entries, want the 1,378 of R4", len(bundle.Entry))
	}

	var rows []defRow
	for _, e := range bundle.Entry {
		sp := e.Resource
		for _, base := range sp.Base {
			rows = append(rows, defRow{base, sp.Code, typeOf(t, sp.Type),
				termsFor(sp.Expression, base), sp.Target})
		}
	}
	slices.SortStableFunc(rows, func(a, b defRow) int {
		if c := strings.Compare(a.resource, b.resource); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return rows
}

func typeOf(t *testing.T, name string) Type {
	for i, n := range typeNames {
		if n == name && n != "" {
			return Type(i)
		}
	}
	if name != "" {
		t.Fatalf("unknown parameter type %q", name)
	}
	return 0
}

// termsFor keeps the union terms of expr that begin with base, reading
// the expression character by character.
func termsFor(expr, base string) string {
	var kept []string
	var term strings.Builder
	depth := 0
	flush := func() {
		s := strings.TrimSpace(term.String())
		head := strings.TrimLeft(s, "(")
		if head == base || strings.HasPrefix(head, base+".") ||
			strings.HasPrefix(head, base+" ") || strings.HasPrefix(head, base+")") {
			kept = append(kept, s)
		}
		term.Reset()
	}
	for _, r := range expr {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == '|' && depth == 0:
			flush()
			continue
		}
		term.WriteRune(r)
	}
	if strings.TrimSpace(term.String()) != "" {
		flush()
	}
	return strings.Join(kept, " | ")
}

func TestCompartmentMatchesData(t *testing.T) {
	var def struct {
		Resource []struct {
			Code  string
			Param []string
		}
	}
	readJSON(t, "data/compartmentdefinition-patient.json", &def)

	want := map[string][]string{}
	for _, r := range def.Resource {
		if len(r.Param) > 0 {
			want[r.Code] = r.Param
		}
	}
	if len(want) != len(compartmentRows) {
		t.Errorf("%d compartment types, data has %d", len(compartmentRows), len(want))
	}
	for typ, params := range want {
		if got := CompartmentParams(typ); !slices.Equal(got, params) {
			t.Errorf("CompartmentParams(%s) = %v, data says %v", typ, got, params)
		}
	}
}

func TestElementsMatchData(t *testing.T) {
	data, err := os.ReadFile("data/elements.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var want []elementRow
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		path, types, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("elements.tsv: malformed line %q", line)
		}
		want = append(want, elementRow{path, types})
	}
	if !slices.Equal(want, elementRows) {
		t.Errorf("elementRows differ from data/elements.tsv: run go generate")
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// TestCompartmentCorrections pins the two entries that the packaged data
// had changed and that were restored to the official R4 values.
func TestCompartmentCorrections(t *testing.T) {
	if got := CompartmentParams("Encounter"); !slices.Equal(got, []string{"patient"}) {
		t.Errorf("Encounter: %v, want [patient]", got)
	}
	if got := CompartmentParams("Task"); got != nil {
		t.Errorf("Task: %v, want nil (not in the Patient compartment)", got)
	}
	if slices.Contains(CompartmentTypes(), "Task") {
		t.Error("CompartmentTypes lists Task")
	}
}
