package compartment_test

import (
	"context"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

// TestBinaryVisibility checks the Binary rules for a patient token: the
// securityContext decides when there is one, whatever points to the
// Binary; without one, the DocumentReferences pointing to it decide, and
// all of them must be visible.
func TestBinaryVisibility(t *testing.T) {
	const doc = `{"resourceType":"DocumentReference","status":"current",` +
		`"subject":{"reference":"Patient/b"},"content":[{"attachment":{"url":"Binary/shared"}}]}`
	tests := []struct {
		name, id, binary string
		extra            []compartment.Resource // stored before the read
		visible          bool
	}{
		{name: "securityContext of own document", id: "bin-sec-a", visible: true},
		{name: "own document points to it", id: "bin-a1", visible: true},
		{name: "securityContext of reference data", id: "photo", visible: true,
			binary: `{"resourceType":"Binary","id":"photo","contentType":"image/png",` +
				`"securityContext":{"reference":"Practitioner/pr1"}}`},
		{name: "securityContext that is not an object", id: "odd",
			binary: `{"resourceType":"Binary","id":"odd","securityContext":"Patient/a"}`},
		{name: "securityContext without reference", id: "logical",
			binary: `{"resourceType":"Binary","id":"logical",` +
				`"securityContext":{"display":"a's note"}}`},
		{name: "duplicated securityContext", id: "dup",
			binary: `{"resourceType":"Binary","id":"dup",` +
				`"securityContext":{"reference":"DocumentReference/doc-b1"},` +
				`"securityContext":{"reference":"DocumentReference/doc-a1"}}`},
		{name: "pointed to by a's and b's documents", id: "shared",
			binary: `{"resourceType":"Binary","id":"shared","contentType":"text/plain"}`,
			extra: []compartment.Resource{
				{Type: "DocumentReference", ID: "doc-shared-b", JSON: []byte(doc)},
				{Type: "DocumentReference", ID: "doc-shared-a",
					JSON: []byte(`{"resourceType":"DocumentReference","status":"current",` +
						`"subject":{"reference":"Patient/a"},` +
						`"content":[{"attachment":{"url":"Binary/shared"}}]}`)}}},
		{name: "pointed to by nothing", id: "orphan",
			binary: `{"resourceType":"Binary","id":"orphan","contentType":"text/plain"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			extra := tc.extra
			if tc.binary != "" {
				extra = append(extra, compartment.Resource{Type: "Binary", ID: tc.id,
					JSON: []byte(tc.binary)})
			}
			for _, r := range extra {
				if _, err := store.Update(context.Background(), r); err != nil {
					t.Fatal(err)
				}
			}
			g, _ := newGuard(t, store, compartment.Config{})
			_, err := g.Read(patientCtx("a", "patient/*.rs"), "Binary", tc.id)
			if (err == nil) != tc.visible {
				t.Fatalf("read Binary/%s: %v, want visible %v", tc.id, err, tc.visible)
			}
		})
	}
}
