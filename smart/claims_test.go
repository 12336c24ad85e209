package smart

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLookupClaim(t *testing.T) {
	claims := map[string]any{
		"patient": "1",
		"context": map[string]any{"patient": "2", "deep": map[string]any{"x": "3"}},
		"null":    nil,
	}
	cases := []struct {
		path  string
		want  any
		found bool
	}{
		{"patient", "1", true},
		{"context.patient", "2", true},
		{"context.deep.x", "3", true},
		{"context.missing", nil, false},
		{"patient.sub", nil, false}, // a string has no members
		{"null", nil, false},
		{"missing", nil, false},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got, found := lookupClaim(claims, c.path)
			if got != c.want || found != c.found {
				t.Errorf("lookupClaim(%q) = %v, %v; want %v, %v", c.path, got, found, c.want, c.found)
			}
		})
	}
}

func TestTimeClaim(t *testing.T) {
	cases := []struct {
		name string
		v    any
		want time.Time
		bad  bool
	}{
		{"seconds", float64(1700000000), time.Unix(1700000000, 0), false},
		{"fraction", 1700000000.5, time.Unix(1700000000, 5e8), false},
		{"string", "1700000000", time.Time{}, true},
		{"far future is clamped", 1e300, time.Unix(1<<40, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := timeClaim(map[string]any{"exp": c.v}, "exp")
			if (err != nil) != c.bad || !got.Equal(c.want) {
				t.Errorf("timeClaim = %v, %v; want %v (error %v)", got, err, c.want, c.bad)
			}
		})
	}
}

func TestLaunchPatientID(t *testing.T) {
	for id, ok := range map[string]bool{
		"123": true, "a-b.C9": true, strings.Repeat("x", 64): true,
		"": false, strings.Repeat("x", 65): false, "a/b": false, "a b": false,
		"a_b": false, "é": false, "%2F": false,
	} {
		if isLaunchPatientID(id) != ok {
			t.Errorf("isLaunchPatientID(%q) = %v, want %v", id, !ok, ok)
		}
	}
}

// FuzzGrantFromClaims feeds arbitrary JSON claims to the mapping shared by
// both authenticators. It must never panic, and a Grant it returns must have
// a valid launch patient whenever it carries patient/ scopes.
func FuzzGrantFromClaims(f *testing.F) {
	for _, seed := range []string{
		`{"patient":"123","scope":"patient/Observation.rs","exp":1700000000}`,
		`{"patient":"Patient/123","scp":["patient/*.read","openid"]}`,
		`{"context":{"patient":"p"},"scope":"patient/Observation.rs"}`,
		`{"scope":"patient/Observation.rs"}`,
		`{"patient":"a/b","scope":7}`,
		`{"client_id":1,"azp":"x"}`,
		`{"exp":"soon"}`,
		`{}`, `null`, `[]`,
	} {
		f.Add([]byte(seed), "")
	}
	f.Add([]byte(`{"context":{"patient":"p"},"scope":"patient/Observation.rs"}`), "context.patient")

	f.Fuzz(func(t *testing.T, raw []byte, patientPath string) {
		m := ClaimMapping{Patient: patientPath}
		var claims map[string]any
		if json.Unmarshal(raw, &claims) != nil || m.validate() != nil {
			return
		}
		g, err := grantFromClaims(claims, m)
		if err != nil {
			var te *TokenError
			if g != nil || !errors.As(err, &te) || !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("refusal = (%v, %v), want no grant and a *TokenError", g, err)
			}
			return
		}
		if g.Patient != "" && !isLaunchPatientID(g.Patient) {
			t.Fatalf("patient %q is not a FHIR id", g.Patient)
		}
		if g.Scopes.HasContext(ContextPatient) && g.Patient == "" {
			t.Fatalf("patient scopes without a patient")
		}
	})
}

// FuzzDecodeIntrospection feeds arbitrary bodies to the introspection
// response decoder: it must never panic, must return claims only for a
// JSON object whose active member is true, and checkAccessToken must pass
// only an answer about a bearer access token.
func FuzzDecodeIntrospection(f *testing.F) {
	for _, seed := range []string{
		`{"active":true,"scope":"patient/*.rs","patient":"1"}`,
		`{"active":false}`, `{"active":"true"}`, `{"active":1}`, `[true]`, `null`, ``, `{`,
		`{"active":true,"token_type":"Bearer"}`, `{"active":true,"token_type":"N_A"}`,
		`{"active":true,"token_use":"refresh_token"}`, `{"active":true,"token_type":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		claims, err := decodeIntrospection(body, 1<<10)
		if err != nil {
			if claims != nil || !errors.Is(err, ErrInvalidToken) && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("refusal = (%v, %v)", claims, err)
			}
			return
		}
		if claims["active"] != true || len(body) > 1<<10 {
			t.Fatalf("accepted %q", body)
		}
		if checkAccessToken(claims) != nil {
			return
		}
		typ, hasType := claims["token_type"].(string)
		_, hasAny := claims["token_type"]
		if hasAny && !(hasType && strings.EqualFold(typ, "bearer")) {
			t.Fatalf("passed token_type %v", claims["token_type"])
		}
		if use, ok := claims["token_use"]; ok && use != "access_token" {
			t.Fatalf("passed token_use %v", use)
		}
	})
}
