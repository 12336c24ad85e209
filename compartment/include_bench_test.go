package compartment

import (
	"context"
	"fmt"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

// The benchmarks of include filtering: a page of 1,000 Observations of
// patient a, each with three Provenance resources brought in by
// _revinclude=Provenance:target. The baseline is the same search without
// the includes, measured in the same run; the cost of the includes must
// grow with their number, not with their number times the matches'.
//
//	go test -run XXX -bench RevInclude -benchmem ./compartment/

// revIncludePage returns the page and the query of the benchmarks.
func revIncludePage() (Page, Query) {
	var page Page
	for i := range 1000 {
		id := fmt.Sprint("o", i)
		page.Resources = append(page.Resources, Resource{Type: "Observation", ID: id,
			JSON: []byte(`{"resourceType":"Observation","id":"` + id + `","status":"final",` +
				`"code":{"text":"x"},"subject":{"reference":"Patient/a"}}`)})
		for j := range 3 {
			pid := fmt.Sprint("p", i, "-", j)
			page.Included = append(page.Included, Resource{Type: "Provenance", ID: pid,
				JSON: []byte(`{"resourceType":"Provenance","id":"` + pid + `",` +
					`"target":[{"reference":"Observation/` + id + `"}],` +
					`"recorded":"2024-01-01T00:00:00Z","agent":[{"who":{"reference":"Practitioner/x"}}]}`)})
		}
	}
	q := Query{Type: "Observation", RevInclude: []Include{{SourceType: "Provenance", Param: "target"}}}
	return page, q
}

// benchRevInclude runs the search, with or without its includes.
func benchRevInclude(b *testing.B, includes bool) {
	page, q := revIncludePage()
	want := len(page.Included)
	if !includes {
		page.Included, q.RevInclude, want = nil, nil, 0
	}
	g, err := New(pageStore{page: page}, Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := smart.NewContext(context.Background(),
		&smart.Grant{Patient: "a", Scopes: smart.ParseScopes("patient/*.rs")})
	for b.Loop() {
		out, err := g.Search(ctx, q)
		if err != nil || len(out.Resources) != 1000 || len(out.Included) != want {
			b.Fatalf("%d matches, %d included, %v", len(out.Resources), len(out.Included), err)
		}
	}
}

func BenchmarkRevIncludeMatchesOnlyBaseline(b *testing.B) { benchRevInclude(b, false) }

func BenchmarkRevInclude(b *testing.B) { benchRevInclude(b, true) }
