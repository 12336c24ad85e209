package audit

import (
	"context"
	"log/slog"
)

// Slog returns a Hook that writes each record to l as one structured log
// entry at level Warn, with the message "fhirguard decision" and one
// attribute per non-empty field. A nil l returns a nil Hook, which discards
// records.
func Slog(l *slog.Logger) Hook {
	if l == nil {
		return nil
	}
	return func(ctx context.Context, r Record) {
		l.LogAttrs(ctx, slog.LevelWarn, "fhirguard decision", r.attrs()...)
	}
}

// attrs lists the non-empty fields of r as log attributes.
func (r Record) attrs() []slog.Attr {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("kind", string(r.Kind)),
		slog.String("component", r.Component),
		slog.Time("time", r.Time),
	)
	add := func(key, value string) {
		if value != "" {
			attrs = append(attrs, slog.String(key, value))
		}
	}
	add("reason", r.Reason)
	add("detail", r.Detail)
	if r.Status != 0 {
		attrs = append(attrs, slog.Int("status", r.Status))
	}
	add("method", r.Method)
	add("path", r.Path)
	add("client_id", r.ClientID)
	add("token_id", r.TokenID)
	add("patient", r.Patient)
	add("fhir_user", r.FHIRUser)
	add("resource_type", r.ResourceType)
	add("resource_id", r.ResourceID)
	add("scope", r.Scope)
	add("rule", r.Rule)
	add("justification", r.Justification)
	if r.Count != 0 {
		attrs = append(attrs, slog.Int("count", r.Count))
	}
	return attrs
}
