package smart_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/golang-jwt/jwt/v5"
)

func TestJWTAcceptsValidTokens(t *testing.T) {
	k := tokKeys(t)
	cfg := tokConfig(t)
	cfg.HMACSecret = tokSecret
	a := tokAuthenticator(t, cfg)

	cases := []struct {
		name   string
		method jwt.SigningMethod
		key    any
		kid    string
	}{
		{"RS256", jwt.SigningMethodRS256, k.rsaA, "rsa-a"},
		{"RS512", jwt.SigningMethodRS512, k.rsaA, "rsa-a"},
		{"PS256", jwt.SigningMethodPS256, k.rsaA, "rsa-a"},
		{"ES256", jwt.SigningMethodES256, k.ecA, "ec-a"},
		{"HS256", jwt.SigningMethodHS256, tokSecret, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := tokSign(t, c.method, c.key, c.kid, tokClaims(nil))
			g, err := a.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			tokCheckDefaultGrant(t, g)
		})
	}
}

// tokCheckDefaultGrant checks the Grant of a token built from tokClaims(nil).
func tokCheckDefaultGrant(t *testing.T, g *smart.Grant) {
	t.Helper()
	want := map[string]string{
		"Subject": "user-7", "ClientID": "growth-chart", "Patient": "123",
		"FHIRUser": "Patient/123", "TokenID": "jti-1", "Issuer": tokIssuer,
	}
	got := map[string]string{
		"Subject": g.Subject, "ClientID": g.ClientID, "Patient": g.Patient,
		"FHIRUser": g.FHIRUser, "TokenID": g.TokenID, "Issuer": g.Issuer,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grant = %v, want %v", got, want)
	}
	if !g.Expiry.Equal(tokNow.Add(time.Hour)) {
		t.Errorf("Expiry = %v, want %v", g.Expiry, tokNow.Add(time.Hour))
	}
	if !g.Scopes.Allows("Observation", smart.PermRead|smart.PermSearch) || len(g.Scopes.Resource) != 2 {
		t.Errorf("Scopes = %q, want patient/Observation.rs and patient/Patient.r", g.Scopes.String())
	}
	if g.Claims["sub"] != "user-7" {
		t.Errorf("Claims[sub] = %v, want the decoded claims", g.Claims["sub"])
	}
}

func TestJWTClaimMapping(t *testing.T) {
	cases := []struct {
		name    string
		mapping smart.ClaimMapping
		edit    map[string]any
		patient string
		client  string
		scopes  string
	}{
		{name: "defaults", patient: "123", client: "growth-chart",
			scopes: "patient/Observation.rs patient/Patient.r openid fhirUser launch/patient"},
		{name: "relative reference", edit: map[string]any{"patient": "Patient/abc-9.x"},
			patient: "abc-9.x", client: "growth-chart"},
		{name: "context.patient", mapping: smart.ClaimMapping{Patient: "context.patient"},
			edit:    map[string]any{"patient": nil, "context": map[string]any{"patient": "p1"}},
			patient: "p1", client: "growth-chart"},
		{name: "patient_id", mapping: smart.ClaimMapping{Patient: "patient_id"},
			edit:    map[string]any{"patient": "other", "patient_id": "p2"},
			patient: "p2", client: "growth-chart"},
		{name: "scp array", edit: map[string]any{"scope": nil,
			"scp": []any{"patient/Condition.rs", "openid"}},
			patient: "123", client: "growth-chart", scopes: "patient/Condition.rs openid"},
		{name: "scope wins over scp", edit: map[string]any{"scope": "patient/Condition.rs",
			"scp": []any{"patient/Observation.rs"}},
			patient: "123", client: "growth-chart", scopes: "patient/Condition.rs"},
		{name: "configured scope claim", mapping: smart.ClaimMapping{Scope: "scp"},
			edit:    map[string]any{"scp": "patient/Condition.rs"},
			patient: "123", client: "growth-chart", scopes: "patient/Condition.rs"},
		{name: "azp when no client_id", edit: map[string]any{"client_id": nil, "azp": "app-2"},
			patient: "123", client: "app-2"},
		{name: "client_id before azp", edit: map[string]any{"azp": "app-2"},
			patient: "123", client: "growth-chart"},
		{name: "configured client claim", mapping: smart.ClaimMapping{ClientID: "cid"},
			edit:    map[string]any{"cid": "app-3"},
			patient: "123", client: "app-3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := tokConfig(t)
			cfg.Claims = c.mapping
			g, err := tokAuthenticator(t, cfg).Authenticate(context.Background(), tokRS256(t, c.edit))
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if g.Patient != c.patient || g.ClientID != c.client {
				t.Errorf("patient, client = %q, %q; want %q, %q",
					g.Patient, g.ClientID, c.patient, c.client)
			}
			if c.scopes != "" && g.Scopes.String() != c.scopes {
				t.Errorf("scopes = %q, want %q", g.Scopes.String(), c.scopes)
			}
		})
	}
}

func TestJWTFHIRUserMapping(t *testing.T) {
	cfg := tokConfig(t)
	cfg.Claims.FHIRUser = "profile"
	edit := map[string]any{"fhirUser": nil, "profile": "Practitioner/9",
		"scope": "user/Observation.rs", "patient": nil}
	g, err := tokAuthenticator(t, cfg).Authenticate(context.Background(), tokRS256(t, edit))
	if err != nil {
		t.Fatal(err)
	}
	if g.FHIRUser != "Practitioner/9" || g.Patient != "" {
		t.Errorf("FHIRUser, Patient = %q, %q; want Practitioner/9 and none", g.FHIRUser, g.Patient)
	}
}

func TestJWTLeeway(t *testing.T) {
	expired := map[string]any{"exp": tokNow.Add(-10 * time.Second).Unix()}
	early := map[string]any{"nbf": tokNow.Add(10 * time.Second).Unix()}
	for _, c := range []struct {
		name   string
		leeway time.Duration
		edit   map[string]any
		ok     bool
	}{
		{"zero leeway refuses expired", 0, expired, false},
		{"leeway covers skew on exp", 30 * time.Second, expired, true},
		{"zero leeway refuses early", 0, early, false},
		{"leeway covers skew on nbf", 30 * time.Second, early, true},
		{"exactly at exp is expired", 0, map[string]any{"exp": tokNow.Unix()}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := tokConfig(t)
			cfg.Leeway = c.leeway
			_, err := tokAuthenticator(t, cfg).Authenticate(context.Background(), tokRS256(t, c.edit))
			if (err == nil) != c.ok {
				t.Errorf("err = %v, want accepted = %v", err, c.ok)
			}
		})
	}
}

func TestJWTAuditsMalformedScopesOnce(t *testing.T) {
	var mu sync.Mutex
	var records []audit.Record
	cfg := tokConfig(t)
	cfg.Audit = func(_ context.Context, r audit.Record) {
		mu.Lock()
		defer mu.Unlock()
		records = append(records, r)
	}
	a := tokAuthenticator(t, cfg)
	token := tokRS256(t, map[string]any{
		"scope": "patient/Observation.rs patient/observation.read patient/Condition.sr",
	})

	for range 3 {
		g, err := a.Authenticate(context.Background(), token)
		if err != nil {
			t.Fatalf("a token with malformed scopes must still be accepted: %v", err)
		}
		if !g.Scopes.Allows("Observation", smart.PermRead) ||
			g.Scopes.Allows("Condition", smart.PermRead) {
			t.Fatalf("scopes = %q: the good scope must apply, the bad ones grant nothing",
				g.Scopes.String())
		}
	}

	if len(records) != 2 {
		t.Fatalf("got %d audit records, want 2 (one per malformed scope, once per token)", len(records))
	}
	for _, r := range records {
		if r.Kind != audit.KindMalformedScope || r.Component != "smart" || r.Patient != "123" ||
			r.ClientID != "growth-chart" || r.TokenID != "jti-1" || r.Detail == "" ||
			!r.Time.Equal(tokNow) {
			t.Errorf("record = %+v", r)
		}
	}
	if records[0].Scope != "patient/observation.read" || records[1].Scope != "patient/Condition.sr" {
		t.Errorf("scopes reported = %q, %q", records[0].Scope, records[1].Scope)
	}
}

func TestJWTCacheEntryEndsAtExpiry(t *testing.T) {
	clock := &tokClock{t: tokNow}
	cfg := tokConfig(t)
	cfg.Now = clock.now
	a := tokAuthenticator(t, cfg)
	token := tokRS256(t, map[string]any{"exp": tokNow.Add(2 * time.Minute).Unix()})

	if _, err := a.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	if _, err := a.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("before exp: %v", err)
	}
	clock.advance(time.Minute)
	_, err := a.Authenticate(context.Background(), token)
	if !errors.Is(err, smart.ErrTokenExpired) || !errors.Is(err, smart.ErrInvalidToken) {
		t.Fatalf("at exp, a cached token must be refused as expired; err = %v", err)
	}
}

func TestNewJWTAuthenticatorErrors(t *testing.T) {
	k := tokKeys(t)
	allow := func(algs ...string) func(*smart.JWTConfig) {
		return func(c *smart.JWTConfig) { c.Algorithms = algs }
	}
	cases := []struct {
		name string
		edit func(*smart.JWTConfig)
		want string
	}{
		{"missing issuer", func(c *smart.JWTConfig) { c.Issuer = "" }, "Issuer"},
		{"missing audience", func(c *smart.JWTConfig) { c.Audience = "" }, "Audience"},
		{"no keys", func(c *smart.JWTConfig) { c.Keys = nil }, "needs Keys"},
		{"relative JWKS URL", func(c *smart.JWTConfig) { c.JWKSURL = "/jwks" }, "absolute"},
		{"JWKS URL over plain http", func(c *smart.JWTConfig) {
			c.JWKSURL = "http://auth.example.org/jwks"
		}, "https"},
		{"JWKS URL with credentials", func(c *smart.JWTConfig) {
			c.JWKSURL = "https://u:p@auth.example.org/jwks"
		}, "credentials"},
		{"JWKS URL not a URL", func(c *smart.JWTConfig) { c.JWKSURL = "https://[::1" }, "JWKSURL"},
		{"none allowed", allow("RS256", "none"), "none"},
		{"HS256 without secret", allow("HS256"), "no key"},
		{"ES384 without P-384 key", allow("ES384"), "no key"},
		{"unknown algorithm", allow("XS1"), "XS1"},
		{"short HMAC secret", func(c *smart.JWTConfig) { c.HMACSecret = []byte("short") }, "32 bytes"},
		{"HS512 with 32-byte secret", func(c *smart.JWTConfig) {
			c.HMACSecret, c.Algorithms = tokSecret, []string{"HS512"}
		}, "no key"},
		{"unsupported key type", func(c *smart.JWTConfig) {
			c.Keys = []smart.VerificationKey{{ID: "x", Public: k.rsaA}}
		}, "unsupported key type"},
		{"negative leeway", func(c *smart.JWTConfig) { c.Leeway = -time.Second }, "Leeway"},
		{"huge leeway", func(c *smart.JWTConfig) { c.Leeway = time.Hour }, "Leeway"},
		{"bad claim path", func(c *smart.JWTConfig) {
			c.Claims.Patient = "context..patient"
		}, "empty segment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := tokConfig(t)
			c.edit(&cfg)
			a, err := smart.NewJWTAuthenticator(cfg)
			if err == nil {
				_ = a.Close()
				t.Fatal("NewJWTAuthenticator accepted the configuration")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "smart: ") {
				t.Errorf("err = %q, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestNewJWTAuthenticatorRefusesShortRSAKey(t *testing.T) {
	cfg := tokConfig(t)
	cfg.Keys = []smart.VerificationKey{{ID: "small", Public: tokSmallRSAKey(t)}}
	if _, err := smart.NewJWTAuthenticator(cfg); err == nil || !strings.Contains(err.Error(), "2048") {
		t.Fatalf("err = %v, want a refusal of a 1024-bit RSA key", err)
	}
}
