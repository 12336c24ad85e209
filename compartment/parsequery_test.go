package compartment_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

func TestParseQuery(t *testing.T) {
	type P = compartment.Param
	tests := []struct {
		typ, raw string
		want     compartment.Query
	}{
		{"Observation", "subject=Patient/a&code=http://loinc.org|8867-4,http://loinc.org|2345-7",
			compartment.Query{Type: "Observation", Params: []P{
				{Name: "code", Values: []string{"http://loinc.org|8867-4", "http://loinc.org|2345-7"}},
				{Name: "subject", Values: []string{"Patient/a"}}}}},
		{"Observation", `code=a\,b,c&code:not=d`, compartment.Query{Type: "Observation", Params: []P{
			{Name: "code", Values: []string{`a\,b`, "c"}},
			{Name: "code", Modifier: "not", Values: []string{"d"}}}}},
		{"Observation", "subject:Patient.name:exact=Alpha", compartment.Query{Type: "Observation",
			Params: []P{{Name: "subject", Modifier: "exact", Values: []string{"Alpha"},
				Chain: []compartment.ChainLink{{Type: "Patient", Name: "name"}}}}}},
		{"Patient", "_has:Observation:subject:code=8867-4", compartment.Query{Type: "Patient",
			Params: []P{{Name: "_has", Has: &compartment.Has{Type: "Observation", Ref: "subject",
				Param: P{Name: "code", Values: []string{"8867-4"}}}}}}},
		{"Observation", "_include=Observation:subject:Patient&_revinclude:iterate=Provenance:target" +
			"&_include=*&_count=10&_sort=-date,_id&_total=accurate&_summary=data&_elements=id,code" +
			"&_cursor=o10&_format=json&subject=",
			compartment.Query{Type: "Observation",
				Include: []compartment.Include{
					{SourceType: "Observation", Param: "subject", TargetType: "Patient"},
					{Wildcard: true}},
				RevInclude: []compartment.Include{{SourceType: "Provenance", Param: "target", Iterate: true}},
				Count:      10, Sort: []compartment.SortKey{{Param: "date", Descending: true}, {Param: "_id"}},
				Total: compartment.TotalAccurate, Summary: compartment.SummaryData,
				Elements: []string{"id", "code"}, PageToken: "o10"}},
		{"", "_type=Observation,Condition&_lastUpdated=gt2024", compartment.Query{
			Types:  []string{"Observation", "Condition"},
			Params: []P{{Name: "_lastUpdated", Values: []string{"gt2024"}}}}},
		{"Observation", "_count=0",
			compartment.Query{Type: "Observation", Summary: compartment.SummaryCount}},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"?"+tc.raw, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.raw)
			got, err := compartment.ParseQuery(tc.typ, v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ name, typ, raw, want string }{
		{"unknown parameter", "Observation", "colour=red", `unknown search parameter: "colour"`},
		{"unknown type", "Observaton", "", "unknown resource type"},
		{"bad modifier", "Observation", "date:exact=2024", "modifier not allowed"},
		{"missing value", "Observation", "subject:missing=maybe", ":missing takes true or false"},
		{"chain on a token", "Observation", "code.name=x", "only reference parameters can be chained"},
		{"chain to a type it cannot reach", "Observation", "subject:Practitioner.name=x",
			"cannot point to"},
		{"chain too long", "Observation", "subject.organization.partof.partof.name=x", "too many links"},
		{"_has too deep", "Patient", "_has:Observation:subject:_has:Provenance:target:" +
			"_has:Observation:subject:code=x", "nested too deeply"},
		{"_has to another type", "Patient",
			"_has:Observation:performer:code=x&_has:Encounter:location:status=x",
			"does not reference the searched type"},
		{"_type on a type search", "Observation", "_type=Patient", "only in a search across types"},
		{"unknown _type", "", "_type=Nothing", "unknown resource type"},
		{"repeated _count", "Observation", "_count=1&_count=2", "may appear only once"},
		{"negative _count", "Observation", "_count=-1", "non-negative"},
		{"bad _total", "Observation", "_total=exact", "_total must be"},
		{"bad _summary", "Observation", "_summary=yes", "_summary must be"},
		{"bad _sort", "Observation", "_sort=colour", "_sort names an unknown parameter"},
		{"unsupported _text", "Observation", "_text=x", "unsupported parameter"},
		{"unsupported _filter", "Observation", "_filter=x", "unknown or unsupported"},
		{"bad include", "Observation", "_include=Observation:code", "no reference parameter"},
		{"include from another type", "Observation", "_include=Encounter:subject", "not a type searched"},
		{"bad escape", "Observation", `code=a\b`, "bad escape"},
		{"empty alternative", "Observation", "code=a,,b", "empty value"},
		{"too many values", "Observation", "code=" + strings.Repeat("a,", 64) + "a", "too many values"},
		{"non-common parameter across types", "", "code=x", "only common parameters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.raw)
			_, err := compartment.ParseQuery(tc.typ, v)
			if !errors.Is(err, compartment.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want ErrInvalid containing %q", err, tc.want)
			}
		})
	}
}

// TestParseQueryErrorsHoldNoValue checks that an error never quotes the
// value of the parameter, which may be personal data.
func TestParseQueryErrorsHoldNoValue(t *testing.T) {
	for _, raw := range []string{"name:exact:x=Secret", "code=Secret,,x", `code=Secret\q`,
		"_count=Secret", "birthdate:text=Secret"} {
		v, _ := url.ParseQuery(raw)
		_, err := compartment.ParseQuery("Patient", v)
		if err == nil || strings.Contains(err.Error(), "Secret") {
			t.Errorf("%s: error %v", raw, err)
		}
	}
}

// FuzzParseQuery checks that ParseQuery never panics, fails only with
// ErrInvalid, and returns only well-formed parameters.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"subject=Patient/a", "code=a,b&code:not=c", `code=a\,b`, "subject:Patient.name=x",
		"_has:Observation:subject:code=x", "_include=*&_revinclude:iterate=Provenance:target",
		"_sort=-date&_count=5&_total=accurate", "_type=Observation&_id=x", "subject.organization.name=y",
		"_has:Observation:subject:_has:Provenance:target:agent=Practitioner/1",
	} {
		f.Add("Observation", seed)
		f.Add("Patient", seed)
		f.Add("", seed)
	}
	f.Fuzz(func(t *testing.T, typ, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := compartment.ParseQuery(typ, v)
		if err != nil {
			if !errors.Is(err, compartment.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		for _, p := range q.Params {
			checkParamShape(t, p, 0)
		}
	})
}

// checkParamShape checks the invariants of a parsed parameter.
func checkParamShape(t *testing.T, p compartment.Param, depth int) {
	t.Helper()
	if p.Has != nil {
		if depth > 2 || len(p.Values) != 0 {
			t.Fatalf("bad _has %+v", p)
		}
		checkParamShape(t, p.Has.Param, depth+1)
		return
	}
	if len(p.Values) == 0 || len(p.Chain) > 3 || p.Name == "" {
		t.Fatalf("bad parameter %+v", p)
	}
	for _, v := range p.Values {
		if v == "" || unescapedComma(v) {
			t.Fatalf("bad value %q in %+v", v, p)
		}
	}
}

// unescapedComma reports whether v holds a comma not preceded by an
// escaping backslash.
func unescapedComma(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case ',':
			return true
		}
	}
	return false
}
