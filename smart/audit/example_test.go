package audit_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// A server hands the same Hook to every fhirguard package; this one logs
// each decision as a structured line.
func ExampleSlog() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		// Leave out the times, so that the output is the same on every run.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "time" {
				return slog.Attr{}
			}
			return a
		},
	}))
	hook := audit.Slog(logger)

	hook.Emit(context.Background(), audit.Record{
		Kind:         audit.KindHidden,
		Component:    "compartment",
		Reason:       "outside_compartment",
		Status:       404,
		Method:       "GET",
		Path:         "/fhir/Observation/o-17",
		ClientID:     "growth-chart",
		Patient:      "p1",
		ResourceType: "Observation",
		ResourceID:   "o-17",
	})
	// Output:
	// level=WARN msg="fhirguard decision" kind=hidden component=compartment reason=outside_compartment status=404 method=GET path=/fhir/Observation/o-17 client_id=growth-chart patient=p1 resource_type=Observation resource_id=o-17
}
