package compartment_test

import (
	"context"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// Writes of Devices by patient a follow the read rule for both versions:
// a Device a creates, and the stored and new versions of one a updates,
// must each name a or no patient at all.

// device returns a Device with the given id and patient member (raw
// JSON, "" for none).
func device(id, patient string) compartment.Resource {
	doc := `{"resourceType":"Device",`
	if id != "" {
		doc += `"id":"` + id + `",`
	}
	if patient != "" {
		doc += `"patient":` + patient + `,`
	}
	return compartment.Resource{Type: "Device", ID: id, JSON: []byte(doc + `"status":"active"}`)}
}

// deviceWriteLeakCases are the writes by which patient a might create a
// Device for someone else, take another patient's Device, or move a
// shared Device to someone else.
func deviceWriteLeakCases() []leakCase {
	forbidden, notFound := compartment.ErrForbidden, compartment.ErrNotFound
	create := func(name, patient string) leakCase {
		return leakCase{name: "create Device " + name, want: forbidden,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Create(ctx, device("", patient))
			})}
	}
	update := func(name, id, patient string, want error) leakCase {
		return leakCase{name: "update " + name, want: want,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return g.Update(ctx, device(id, patient))
			})}
	}
	return []leakCase{
		create("for b", `{"reference":"Patient/b"}`),
		create("with a null patient", `null`),
		create("with an empty patient", `{}`),
		create("with an identifier-only patient", `{"identifier":{"value":"b-123"}}`),
		create("with a contained patient", `{"reference":"#p"}`),
		update("moves a shared Device to b", "dev-free", `{"reference":"Patient/b"}`, forbidden),
		update("gives a shared Device a null patient", "dev-free", `null`, forbidden),
		update("takes b's Device as shared", "dev-b", "", notFound),
		update("takes b's Device for a", "dev-b", `{"reference":"Patient/a"}`, notFound),
		update("takes an identifier-only Device", "dev-ident", "", notFound),
		{name: "delete b's Device", want: notFound,
			run: writeRun(func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error) {
				return compartment.Resource{}, g.Delete(ctx, "Device", "dev-b")
			})},
	}
}

// TestDeviceWritesAllowed checks that the writes the rule allows
// succeed: a shared Device created or kept shared, a shared Device given
// to the patient, the patient's own Device.
func TestDeviceWritesAllowed(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context, g *compartment.Guard) (compartment.Resource, error)
	}{
		{"create a shared Device", func(ctx context.Context, g *compartment.Guard) (
			compartment.Resource, error) {
			return g.Create(ctx, device("", ""))
		}},
		{"create a's Device", func(ctx context.Context, g *compartment.Guard) (
			compartment.Resource, error) {
			return g.Create(ctx, device("", `{"reference":"Patient/a"}`))
		}},
		{"update a shared Device", func(ctx context.Context, g *compartment.Guard) (
			compartment.Resource, error) {
			return g.Update(ctx, device("dev-free", ""))
		}},
		{"give a shared Device to a", func(ctx context.Context, g *compartment.Guard) (
			compartment.Resource, error) {
			return g.Update(ctx, device("dev-free", `{"reference":"Patient/a"}`))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := newGuard(t, newStore(t), compartment.Config{})
			r, err := tc.run(patientCtx("a", "patient/Device.cu"), g)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := g.Read(patientCtx("a", "patient/Device.r"), "Device", r.ID); err != nil {
				t.Errorf("a cannot read back %s: %v", r.Reference(), err)
			}
		})
	}
}

// TestSharedDeviceCreateNeedsScope checks that creating a shared Device
// needs c on Device, and that another patient sees a shared Device a
// created but not a's own.
func TestSharedDeviceCreateNeedsScope(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{})
	_, err := g.Create(patientCtx("a", "patient/Device.rs"), device("", ""))
	if compartment.HTTPStatus(err) != 403 {
		t.Fatalf("create without c: %v, want 403", err)
	}
	shared, err := g.Create(patientCtx("a", "patient/Device.c"), device("", ""))
	if err != nil {
		t.Fatal(err)
	}
	own, err := g.Create(patientCtx("a", "patient/Device.c"), device("", `{"reference":"Patient/a"}`))
	if err != nil {
		t.Fatal(err)
	}
	b := patientCtx("b", "patient/Device.rs")
	if _, err := g.Read(b, "Device", shared.ID); err != nil {
		t.Errorf("b cannot read the shared Device: %v", err)
	}
	if _, err := g.Read(b, "Device", own.ID); compartment.HTTPStatus(err) != 404 {
		t.Errorf("b reads a's Device: %v", err)
	}
}

// TestRefusedDeviceWritesChangeNothing checks that the refused Device
// writes left every Device as it was.
func TestRefusedDeviceWritesChangeNothing(t *testing.T) {
	store := newStore(t)
	g, _ := newGuard(t, store, compartment.Config{})
	ids := []string{"dev-free", "dev-b", "dev-ident"}
	before := make(map[string]string)
	for _, id := range ids {
		r, _ := store.Read(context.Background(), "Device", id)
		before[id] = string(r.JSON)
	}
	for _, tc := range deviceWriteLeakCases() {
		if _, err := tc.run(patientCtx("a", "patient/*.cruds"), g); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	for _, id := range ids {
		r, err := store.Read(context.Background(), "Device", id)
		if err != nil || string(r.JSON) != before[id] {
			t.Errorf("%s changed: %s, %v", id, r.JSON, err)
		}
	}
}
