package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
)

func TestOpenRefusesBadConfig(t *testing.T) {
	for _, cfg := range []sqlstore.Config{{PageSize: -1}, {MaxPageSize: -1}} {
		if _, err := sqlstore.Open(context.Background(), cfg); err == nil {
			t.Errorf("Open(%+v) succeeded", cfg)
		}
	}
}

func TestCreateReadUpdateDelete(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	created, err := s.Create(ctx, compartment.Resource{Type: "Patient",
		JSON: []byte(`{"resourceType":"Patient","name":[{"family":"Shaw"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.ID) != 32 || created.Version != "1" {
		t.Fatalf("created %s version %q", created.ID, created.Version)
	}
	checkStamp(t, created, "1")

	read, err := s.Read(ctx, "Patient", created.ID)
	if err != nil || string(read.JSON) != string(created.JSON) || read.Version != "1" {
		t.Fatalf("Read = %s %q, %v", read.JSON, read.Version, err)
	}

	updated, err := s.Update(ctx, compartment.Resource{Type: "Patient", ID: created.ID,
		JSON: []byte(`{"resourceType":"Patient","id":"` + created.ID + `","gender":"female"}`)})
	if err != nil || updated.Version != "2" {
		t.Fatalf("Update = %q, %v", updated.Version, err)
	}
	checkStamp(t, updated, "2")
	if v1, err := s.VRead(ctx, "Patient", created.ID, "1"); err != nil ||
		!strings.Contains(string(v1.JSON), "Shaw") {
		t.Fatalf("VRead 1 = %s, %v", v1.JSON, err)
	}

	if err := s.Delete(ctx, "Patient", created.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"read":        second(s.Read(ctx, "Patient", created.ID)),
		"vread 3":     second(s.VRead(ctx, "Patient", created.ID, "3")),
		"delete":      s.Delete(ctx, "Patient", created.ID),
		"never":       second(s.Read(ctx, "Patient", "never")),
		"bad version": second(s.VRead(ctx, "Patient", created.ID, "01")),
	} {
		if !errors.Is(err, compartment.ErrNotFound) {
			t.Errorf("%s after delete: %v, want ErrNotFound", name, err)
		}
	}
	again, err := s.Update(ctx, compartment.Resource{Type: "Patient", ID: created.ID,
		JSON: []byte(`{"resourceType":"Patient"}`)})
	if err != nil || again.Version != "4" {
		t.Fatalf("update after delete = %q, %v; want version 4", again.Version, err)
	}
}

// second returns the error of a two-value call.
func second[T any](_ T, err error) error { return err }

// checkStamp checks the members the store writes: resourceType, id and
// meta first, meta with the version and the store's clock.
func checkStamp(t *testing.T, r compartment.Resource, version string) {
	t.Helper()
	want := `{"resourceType":"Patient","id":"` + r.ID + `","meta":{"versionId":"` + version +
		`","lastUpdated":"2025-06-02T12:00:00.000Z"}`
	if !strings.HasPrefix(string(r.JSON), want) {
		t.Errorf("stored JSON %s does not start with %s", r.JSON, want)
	}
}

func TestWriteKeepsMetaAndOrder(t *testing.T) {
	s := openStore(t)
	in := `{ "name": [ {"family":"Díaz"} ], "meta": {"profile":["x"], "versionId":"9"},
		"resourceType":"Patient", "id":"p1", "text":{"div":"<div>a &amp; b</div>"} }`
	out, err := s.Update(context.Background(), compartment.Resource{Type: "Patient", ID: "p1",
		JSON: []byte(in)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1",` +
		`"lastUpdated":"2025-06-02T12:00:00.000Z","profile":["x"]},"name":[{"family":"Díaz"}],` +
		`"text":{"div":"<div>a &amp; b</div>"}}`
	if string(out.JSON) != want {
		t.Errorf("stored\n%s\nwant\n%s", out.JSON, want)
	}
}

func TestWriteRefusesInvalidResources(t *testing.T) {
	for name, tc := range map[string]struct{ typ, id, json string }{
		"not an object":      {"Patient", "p1", `[1]`},
		"no resourceType":    {"Patient", "p1", `{"id":"p1"}`},
		"other resourceType": {"Patient", "p1", `{"resourceType":"Observation"}`},
		"other id":           {"Patient", "p1", `{"resourceType":"Patient","id":"p2"}`},
		"repeated member": {"Patient", "p1",
			`{"resourceType":"Patient","gender":"male","gender":"female"}`},
		"repeated in meta":   {"Patient", "p1", `{"resourceType":"Patient","meta":{"tag":[],"tag":[]}}`},
		"meta not an object": {"Patient", "p1", `{"resourceType":"Patient","meta":1}`},
		"repeated nested key": {"Observation", "o1", `{"resourceType":"Observation",` +
			`"subject":{"reference":"Patient/a","reference":"Patient/b"}}`},
		"trailing data": {"Patient", "p1", `{"resourceType":"Patient"} {}`},
		"invalid JSON":  {"Patient", "p1", `{"resourceType":"Patient",}`},
		"invalid UTF-8": {"Patient", "p1",
			"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\xff\"}]}"},
		"invalid UTF-8 in a member name": {"Patient", "p1",
			"{\"resourceType\":\"Patient\",\"\x82\":{}}"},
		"unknown type":        {"Nothing", "n1", `{"resourceType":"Nothing"}`},
		"bad id":              {"Patient", "a/b", `{"resourceType":"Patient"}`},
		"empty id on update":  {"Patient", "", `{"resourceType":"Patient"}`},
		"resourceType number": {"Patient", "p1", `{"resourceType":1}`},
	} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t)
			_, err := s.Update(context.Background(), compartment.Resource{Type: tc.typ, ID: tc.id,
				JSON: []byte(tc.json)})
			if !errors.Is(err, compartment.ErrInvalid) {
				t.Errorf("Update: %v, want ErrInvalid", err)
			}
			if strings.Contains(errText(err), "Patient/a") {
				t.Errorf("error %q repeats a value from the resource", err)
			}
		})
	}
}

// errText returns err's text, or "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestCreateRefusesTakenID(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	r := compartment.Resource{Type: "Patient", ID: "p1", JSON: []byte(`{"resourceType":"Patient"}`)}
	if _, err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "Patient", "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, r); !errors.Is(err, compartment.ErrInvalid) {
		t.Errorf("Create of a deleted ID: %v, want ErrInvalid", err)
	}
}

func TestTransactionRollsBack(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	boom := errors.New("boom")
	err := s.Transaction(ctx, func(ctx context.Context) error {
		if _, err := s.Update(ctx, patient("p1")); err != nil {
			return err
		}
		if _, err := s.Read(ctx, "Patient", "p1"); err != nil {
			t.Errorf("a transaction does not see its own write: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transaction = %v", err)
	}
	if _, err := s.Read(ctx, "Patient", "p1"); !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("rolled back write is visible: %v", err)
	}
}

func TestTransactionRollsBackOnPanic(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	func() {
		defer func() { _ = recover() }()
		_ = s.Transaction(ctx, func(ctx context.Context) error {
			_, _ = s.Update(ctx, patient("p1"))
			panic("boom")
		})
	}()
	if _, err := s.Read(ctx, "Patient", "p1"); !errors.Is(err, compartment.ErrNotFound) {
		t.Errorf("write of a panicking transaction is visible: %v", err)
	}
	if _, err := s.Update(ctx, patient("p2")); err != nil {
		t.Errorf("store unusable after a panic: %v", err)
	}
}

func TestTransactionCommitsAndNests(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	err := s.Transaction(ctx, func(ctx context.Context) error {
		return s.Transaction(ctx, func(ctx context.Context) error {
			_, err := s.Update(ctx, patient("p1"))
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, "Patient", "p1"); err != nil {
		t.Errorf("committed write not visible: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	done := make(chan error)
	for i := range 4 {
		go func() {
			id := "p" + string(rune('a'+i))
			_, err := s.Update(ctx, patient(id))
			if err == nil {
				_, err = s.Search(ctx, parse(t, "Patient", "_id="+id))
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestFileDatabasePersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	s, err := sqlstore.Open(ctx, sqlstore.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, patient("p1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlstore.Open(ctx, sqlstore.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	page, err := s.Search(ctx, parse(t, "Patient", "family=shaw"))
	if err != nil || len(page.Resources) != 1 {
		t.Errorf("search after reopening: %d resources, %v", len(page.Resources), err)
	}
}

// patient returns a Patient named Shaw.
func patient(id string) compartment.Resource {
	data, _ := json.Marshal(map[string]any{"resourceType": "Patient", "id": id,
		"name": []any{map[string]any{"family": "Shaw"}}})
	return compartment.Resource{Type: "Patient", ID: id, JSON: data}
}
