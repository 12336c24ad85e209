package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

func TestNilHookDiscards(t *testing.T) {
	var h audit.Hook
	h.Emit(context.Background(), audit.Record{Kind: audit.KindForbidden}) // must not panic

	if audit.Slog(nil) != nil {
		t.Error("Slog(nil) should return a nil Hook")
	}
}

func TestEmitFillsTime(t *testing.T) {
	var got audit.Record
	h := audit.Hook(func(_ context.Context, r audit.Record) { got = r })

	h.Emit(context.Background(), audit.Record{Kind: audit.KindDropped})
	if got.Time.IsZero() {
		t.Error("Emit left Time zero")
	}

	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h.Emit(context.Background(), audit.Record{Kind: audit.KindDropped, Time: fixed})
	if !got.Time.Equal(fixed) {
		t.Errorf("Emit replaced a set Time: %v", got.Time)
	}
}

func TestSlogWritesNonEmptyFields(t *testing.T) {
	var buf bytes.Buffer
	h := audit.Slog(slog.New(slog.NewJSONHandler(&buf, nil)))

	h.Emit(context.Background(), audit.Record{
		Kind:         audit.KindHidden,
		Component:    "compartment",
		Reason:       "outside_compartment",
		Status:       404,
		Method:       "GET",
		Path:         "/fhir/Observation/o9",
		Patient:      "p1",
		ResourceType: "Observation",
		ResourceID:   "o9",
	})

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line is not JSON: %v\n%s", err, buf.Bytes())
	}
	want := map[string]any{
		"level": "WARN", "msg": "fhirguard decision", "kind": "hidden",
		"component": "compartment", "reason": "outside_compartment", "status": 404.0,
		"method": "GET", "path": "/fhir/Observation/o9", "patient": "p1",
		"resource_type": "Observation", "resource_id": "o9",
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	for _, absent := range []string{"client_id", "scope", "rule", "justification", "count", "detail"} {
		if _, ok := line[absent]; ok {
			t.Errorf("empty field %s was logged", absent)
		}
	}
}
