package compartment_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/compartment"
)

func TestWriteError(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"not found", compartment.ErrNotFound, 404, "not-found"},
		{"forbidden", fmt.Errorf("wrapped: %w", compartment.ErrForbidden), 403, "forbidden"},
		{"invalid", compartment.ErrInvalid, 400, "invalid"},
		{"precondition", compartment.ErrPreconditionFailed, 412, "invalid"},
		{"store error", errors.New("pq: relation patient_secret_b does not exist"), 500, "exception"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			compartment.WriteError(w, tc.err)
			var oo struct {
				ResourceType string
				Issue        []struct{ Code, Diagnostics string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &oo); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status || oo.ResourceType != "OperationOutcome" || oo.Issue[0].Code != tc.code {
				t.Errorf("status %d body %s", w.Code, w.Body)
			}
			if strings.Contains(w.Body.String(), "secret") {
				t.Errorf("the store's error text reached the client: %s", w.Body)
			}
		})
	}
}

// TestHiddenAndMissingAreIndistinguishable checks that the error for a
// resource outside the grant is the same as for a missing one, text
// included.
func TestHiddenAndMissingAreIndistinguishable(t *testing.T) {
	g, _ := newGuard(t, newStore(t), compartment.Config{})
	ctx := patientCtx("a", "patient/*.rs")
	_, hidden := g.Read(ctx, "Observation", "obs-b1")
	_, missing := g.Read(ctx, "Observation", "no-such-id")
	if hidden == nil || missing == nil || hidden.Error() != missing.Error() {
		t.Fatalf("hidden %v, missing %v", hidden, missing)
	}
	var e *compartment.Error
	if !errors.As(hidden, &e) || e.Reason != "not_found" {
		t.Errorf("hidden error %#v", hidden)
	}
}
