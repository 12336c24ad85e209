package compartment_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// TestHistoryOfAMovedResource checks that versions written while a
// resource lay in another patient's compartment stay hidden.
func TestHistoryOfAMovedResource(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	if _, err := store.Update(ctx, observation("moved", "Patient/b")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(ctx, observation("moved", "Patient/a")); err != nil {
		t.Fatal(err)
	}
	repos := map[string]compartment.Repository{"store": store, "lax store": laxStore{store}}
	for kind, repo := range repos {
		t.Run(kind, func(t *testing.T) {
			g, _ := newGuard(t, repo, compartment.Config{})
			a, b := patientCtx("a", "patient/*.rs"), patientCtx("b", "patient/*.rs")
			h, err := g.History(a, compartment.HistoryQuery{Type: "Observation", ID: "moved"})
			if err != nil || len(h.Resources) != 1 || h.Resources[0].Version != "2" {
				t.Fatalf("a's history: %+v, %v", h.Resources, err)
			}
			if _, err := g.VRead(a, "Observation", "moved", "1"); !errors.Is(err, compartment.ErrNotFound) {
				t.Errorf("a's vread of version 1: %v", err)
			}
			if _, err := g.VRead(b, "Observation", "moved", "1"); err != nil {
				t.Errorf("b's vread of version 1: %v", err)
			}
			if _, err := g.Read(b, "Observation", "moved"); !errors.Is(err, compartment.ErrNotFound) {
				t.Errorf("b's read of the current version: %v", err)
			}
		})
	}
}

// TestHistoryDeletionEntries checks that a deletion, whose content cannot
// be checked, shows only to a grant that sees the whole type.
func TestHistoryDeletionEntries(t *testing.T) {
	store := newStore(t)
	if err := store.Delete(context.Background(), "Practitioner", "pr1"); err != nil {
		t.Fatal(err)
	}
	g, _ := newGuard(t, store, compartment.Config{})
	q := compartment.HistoryQuery{Type: "Practitioner", ID: "pr1"}
	h, err := g.History(patientCtx("a", "patient/Practitioner.rs"), q)
	if err != nil || len(h.Resources) != 2 || h.Resources[0].JSON != nil {
		t.Errorf("history for a grant seeing every Practitioner: %+v, %v", h.Resources, err)
	}
	g, _ = newGuard(t, store, compartment.Config{Rules: []compartment.Rule{
		{Name: "r", Expression: "true"}}})
	h, err = g.History(patientCtx("a", "patient/Practitioner.rs"), q)
	if err != nil || len(h.Resources) != 1 || h.Resources[0].JSON == nil {
		t.Errorf("history under a rule: %+v, %v", h.Resources, err)
	}
}

// junkStore adds a resource no match links to, to every search.
type junkStore struct{ compartment.Repository }

func (j junkStore) Search(ctx context.Context, q compartment.Query) (compartment.Page, error) {
	p, err := j.Repository.Search(ctx, q)
	org, _ := j.Read(ctx, "Organization", "org1")
	p.Included = append(p.Included, org)
	return p, err
}

// TestIncludesMustBeLinked checks that an included resource the grant may
// read is still dropped when no released resource leads to it.
func TestIncludesMustBeLinked(t *testing.T) {
	g, rec := newGuard(t, junkStore{newStore(t)}, compartment.Config{})
	p, err := search(patientCtx("a", "patient/*.rs"), g, "Observation",
		"_id=obs-a1&_include=Observation:performer")
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedRefs(p.Included); !slices.Equal(got, []string{"Practitioner/pr1"}) {
		t.Errorf("included %v, want only the performer", got)
	}
	dropped := rec.kinds("dropped")
	if len(dropped) != 1 || dropped[0].Reason != "include_unlinked" || dropped[0].Count != 1 {
		t.Errorf("dropped records %+v", dropped)
	}
}
