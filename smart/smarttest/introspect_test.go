package smarttest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// TestIntrospection checks the RFC 7662 answers for active and inactive
// tokens.
func TestIntrospection(t *testing.T) {
	s, c := startServer(t, nil)
	minted, err := s.Mint(smarttest.MintRequest{Patient: "amy", Scopes: []string{"patient/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	status, body := post(t, s, "/introspect", url.Values{"token": {minted}}, nil)
	want := map[string]any{"active": true, "scope": "patient/*.rs",
		"client_id": smarttest.DefaultClientID, "patient": "amy", "fhirUser": "Patient/amy",
		"iss": s.Issuer(), "aud": fhirBase, "token_type": "Bearer",
		"exp": float64(start.Add(time.Hour).Unix()),
		"iat": float64(start.Unix())}
	for k, v := range want {
		if status != http.StatusOK || body[k] != v {
			t.Errorf("introspection %d: %s = %v, want %v", status, k, body[k], v)
		}
	}
	if body["sub"] == nil || body["jti"] == nil {
		t.Errorf("introspection lacks sub or jti: %v", body)
	}

	inactive := map[string]string{"garbage": "not-a-token", "empty-looking JWT": "a.b.c"}
	for _, f := range smarttest.Flaws() {
		if f == smarttest.FlawWrongAudience || f == smarttest.FlawPatientScopesWithoutPatient {
			continue // genuine tokens of the server; the resource server refuses them
		}
		tok, err := s.MintInvalid(f,
			smarttest.MintRequest{Patient: "amy", Scopes: []string{"patient/*.rs"}})
		if err != nil {
			t.Fatal(err)
		}
		inactive[f.String()] = tok
	}
	for name, tok := range inactive {
		t.Run(name, func(t *testing.T) {
			status, body := post(t, s, "/introspect", url.Values{"token": {tok}}, nil)
			if status != http.StatusOK || len(body) != 1 || body["active"] != false {
				t.Errorf("introspection = %d %v, want exactly {\"active\":false}", status, body)
			}
		})
	}

	c.Advance(time.Hour)
	if active(t, s, minted) {
		t.Error("expired token active")
	}
}

// TestIntrospectionCaller checks the credentials an introspection request
// may carry.
func TestIntrospectionCaller(t *testing.T) {
	s, _ := startServer(t, nil)
	token, err := s.Mint(smarttest.MintRequest{Patient: "amy", Scopes: []string{"patient/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		status int
		edit   func(url.Values, *http.Request)
	}{
		{"none", 200, func(url.Values, *http.Request) {}},
		{"confidential client", 200, func(_ url.Values, r *http.Request) {
			basic(resourceSrv, resourceKey)(r)
		}},
		{"client_secret_post", 200, func(f url.Values, _ *http.Request) {
			f.Set("client_id", resourceSrv)
			f.Set("client_secret", resourceKey)
		}},
		{"bearer", 200, func(_ url.Values, r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
		}},
		{"wrong secret", 401, func(_ url.Values, r *http.Request) { basic(resourceSrv, "wrong")(r) }},
		{"unknown client", 401, func(_ url.Values, r *http.Request) { basic("nobody", "x")(r) }},
		{"forged bearer", 401, func(_ url.Values, r *http.Request) {
			forged, _ := s.MintInvalid(smarttest.FlawUnknownKey, smarttest.MintRequest{})
			r.Header.Set("Authorization", "Bearer "+forged)
		}},
		{"no token", 400, func(f url.Values, _ *http.Request) { f.Del("token") }},
		{"repeated token", 400, func(f url.Values, _ *http.Request) { f.Add("token", "x") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ans := send(t, s, "/introspect", url.Values{"token": {token}}, tc.edit)
			if ans.status != tc.status {
				t.Fatalf("answer %d %v, want %d", ans.status, ans.body, tc.status)
			}
			if tc.status == 200 && ans.body["active"] != true {
				t.Errorf("answer %v, want the token active", ans.body)
			}
		})
	}
}

// TestRevocation checks RFC 7009 revocation of access and refresh tokens.
func TestRevocation(t *testing.T) {
	s, _ := startServer(t, nil)
	revoke := func(t *testing.T, token, clientID string) (int, map[string]any) {
		t.Helper()
		return post(t, s, "/revoke", url.Values{"token": {token}, "client_id": {clientID}}, nil)
	}

	t.Run("access token alone", func(t *testing.T) {
		tok := launchTokens(t, s)
		if status, body := revoke(t, tok["access_token"].(string), publicClient); status != 200 {
			t.Fatalf("revoke: %d %v", status, body)
		}
		if active(t, s, tok["access_token"].(string)) {
			t.Error("revoked access token active")
		}
		status, body := post(t, s, "/token", refreshForm(tok["refresh_token"].(string)), nil)
		if status != 200 || !active(t, s, body["access_token"].(string)) {
			t.Errorf("the grant was revoked with its access token: %d %v", status, body["error"])
		}
	})
	t.Run("another client's token", func(t *testing.T) {
		tok := launchTokens(t, s)
		for _, k := range []string{"access_token", "refresh_token"} {
			status, body := revoke(t, tok[k].(string), "another-app")
			wantOAuthError(t, status, body, 400, "invalid_grant")
			if !active(t, s, tok[k].(string)) {
				t.Errorf("%s revoked by another client", k)
			}
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		if status, body := revoke(t, "no-such-token", publicClient); status != 200 {
			t.Errorf("revoke: %d %v, want 200", status, body)
		}
	})
	t.Run("confidential client needs its secret", func(t *testing.T) {
		status, body := revoke(t, "whatever", confidential)
		wantOAuthError(t, status, body, 401, "invalid_client")
	})
}

// TestRevokeMethod checks Server.Revoke.
func TestRevokeMethod(t *testing.T) {
	s, _ := startServer(t, nil)
	token, err := s.Mint(smarttest.MintRequest{Scopes: []string{"system/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(token); err != nil {
		t.Fatal(err)
	}
	if active(t, s, token) {
		t.Error("revoked minted token active")
	}
	if err := s.Revoke("not-a-token"); !errors.Is(err, smarttest.ErrUnknownToken) {
		t.Errorf("Revoke(unknown) = %v, want ErrUnknownToken", err)
	}
}

// TestIntrospector checks that the library's Introspector accepts the
// server's tokens and sees revocation.
func TestIntrospector(t *testing.T) {
	s, c := startServer(t, nil)
	in, err := smart.NewIntrospector(smart.IntrospectionConfig{
		Endpoint: s.Configuration().IntrospectionEndpoint,
		ClientID: resourceSrv, ClientSecret: resourceKey, Audience: fhirBase,
		CacheEntries: -1, Now: c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok := launchTokens(t, s)
	access := tok["access_token"].(string)

	g, err := in.Authenticate(t.Context(), access)
	if err != nil {
		t.Fatalf("Introspector refused the token: %v", err)
	}
	scopes := strings.Fields(g.Scopes.String())
	if g.Patient != "amy" || g.ClientID != publicClient ||
		!sameSet(scopes, strings.Fields(consentScopes)) {
		t.Errorf("grant = %+v", g)
	}
	if err := s.Revoke(tok["refresh_token"].(string)); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Authenticate(t.Context(), access); !errors.Is(err, smart.ErrInvalidToken) {
		t.Errorf("Introspector after revocation: %v, want ErrInvalidToken", err)
	}
}

// TestIntrospectorRefusesRefreshToken checks that a refresh token sent to
// the FHIR server in place of an access token is refused, although this
// server reports it active: its answer says the token is no access token.
func TestIntrospectorRefusesRefreshToken(t *testing.T) {
	s, c := startServer(t, nil)
	in, err := smart.NewIntrospector(smart.IntrospectionConfig{
		Endpoint: s.Configuration().IntrospectionEndpoint,
		ClientID: resourceSrv, ClientSecret: resourceKey, CacheEntries: -1, Now: c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok := launchTokens(t, s)
	refresh := tok["refresh_token"].(string)
	if !active(t, s, refresh) {
		t.Fatal("refresh token inactive")
	}
	if _, err := in.Authenticate(t.Context(), refresh); !errors.Is(err, smart.ErrInvalidToken) {
		t.Errorf("Introspector with the refresh token: %v, want ErrInvalidToken", err)
	}
	if _, err := in.Authenticate(t.Context(), tok["access_token"].(string)); err != nil {
		t.Errorf("Introspector with the access token: %v", err)
	}
}
