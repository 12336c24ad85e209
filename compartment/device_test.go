package compartment_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// A Device that names no patient (a shared analyser, a ward monitor) is
// reference data that every patient token with a Device scope sees; a
// Device whose patient element is there in any form is visible only when
// it names the token's patient. These tests hold the Guard to that rule
// from both sides, with the fixture's Devices:
//
//   - dev-a and dev-a-abs name a, relative and absolute; dev-a2 names a's
//     linked patient a2;
//   - dev-free and dev-monitor (inactive) have no patient element;
//   - the hiddenDevices name b (relative, absolute, versioned), a
//     contained patient, an identifier, a display, null, {}, an
//     Organization, or a on another server.

// hiddenDevices are the fixture's Devices patient a may not see.
var hiddenDevices = []string{"dev-b", "dev-b-abs", "dev-b-ver", "dev-contained", "dev-ident",
	"dev-display", "dev-null", "dev-empty", "dev-org", "dev-elsewhere", "dev-a2"}

// deviceLeakCases are the ways patient a might reach a Device that names
// someone else, or learn about one, through the Guard.
func deviceLeakCases() []leakCase {
	forbidden := compartment.ErrForbidden
	var cases []leakCase
	for _, id := range hiddenDevices {
		cases = append(cases, readCase("Device", id))
	}
	ids := strings.Join(hiddenDevices, ",")
	return append(cases,
		leakCase{name: "vread Device/dev-null/_history/1", want: compartment.ErrNotFound,
			run: func(ctx context.Context, g *compartment.Guard) ([]compartment.Resource, error) {
				r, err := g.VRead(ctx, "Device", "dev-null", "1")
				return nonZero(r), err
			}},
		searchCase("Device _id of hidden Devices", "Device", "_id="+ids, nil).expect(),
		searchCase("Device patient:missing=true", "Device", "patient:missing=true",
			nil).expect("Device/dev-free", "Device/dev-monitor"),
		searchCase("Device patient:missing=false", "Device", "patient:missing=false",
			nil).expect("Device/dev-a", "Device/dev-a-abs"),
		searchCase("Device patient=Patient/b", "Device", "patient=Patient/b", forbidden),
		searchCase("Device patient=b", "Device", "patient=b", forbidden),
		searchCase("Device patient absolute b", "Device", "patient="+baseURL+"/Patient/b",
			forbidden),
		searchCase("Device patient a or b", "Device", "patient=Patient/a,Patient/b", forbidden),
		searchCase("Device patient:identifier", "Device",
			"patient:identifier=urn:example:mrn|b-123", forbidden),
		searchCase("Device chain to b", "Device", "patient.name=Bravo", nil).expect(),
		searchCase("Device _has probing b", "Device", "_has:Observation:device:subject=Patient/b",
			forbidden),
		searchCase("Device _has on own data", "Device", "_has:Observation:device:code=2345-7",
			nil).expect("Device/dev-free"),
		searchCase("Observation _include device", "Observation", "_include=Observation:device", nil),
		searchCase("Device _revinclude Provenance", "Device", "_revinclude=Provenance:target",
			nil).expect("Device/dev-a", "Device/dev-a-abs", "Device/dev-free", "Device/dev-monitor",
			"Provenance/prov-a-dev", "Provenance/prov-dev"),
		searchCase("Device _summary=count", "Device", "_summary=count", nil),
		searchCase("search across types with Devices", "", "_type=Device&_id=dev-b,dev-null,dev-free",
			nil).expect("Device/dev-free"),
		searchCase("granular scope on Device", "Device", "", nil).expect(
			"Device/dev-a", "Device/dev-a-abs", "Device/dev-free").withScopes(
			"patient/Device.rs?status=active"),
	)
}

// TestSharedDevicesVisible checks the over-blocking side: patient a reads
// and finds, by every path, the Devices of no patient and its own, and
// counts them, against a correct store and one that ignores constraints.
func TestSharedDevicesVisible(t *testing.T) {
	o := newOracle(t, "a")
	want := o.ofType("Device", o.visible)
	if !slices.Equal(want, []string{"Device/dev-a", "Device/dev-a-abs", "Device/dev-free",
		"Device/dev-monitor"}) {
		t.Fatalf("oracle: visible Devices %v", want)
	}
	ctx := patientCtx("a", "patient/*.rs")
	for kind, store := range stores(t) {
		g, _ := newGuard(t, store, compartment.Config{})
		t.Run(kind+"/read", func(t *testing.T) {
			for _, ref := range want {
				if _, err := g.Read(ctx, "Device", strings.TrimPrefix(ref, "Device/")); err != nil {
					t.Errorf("read %s: %v", ref, err)
				}
			}
		})
		for _, tc := range []struct {
			name, typ, raw string
			want           []string
		}{
			{"search", "Device", "", want},
			{"search by _id", "Device", "_id=dev-free,dev-monitor,dev-a,dev-a-abs", want},
			// obs-a1 names dev-free; obs-a2 and obs-a4 name Devices of others.
			{"_include", "Observation", "_include=Observation:device", []string{"Device/dev-free"}},
		} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				p, err := search(ctx, g, tc.typ, tc.raw)
				if err != nil {
					t.Fatal(err)
				}
				if got := devicesIn(append(p.Resources, p.Included...)); !slices.Equal(got, tc.want) {
					t.Errorf("Devices %v, want %v", got, tc.want)
				}
			})
		}
		t.Run(kind+"/count", func(t *testing.T) {
			for _, raw := range []string{"_summary=count", "_total=accurate"} {
				p, err := search(ctx, g, "Device", raw)
				if err != nil || !p.TotalKnown || p.Total != 4 {
					t.Errorf("%s: total %d (known %v), %v; want 4", raw, p.Total, p.TotalKnown, err)
				}
			}
		})
	}
}

// devicesIn returns the sorted Device references among rs.
func devicesIn(rs []compartment.Resource) []string {
	var out []string
	for _, ref := range sortedRefs(rs) {
		if strings.HasPrefix(ref, "Device/") {
			out = append(out, ref)
		}
	}
	return out
}

// TestLinkedPatientDevice checks that a Device naming a linked patient
// is in the compartment, beside the shared ones.
func TestLinkedPatientDevice(t *testing.T) {
	o := newOracle(t, "a", "a2")
	want := o.ofType("Device", o.visible)
	if !slices.Contains(want, "Device/dev-a2") {
		t.Fatalf("oracle: %v lacks dev-a2", want)
	}
	for kind, store := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			g, _ := newGuard(t, store, compartment.Config{LinkedPatients: linkedA})
			p, err := search(patientCtx("a", "patient/Device.rs"), g, "Device", "")
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedRefs(p.Resources); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestDeviceConstraints checks the constraint a store receives for a
// Device search by a patient token, and that the reference store selects
// exactly what the Guard releases: no storage defect is reported, and an
// OR-group without the :missing condition would leave the shared Devices
// out.
func TestDeviceConstraints(t *testing.T) {
	spy := &spyStore{}
	g, _ := newGuard(t, spy, compartment.Config{})
	if _, err := search(patientCtx("a", "patient/Device.rs"), g, "Device", ""); err != nil {
		t.Fatal(err)
	}
	want := "(Device:patient=Patient/a OR Device:patient=" + baseURL + "/Patient/a" +
		" OR Device:patient:missing=true)"
	if len(spy.queries) != 1 || spy.queries[0].Constraints.String() != want {
		t.Fatalf("constraints %v, want %s", spy.queries, want)
	}

	g, rec := newGuard(t, newStore(t), compartment.Config{})
	p, err := search(patientCtx("a", "patient/Device.rs"), g, "Device", "_total=accurate")
	if err != nil || p.Total != 4 {
		t.Fatalf("total %d, %v", p.Total, err)
	}
	if defects := rec.kinds(audit.KindStorageDefect); len(defects) != 0 {
		t.Errorf("the reference store selected Devices the Guard withholds: %v", defects)
	}
}

// deviceStore serves the Device set by the test for every read.
type deviceStore struct {
	fixedStore
}

func (s *deviceStore) Read(context.Context, string, string) (compartment.Resource, error) {
	return compartment.Resource{Type: "Device", ID: "x", Version: "1", JSON: *s.data.Load()}, nil
}

// deviceOracleAdmits decides, by decoding with encoding/json, whether
// patient a may see a Device: it has no "patient" member at all, or one
// whose reference names Patient/a (relative or absolute with baseURL,
// with or without a version).
func deviceOracleAdmits(data []byte) bool {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil || m["resourceType"] != "Device" {
		return false
	}
	if _, named := m["patient"]; !named {
		return true
	}
	for _, v := range walk(m, []string{"patient", "reference"}) {
		ref, _ := v.(string)
		ref, _, _ = strings.Cut(strings.TrimPrefix(ref, baseURL+"/"), "/_history/")
		if ref == "Patient/a" {
			return true
		}
	}
	return false
}

// FuzzDeviceCheck feeds Device bytes to the per-resource check of a read
// by patient a and checks that whatever the Guard releases is, by an
// independent decoding, a Device of a or of no patient.
func FuzzDeviceCheck(f *testing.F) {
	for _, r := range fixture(f) {
		if r.Type == "Device" {
			f.Add(r.JSON)
		}
	}
	for _, s := range []string{
		`{"resourceType":"Device","patient":{"reference":"Patient/b"},"patient":null}`,
		`{"resourceType":"Device","p\u0061tient":{"reference":"Patient/b"}}`,
		`{"resourceType":"Device","patient":[{"reference":"Patient/a"}]}`,
		`{"resourceType":"Device","patient":"Patient/a"}`,
		`{"resourceType":"Device","Patient":{"reference":"Patient/b"}}`,
		`{"resourceType":"Device","_patient":{"extension":[]}}`,
	} {
		f.Add([]byte(s))
	}
	store := &deviceStore{}
	g, err := compartment.New(store, compartment.Config{BaseURL: baseURL})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		store.data.Store(&data)
		r, err := g.Read(patientCtx("a", "patient/Device.rs"), "Device", "x")
		if err != nil {
			if !errors.Is(err, compartment.ErrNotFound) {
				t.Fatalf("error %v, want ErrNotFound", err)
			}
			return
		}
		if !deviceOracleAdmits(r.JSON) {
			t.Fatalf("released a Device the oracle excludes: %s",
				strings.ToValidUTF8(string(r.JSON), "?"))
		}
	})
}
