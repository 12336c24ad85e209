package compartment_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// observation returns an Observation of subject, with an optional id.
func observation(id, subject string) compartment.Resource {
	idPart := ""
	if id != "" {
		idPart = `"id":"` + id + `",`
	}
	return compartment.Resource{Type: "Observation", ID: id,
		JSON: []byte(`{"resourceType":"Observation",` + idPart +
			`"status":"final","code":{"text":"weight"},"subject":{"reference":"` + subject + `"}}`)}
}

// writeRun wraps a write for the leak table: it returns the resource the
// write produced, if any.
func writeRun(fn func(context.Context, *compartment.Guard) (compartment.Resource, error)) func(
	context.Context, *compartment.Guard) ([]compartment.Resource, error) {
	return func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
		r, err := fn(ctx, g)
		return nonZero(r), err
	}
}

// conditionalQuery parses an Observation query for a conditional write.
func conditionalQuery(raw string) compartment.Query {
	v, _ := url.ParseQuery(raw)
	q, _ := compartment.ParseQuery("Observation", v)
	return q
}

// writeLeakCases are the write vectors of the leak table.
func writeLeakCases() []leakCase {
	forbidden, notFound := compartment.ErrForbidden, compartment.ErrNotFound
	return append([]leakCase{
		{name: "create Observation for b", want: forbidden,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Create(ctx, observation("", "Patient/b"))
			})},
		{name: "update moves a's Observation to b", want: forbidden,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Update(ctx, observation("obs-a2", "Patient/b"))
			})},
		{name: "update b's Observation", want: notFound,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Update(ctx, observation("obs-b1", "Patient/a"))
			})},
		{name: "update as create", want: notFound,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Update(ctx, observation("new-id", "Patient/a"))
			})},
		{name: "delete b's Observation", want: notFound,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return compartment.Resource{}, g.Delete(ctx, "Observation", "obs-b1")
			})},
		{name: "delete own Patient", want: forbidden,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return compartment.Resource{}, g.Delete(ctx, "Patient", "a")
			})},
		{name: "create Patient", want: forbidden,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Create(ctx, compartment.Resource{Type: "Patient",
					JSON: []byte(`{"resourceType":"Patient"}`)})
			})},
		{name: "conditional update matching b's Observation",
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				r, _, err := compartment.ConditionalUpdate(ctx, g,
					conditionalQuery("identifier=urn:example:obs|b1"), observation("", "Patient/a"))
				return r, err
			})},
		{name: "conditional delete matching b's Observation",
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				n, err := compartment.ConditionalDelete(ctx, g,
					conditionalQuery("identifier=urn:example:obs|b1"))
				if n != 0 {
					err = errors.New("conditional delete deleted something")
				}
				return compartment.Resource{}, err
			})},
		{name: "read b's Binaries through an own DocumentReference", want: notFound,
			run: func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
				if _, err := g.Create(ctx, pointingDocument()); err != nil {
					return nil, err
				}
				var got []compartment.Resource
				var err error
				for _, id := range []string{"bin-b1", "bin-sec-b"} {
					r, rerr := g.Read(ctx, "Binary", id)
					got = append(got, nonZero(r)...)
					err = cmp.Or(err, rerr)
				}
				return got, err
			}},
		{name: "update b's Binary through an own DocumentReference", want: notFound,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				if _, err := g.Create(ctx, pointingDocument()); err != nil {
					return compartment.Resource{}, err
				}
				return g.Update(ctx, compartment.Resource{Type: "Binary", ID: "bin-b1",
					JSON: []byte(`{"resourceType":"Binary","id":"bin-b1","contentType":"text/plain"}`)})
			})},
		{name: "batch entries", run: batchRun(
			"GET Observation/obs-b1", "GET Patient/b", "GET Observation?subject=Patient/b",
			"GET Observation?_id=obs-b1", "DELETE Observation/obs-b1", "GET Patient/b/_history/1")},
	}, deviceWriteLeakCases()...)
}

// pointingDocument returns a DocumentReference of patient a whose
// attachments point to b's Binaries: a patient app may write it, and it
// must not make those Binaries visible.
func pointingDocument() compartment.Resource {
	return compartment.Resource{Type: "DocumentReference",
		JSON: []byte(`{"resourceType":"DocumentReference","status":"current",` +
			`"subject":{"reference":"Patient/a"},"content":[` +
			`{"attachment":{"url":"Binary/bin-b1"}},{"attachment":{"url":"Binary/bin-sec-b"}}]}`)}
}

// batchRun processes the entries of a batch Bundle one by one, as a
// server's batch handler does, each as its own request through the Guard.
// Entries that fail are answered with their error, which the batch
// carries; an entry that succeeds contributes its resources.
func batchRun(entries ...string) func(context.Context, *compartment.Guard) (
	[]compartment.Resource, error) {
	return func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
		var out []compartment.Resource
		for _, e := range entries {
			rs, err := batchEntry(ctx, g, e)
			if err == nil || compartment.HTTPStatus(err) == 500 {
				out = append(out, rs...)
			}
			if compartment.HTTPStatus(err) == 500 {
				return out, err
			}
		}
		return out, nil
	}
}

// batchEntry runs one "METHOD path?query" entry.
func batchEntry(ctx context.Context, g *compartment.Guard, entry string) (
	[]compartment.Resource, error) {
	method, target, _ := strings.Cut(entry, " ")
	path, raw, isSearch := strings.Cut(target, "?")
	parts := strings.Split(path, "/")
	switch {
	case isSearch:
		p, err := search(ctx, g, parts[0], raw)
		return append(p.Resources, p.Included...), err
	case method == "DELETE":
		return nil, g.Delete(ctx, parts[0], parts[1])
	case len(parts) == 4:
		r, err := g.VRead(ctx, parts[0], parts[1], parts[3])
		return nonZero(r), err
	}
	r, err := g.Read(ctx, parts[0], parts[1])
	return nonZero(r), err
}

// TestWritesOnOwnData checks that the writes refused on b's data succeed
// on a's.
func TestWritesOnOwnData(t *testing.T) {
	ctx := patientCtx("a", "patient/*.cruds")
	tests := []struct {
		name string
		run  func(g *compartment.Guard) error
	}{
		{"create Observation for a", func(g *compartment.Guard) error {
			_, err := g.Create(ctx, observation("", "Patient/a"))
			return err
		}},
		{"update a's Observation", func(g *compartment.Guard) error {
			_, err := g.Update(ctx, observation("obs-a2", "Patient/a"))
			return err
		}},
		{"update keeps it in the compartment by performer", func(g *compartment.Guard) error {
			_, err := g.Update(ctx, compartment.Resource{Type: "Observation", ID: "obs-ab",
				JSON: []byte(`{"resourceType":"Observation","id":"obs-ab","status":"final",` +
					`"code":{"text":"x"},"subject":{"reference":"Patient/b"},` +
					`"performer":[{"reference":"Patient/a"}]}`)})
			return err
		}},
		{"delete a's Observation", func(g *compartment.Guard) error {
			return g.Delete(ctx, "Observation", "obs-a2")
		}},
		{"update own Patient", func(g *compartment.Guard) error {
			_, err := g.Update(ctx, compartment.Resource{Type: "Patient", ID: "a",
				JSON: []byte(`{"resourceType":"Patient","id":"a","active":true}`)})
			return err
		}},
		{"conditional update of a's Observation", func(g *compartment.Guard) error {
			_, created, err := compartment.ConditionalUpdate(ctx, g,
				conditionalQuery("identifier=urn:example:obs|a1"), observation("", "Patient/a"))
			if err == nil && created {
				return errors.New("created instead of updating obs-a1")
			}
			return err
		}},
		{"conditional delete of a's Observation", func(g *compartment.Guard) error {
			n, err := compartment.ConditionalDelete(ctx, g,
				conditionalQuery("identifier=urn:example:obs|a1"))
			if err == nil && n != 1 {
				return errors.New("obs-a1 was not deleted")
			}
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := newGuard(t, newStore(t), compartment.Config{})
			if err := tc.run(g); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRefusedWritesChangeNothing checks that b's resources are intact
// after the refused and conditional writes.
func TestRefusedWritesChangeNothing(t *testing.T) {
	store := newStore(t)
	g, _ := newGuard(t, store, compartment.Config{})
	ctx := patientCtx("a", "patient/*.cruds")
	before, _ := store.Read(context.Background(), "Observation", "obs-b1")
	for _, tc := range writeLeakCases() {
		_, _ = tc.run(ctx, g)
	}
	after, err := store.Read(context.Background(), "Observation", "obs-b1")
	if err != nil || after.Version != before.Version {
		t.Fatalf("obs-b1 changed: version %s -> %s, %v", before.Version, after.Version, err)
	}
	if r, _ := store.Read(context.Background(), "Observation", "obs-a2"); !strings.Contains(
		string(r.JSON), "Patient/a") {
		t.Fatal("obs-a2 was moved out of a's compartment")
	}
}

// TestPatientLinksAreNotWritable checks that a patient token cannot add to
// Patient.link: a server whose LinkedPatients resolver reads the links
// from its store would otherwise let a patient app link its patient to
// another one and read that patient's compartment. Updates that keep or
// remove links succeed.
func TestPatientLinksAreNotWritable(t *testing.T) {
	const head = `{"resourceType":"Patient","id":"a","active":false`
	tests := []struct {
		name, links string
		want        error
	}{
		{"links kept", `,"link":[{"other":{"reference":"Patient/a2"},"type":"seealso"}]`, nil},
		{"links kept as an absolute reference",
			`,"link":[{"other":{"reference":"` + baseURL + `/Patient/a2"},"type":"seealso"}]`, nil},
		{"link to b added", `,"link":[{"other":{"reference":"Patient/a2"},"type":"seealso"},` +
			`{"other":{"reference":"Patient/b"},"type":"seealso"}]`, compartment.ErrForbidden},
		{"link replaced", `,"link":[{"other":{"reference":"Patient/b"},"type":"seealso"}]`,
			compartment.ErrForbidden},
		{"links removed", ``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			g, _ := newGuard(t, store, compartment.Config{LinkedPatients: storeLinks(store)})
			ctx := patientCtx("a", "patient/*.cruds")
			_, err := g.Update(ctx, compartment.Resource{Type: "Patient", ID: "a",
				JSON: []byte(head + tc.links + `}`)})
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("update: %v, want %v", err, tc.want)
			}
			if _, err := g.Read(ctx, "Observation", "obs-b1"); !errors.Is(err, compartment.ErrNotFound) {
				t.Fatalf("read of b's Observation after the update: %v", err)
			}
		})
	}
}

// storeLinks is a LinkedPatients resolver that reads Patient.link from the
// store, as a server without an MPI may write it.
func storeLinks(store compartment.Repository) func(context.Context, string) ([]string, error) {
	return func(ctx context.Context, id string) ([]string, error) {
		r, err := store.Read(ctx, "Patient", id)
		if err != nil {
			return nil, err
		}
		var p struct {
			Link []struct {
				Other struct{ Reference string } `json:"other"`
			} `json:"link"`
		}
		if err := json.Unmarshal(r.JSON, &p); err != nil {
			return nil, err
		}
		var out []string
		for _, l := range p.Link {
			out = append(out, strings.TrimPrefix(
				strings.TrimPrefix(l.Other.Reference, baseURL+"/"), "Patient/"))
		}
		return out, nil
	}
}
