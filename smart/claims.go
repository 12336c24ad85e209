package smart

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// ClaimMapping says which claims of a token, or of an introspection
// response, hold the launch context. SMART App Launch defines no JWT claim
// for the launch patient, so authorization servers differ.
//
// Each field is a claim name or a dotted path into nested JSON objects, such
// as "context.patient"; the path is split at every dot, so a claim whose own
// name contains a dot cannot be addressed. The zero value maps the claims
// most servers use, as each field says.
type ClaimMapping struct {
	// Patient is the claim holding the launch patient, as a resource ID
	// ("123") or a relative reference ("Patient/123"); an absolute URL or
	// anything else that is not a FHIR resource ID makes the token invalid.
	// Empty means "patient". Some servers nest it ("context.patient") or
	// name it differently ("patient_id").
	Patient string

	// Scope is the claim holding the scopes, as a space-separated string or
	// an array of strings. Empty means "scope", or "scp" when the token has
	// no "scope" claim.
	Scope string

	// ClientID is the claim holding the OAuth client ID. Empty means
	// "client_id", or "azp" when the token has no "client_id" claim.
	ClientID string

	// FHIRUser is the claim holding the fhirUser reference. Empty means
	// "fhirUser".
	FHIRUser string
}

// validate reports a path with an empty segment.
func (m ClaimMapping) validate() error {
	for _, p := range []string{m.Patient, m.Scope, m.ClientID, m.FHIRUser} {
		if p == "" {
			continue
		}
		for seg := range strings.SplitSeq(p, ".") {
			if seg == "" {
				return fmt.Errorf("smart: claim path %q has an empty segment", p)
			}
		}
	}
	return nil
}

// errClaimNotString is the cause for a mapped claim of the wrong JSON type.
var errClaimNotString = errors.New("claim is not a string")

// grantFromClaims builds the Grant that claims describe. The claims must
// already be trusted: signature, issuer, audience and expiry are checked by
// the caller.
func grantFromClaims(claims map[string]any, m ClaimMapping) (*Grant, error) {
	g := &Grant{Claims: claims}
	err := readStringClaims(claims, []stringTarget{
		{&g.Subject, "sub"},
		{&g.TokenID, "jti"},
		{&g.Issuer, "iss"},
		{&g.FHIRUser, orDefault(m.FHIRUser, "fhirUser")},
	})
	if err == nil {
		g.ClientID, err = firstStringClaim(claims, m.ClientID, "client_id", "azp")
	}
	if err == nil {
		g.Expiry, err = timeClaim(claims, "exp")
	}
	if err == nil {
		g.Scopes, err = scopeClaim(claims, m.Scope)
	}
	if err == nil {
		g.Patient, err = patientClaim(claims, orDefault(m.Patient, "patient"))
	}
	if err != nil {
		return nil, newTokenError(reasonBadClaim, err)
	}

	if g.Patient == "" && g.Scopes.HasContext(ContextPatient) {
		return nil, newTokenError(reasonNoPatient, ErrNoPatient)
	}
	return g, nil
}

// stringTarget is a Grant field and the claim that fills it.
type stringTarget struct {
	dst  *string
	path string
}

// readStringClaims fills each target from its claim.
func readStringClaims(claims map[string]any, targets []stringTarget) error {
	for _, t := range targets {
		var err error
		if *t.dst, err = stringClaim(claims, t.path); err != nil {
			return err
		}
	}
	return nil
}

// lookupClaim follows a dotted path through nested JSON objects. A JSON null
// counts as absent.
func lookupClaim(claims map[string]any, path string) (any, bool) {
	var v any = claims
	for seg := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[seg]; !ok {
			return nil, false
		}
	}
	return v, v != nil
}

// stringClaim returns the string at path, or "" when it is absent.
func stringClaim(claims map[string]any, path string) (string, error) {
	v, ok := lookupClaim(claims, path)
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: %w", path, errClaimNotString)
	}
	return s, nil
}

// firstStringClaim returns the string at path when path is set, and
// otherwise the first of the fallback claims that is present.
func firstStringClaim(claims map[string]any, path string, fallbacks ...string) (string, error) {
	if path != "" {
		return stringClaim(claims, path)
	}
	for _, f := range fallbacks {
		if _, ok := lookupClaim(claims, f); ok {
			return stringClaim(claims, f)
		}
	}
	return "", nil
}

// timeClaim reads a NumericDate (seconds since the epoch) such as exp. An
// absent claim is the zero time.
func timeClaim(claims map[string]any, name string) (time.Time, error) {
	v, ok := lookupClaim(claims, name)
	if !ok {
		return time.Time{}, nil
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, fmt.Errorf("%s: claim is not a number", name)
	}
	f = max(min(f, 1<<40), -(1 << 40)) // far beyond any real date
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// scopeClaim parses the scopes from the configured claim, or from "scope"
// then "scp". An absent claim means no scopes.
func scopeClaim(claims map[string]any, path string) (Scopes, error) {
	if path == "" {
		path = "scope"
		if _, ok := lookupClaim(claims, path); !ok {
			path = "scp"
		}
	}
	v, ok := lookupClaim(claims, path)
	if !ok {
		return Scopes{}, nil
	}
	switch v := v.(type) {
	case string:
		return ParseScopes(v), nil
	case []any:
		list := make([]string, len(v))
		for i, e := range v {
			if list[i], ok = e.(string); !ok {
				return Scopes{}, fmt.Errorf("%s: scope list holds a non-string", path)
			}
		}
		return ParseScopeList(list), nil
	}
	return Scopes{}, fmt.Errorf("%s: scopes are neither a string nor a list", path)
}

// patientClaim returns the bare resource ID of the launch patient, or ""
// when the claim is absent or empty.
func patientClaim(claims map[string]any, path string) (string, error) {
	s, err := stringClaim(claims, path)
	if err != nil || s == "" {
		return "", err
	}
	id := strings.TrimPrefix(s, "Patient/")
	if !isLaunchPatientID(id) {
		return "", fmt.Errorf("%s: launch patient is not a FHIR resource ID", path)
	}
	return id, nil
}

// isLaunchPatientID reports whether s matches the FHIR R4 id pattern
// [A-Za-z0-9\-\.]{1,64}.
func isLaunchPatientID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && (c < '0' || c > '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// auditMalformedScopes reports each malformed scope of g once.
func auditMalformedScopes(ctx context.Context, h audit.Hook, g *Grant, now time.Time) {
	for _, bad := range g.Scopes.Malformed {
		h.Emit(ctx, audit.Record{
			Time:      now,
			Kind:      audit.KindMalformedScope,
			Component: "smart",
			Reason:    "malformed_scope",
			Detail:    bad.Reason,
			ClientID:  g.ClientID,
			TokenID:   g.TokenID,
			Patient:   g.Patient,
			FHIRUser:  g.FHIRUser,
			Scope:     bad.Scope,
		})
	}
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
