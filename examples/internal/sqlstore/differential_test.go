package sqlstore_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// The differential test runs the same searches on this store and on the
// in-memory reference store (package memstore, which evaluates each
// resource with internal/searchparam's matchers) over the same synthetic
// data, and asks for the same matches and included resources. The
// searches are generated from the values the data holds, for every
// supported parameter of every type, with every modifier and prefix, so
// that both sides of each boundary (present and absent, before and after)
// are tried.

// search is one generated search: a type and its parameters.
type search struct {
	typ    string
	params url.Values
}

func (s search) String() string { return s.typ + "?" + s.params.Encode() }

func TestSearchMatchesReferenceStore(t *testing.T) {
	rs, err := synth.Generate(synth.Config{Patients: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sql, mem := loaded(t, rs), reference(t, rs)
	searches := generateSearches(t, rs)
	if len(searches) < 1000 {
		t.Fatalf("only %d searches generated", len(searches))
	}
	nonEmpty, run := 0, 0
	for i, s := range searches {
		if i%raceStride != 0 {
			continue
		}
		run++
		q, err := compartment.ParseQuery(s.typ, s.params)
		if err != nil {
			continue // a value this generator built that FHIR does not allow
		}
		q.Count = 1000
		want, wantErr := searchAll(ctx, mem, q)
		got, gotErr := searchAll(ctx, sql, q)
		if (wantErr != nil) != (gotErr != nil) {
			t.Errorf("%s: reference store error %v, this store %v", s, wantErr, gotErr)
			continue
		}
		if !slices.Equal(got.matches, want.matches) || !slices.Equal(got.included, want.included) {
			t.Errorf("%s:\n got %v + %v\nwant %v + %v", s, got.matches, got.included,
				want.matches, want.included)
		}
		if len(want.matches) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < run/3 {
		t.Errorf("only %d of %d searches match anything: the generator is off", nonEmpty, run)
	}
}

// generateSearches builds searches from up to two values of each
// parameter of each type in rs, plus chains, _has, compartments and
// includes.
func generateSearches(t testing.TB, rs []compartment.Resource) []search {
	t.Helper()
	samples := sampleValues(t, rs)
	var out []search
	for _, key := range sortedKeys(samples) {
		typ, name, _ := strings.Cut(key, " ")
		d, _ := searchparam.Lookup(typ, name)
		for _, v := range samples[key] {
			for _, p := range valueParams(d, v) {
				out = append(out, search{typ, p})
			}
		}
		out = append(out, search{typ, url.Values{name + ":missing": {"true"}}},
			search{typ, url.Values{name + ":missing": {"false"}}})
	}
	return append(out, structuralSearches()...)
}

// skipped are the parameters this comparison leaves out: _lastUpdated,
// because this store writes meta.lastUpdated and the reference store does
// not.
var skipped = map[string]bool{"_lastUpdated": true}

// sampleValues returns, per "Type param", up to two distinct values
// found in rs.
func sampleValues(t testing.TB, rs []compartment.Resource) map[string][]searchparam.Value {
	t.Helper()
	out := make(map[string][]searchparam.Value)
	for _, r := range rs {
		for _, d := range searchparam.Defs(r.Type) {
			if !d.Supported() || skipped[d.Name] {
				continue
			}
			ex, err := searchparam.NewExtractor(d)
			if err != nil {
				t.Fatal(err)
			}
			key := r.Type + " " + d.Name
			err = ex.Extract(r.JSON, func(_ int, v searchparam.Value) {
				if len(out[key]) < 2 && !slices.Contains(out[key], v) {
					out[key] = append(out[key], v.Clone())
				}
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// sortedKeys returns the keys of m, sorted, so that the searches come in
// a fixed order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// valueParams returns searches for one value of parameter d.
func valueParams(d *searchparam.Def, v searchparam.Value) []url.Values {
	one := func(key string, values ...string) []url.Values {
		var out []url.Values
		for _, val := range values {
			out = append(out, url.Values{key: {val}})
		}
		return out
	}
	n := d.Name
	switch v.Kind {
	case searchparam.KindCode:
		out := one(n, escape(v.Code), escape(v.System)+"|"+escape(v.Code), "nomatch")
		out = append(out, one(n+":not", escape(v.Code))...)
		if v.System != "" {
			out = append(out, one(n, escape(v.System)+"|")...)
		}
		if v.Text != "" {
			out = append(out, one(n+":text", escape(prefix(v.Text, 4)))...)
		}
		return out
	case searchparam.KindText:
		return one(n+":text", escape(prefix(v.Text, 5)), escape(strings.ToUpper(v.Text)))
	case searchparam.KindIdentifierType:
		return one(n+":of-type", escape(v.TypeSystem)+"|"+escape(v.TypeCode)+"|"+escape(v.Code))
	case searchparam.KindReference:
		return referenceParams(d, v)
	case searchparam.KindString:
		mid := v.Str[len(v.Str)/3:]
		return append(one(n, escape(prefix(v.Str, 3)), escape(strings.ToUpper(v.Str)), "zzz"),
			append(one(n+":exact", escape(v.Str), escape(strings.ToLower(v.Str))),
				one(n+":contains", escape(prefix(mid, 3)))...)...)
	case searchparam.KindURI:
		return append(one(n, escape(v.Str)), append(one(n+":below", escape(prefix(v.Str, 12))),
			one(n+":above", escape(v.Str+"/more"))...)...)
	case searchparam.KindDate:
		return dateParams(n, v)
	case searchparam.KindNumber:
		return numberParams(n, v.Num, "")
	case searchparam.KindQuantity:
		out := numberParams(n, v.Num, "")
		return append(out, numberParams(n, v.Num, "|"+escape(v.System)+"|"+escape(v.Code))[:2]...)
	}
	return nil
}

// referenceParams returns searches for a reference value: as written, as
// a bare ID with a type modifier, and another ID of the same type.
func referenceParams(d *searchparam.Def, v searchparam.Value) []url.Values {
	out := []url.Values{{d.Name: {escape(v.Ref)}}}
	typ, id, ok := searchparam.ParseReference(v.Ref)
	if !ok {
		return out
	}
	out = append(out, url.Values{d.Name + ":" + typ: {id}}, url.Values{d.Name: {typ + "/x" + id}})
	if len(d.Targets) == 1 {
		out = append(out, url.Values{d.Name: {id}})
	}
	return out
}

// dateParams returns a search for each prefix with the value's day, and
// searches at year and second precision.
func dateParams(name string, v searchparam.Value) []url.Values {
	at := v.Low
	if at.IsZero() {
		at = v.High.AddDate(0, 0, -1)
	}
	var out []url.Values
	for _, p := range []string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"} {
		out = append(out, url.Values{name: {p + at.Format("2006-01-02")}})
	}
	return append(out, url.Values{name: {at.Format("2006")}},
		url.Values{name: {at.Format("2006-01-02T15:04:05Z")}},
		url.Values{name: {"gt" + at.Format("2006-01-02T15:04:05Z")}})
}

// numberParams returns a search for each prefix with the number, and
// with a value just above it, followed by unit.
func numberParams(name string, num float64, unit string) []url.Values {
	var out []url.Values
	s := strconv.FormatFloat(num, 'f', -1, 64)
	above := strconv.FormatFloat(num+0.4, 'f', 1, 64)
	for _, p := range []string{"", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"} {
		out = append(out, url.Values{name: {p + s + unit}}, url.Values{name: {p + above + unit}})
	}
	return out
}

// structuralSearches are the searches of chains, _has, compartments,
// includes, sorting and combinations.
func structuralSearches() []search {
	var out []search
	add := func(typ, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			panic(err)
		}
		out = append(out, search{typ, v})
	}
	for i := 1; i <= 2; i++ {
		p := fmt.Sprintf("p%d", i)
		add("Observation", "patient="+p+"&category=vital-signs")
		add("Observation", "subject=Patient/"+p+"&code=http://loinc.org|8867-4&date=ge2025-01-01")
		add("Observation", "performer=Patient/"+p)
		add("Observation", "patient="+p+"&_include=Observation:performer")
		add("Observation", "patient="+p+"&_revinclude=Provenance:target")
		add("MedicationRequest", "patient="+p+"&_include=MedicationRequest:medication")
		add("MedicationRequest", "patient="+p+"&intent=order&status=active,completed")
		add("Condition", "patient="+p+"&category=problem-list-item,health-concern")
		add("DocumentReference", "subject="+p+"&_include=*")
		add("DiagnosticReport", "patient="+p+"&_include=DiagnosticReport:result"+
			"&_include:iterate=Observation:specimen")
		add("Encounter", "patient="+p+"&_revinclude=Observation:encounter"+
			"&_revinclude:iterate=Provenance:target")
	}
	add("Observation", "subject:Patient.name=shaw")
	add("Observation", "subject:Patient.birthdate=lt1990&category=laboratory")
	add("Observation", "patient.general-practitioner.name=park")
	add("Patient", "_has:Observation:patient:code=8867-4")
	add("Patient", "_has:DocumentReference:author:type=51855-5")
	add("Patient", "_has:Observation:performer:_has:Provenance:target:agent=Practitioner/pr-park")
	add("Practitioner", "_revinclude=PractitionerRole:practitioner")
	add("Organization", "name=river&_revinclude=Location:organization")
	add("Observation", "code=8867-4&_sort=-date&_count=7")
	add("Patient", "_sort=family")
	add("Observation", "_id=p1-vs-1,p2-lab-2,nothing")
	add("Provenance", "target=Observation/p3-vs-2")
	add("Provenance", "patient=p1")
	return out
}

// escape escapes the characters FHIR search gives a meaning: \ , | $.
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)
	return r.Replace(s)
}

// prefix returns the first n runes of s.
func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}
