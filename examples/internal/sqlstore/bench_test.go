package sqlstore_test

import (
	"context"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// The benchmarks compare this store with the in-memory reference store
// (the baseline, measured in the same run) on the searches a patient app
// makes most: a compartment-constrained type search with a category, and
// a read.

func benchmarkSearch(b *testing.B, repo compartment.Repository) {
	q := parse(b, "Observation", "category=vital-signs&date=ge2024-01-01")
	q.Constraints = p1Observations
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		page, err := repo.Search(ctx, q)
		if err != nil || len(page.Resources) != 24 {
			b.Fatalf("%d resources, %v", len(page.Resources), err)
		}
	}
}

func BenchmarkSearchSQLite(b *testing.B) { benchmarkSearch(b, fixtureStore(b)) }

func BenchmarkSearchMemstoreBaseline(b *testing.B) {
	benchmarkSearch(b, reference(b, fixture(b)))
}

func benchmarkRead(b *testing.B, repo compartment.Repository) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := repo.Read(ctx, "Observation", "p1-vs-1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadSQLite(b *testing.B) { benchmarkRead(b, fixtureStore(b)) }

func BenchmarkReadMemstoreBaseline(b *testing.B) { benchmarkRead(b, reference(b, fixture(b))) }
