package smarttest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// refreshForm is a refresh request of the public test client.
func refreshForm(token string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token},
		"client_id": {publicClient}}
}

// launchTokens launches with consentScopes and returns the token response.
func launchTokens(t *testing.T, s *smarttest.Server) map[string]any {
	t.Helper()
	a := newApp(publicClient)
	return tokens(t, s, a, launch(t, s, a, consentScopes, smarttest.Consent{}))
}

// TestRefreshRefused covers the rules of the refresh_token grant. After a
// refusal that does not revoke, the refresh token still works with all the
// scopes the patient approved.
func TestRefreshRefused(t *testing.T) {
	s, c := startServer(t, nil)

	cases := []struct {
		name       string
		status     int
		code       string
		stillWorks bool
		edit       func(f url.Values, r *http.Request)
		before     func(t *testing.T, refresh string)
	}{
		{"widened scope", 400, "invalid_scope", true, func(f url.Values, _ *http.Request) {
			f.Set("scope", "patient/Observation.rs patient/*.cruds")
		}, nil},
		{"empty scope", 400, "invalid_scope", true, func(f url.Values, _ *http.Request) {
			f.Set("scope", "")
		}, nil},
		{"another client", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Set("client_id", "another-app")
		}, nil},
		{"confidential client", 400, "invalid_grant", true, func(f url.Values, r *http.Request) {
			f.Del("client_id")
			basic(confidential, secret)(r)
		}, nil},
		{"unknown token", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Set("refresh_token", smarttest.NewVerifier())
		}, nil},
		{"no token", 400, "invalid_request", true, func(f url.Values, _ *http.Request) {
			f.Del("refresh_token")
		}, nil},
		{"repeated token", 400, "invalid_request", true, func(f url.Values, _ *http.Request) {
			f.Add("refresh_token", "x")
		}, nil},
		{"access token as refresh token", 400, "invalid_grant", true, nil, nil},
		{"revoked", 400, "invalid_grant", false, nil, func(t *testing.T, refresh string) {
			if err := s.Revoke(refresh); err != nil {
				t.Fatal(err)
			}
		}},
		{"expired", 400, "invalid_grant", false, nil, func(*testing.T, string) {
			c.Advance(smarttest.DefaultRefreshTokenLifetime)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := launchTokens(t, s)
			refresh := tok["refresh_token"].(string)
			if tc.before != nil {
				tc.before(t, refresh)
			}
			edit := tc.edit
			if tc.name == "access token as refresh token" {
				edit = func(f url.Values, _ *http.Request) {
					f.Set("refresh_token", tok["access_token"].(string))
				}
			}
			ans := send(t, s, "/token", refreshForm(refresh), edit)
			wantOAuthError(t, ans.status, ans.body, tc.status, tc.code)

			status, body := post(t, s, "/token", refreshForm(refresh), nil)
			if works := status == http.StatusOK; works != tc.stillWorks {
				t.Fatalf("refresh after the refusal: %d %v, want working %v",
					status, body["error"], tc.stillWorks)
			}
			if tc.stillWorks && body["scope"] != consentScopes {
				t.Errorf("refresh after the refusal got scope %q, want %q", body["scope"], consentScopes)
			}
		})
	}
}

// TestRefreshRotation checks that a refresh token works once, that its
// replacement works, and that replaying the used one revokes the grant.
func TestRefreshRotation(t *testing.T) {
	s, _ := startServer(t, nil)
	tok := launchTokens(t, s)
	first := tok["refresh_token"].(string)

	status, body := post(t, s, "/token", refreshForm(first), nil)
	if status != http.StatusOK {
		t.Fatalf("first refresh: %d %v", status, body["error"])
	}
	second := body["refresh_token"].(string)
	if second == first {
		t.Fatal("refresh token not rotated")
	}
	if !active(t, s, tok["access_token"].(string)) || !active(t, s, body["access_token"].(string)) {
		t.Fatal("access tokens inactive after a normal refresh")
	}

	status, body = post(t, s, "/token", refreshForm(first), nil)
	wantOAuthError(t, status, body, http.StatusBadRequest, "invalid_grant")
	if active(t, s, second) || active(t, s, tok["access_token"].(string)) {
		t.Error("grant still active after a refresh token was replayed")
	}
	status, body = post(t, s, "/token", refreshForm(second), nil)
	wantOAuthError(t, status, body, http.StatusBadRequest, "invalid_grant")
}

// TestRefreshNarrowing checks that a narrowed refresh does not shrink the
// grant: the next refresh may ask for every approved scope again.
func TestRefreshNarrowing(t *testing.T) {
	s, _ := startServer(t, nil)
	tok := launchTokens(t, s)

	form := refreshForm(tok["refresh_token"].(string))
	form.Set("scope", "patient/Condition.rs patient/Condition.rs")
	status, body := post(t, s, "/token", form, nil)
	if status != http.StatusOK || body["scope"] != "patient/Condition.rs" {
		t.Fatalf("narrowed refresh: %d scope %v", status, body["scope"])
	}
	if body["patient"] != "amy" || body["refresh_token"] == nil {
		t.Errorf("narrowed refresh lost the patient or the refresh token: %v", body["patient"])
	}

	status, body = post(t, s, "/token", refreshForm(body["refresh_token"].(string)), nil)
	if status != http.StatusOK || body["scope"] != consentScopes {
		t.Fatalf("full refresh after narrowing: %d scope %v", status, body["scope"])
	}
}

// TestTokenResponseShape checks what the token response holds depending on
// the scopes approved.
func TestTokenResponseShape(t *testing.T) {
	s, _ := startServer(t, nil)

	cases := []struct {
		name, scope      string
		refresh, idToken bool
		untick           []string
	}{
		{"offline", "launch/patient offline_access patient/*.rs", true, false, nil},
		{"online", "launch/patient online_access patient/*.rs", true, false, nil},
		{"neither", "launch/patient patient/*.rs", false, false, nil},
		{"offline unticked", "offline_access patient/*.rs", false, false, []string{"offline_access"}},
		{"openid", "openid fhirUser patient/*.rs", false, true, nil},
		{"openid unticked", "openid fhirUser patient/*.rs", false, false, []string{"openid"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(publicClient)
			tok := tokens(t, s, a, launch(t, s, a, tc.scope, smarttest.Consent{Untick: tc.untick}))
			if (tok["refresh_token"] != nil) != tc.refresh || (tok["id_token"] != nil) != tc.idToken {
				t.Errorf("refresh_token present %v, id_token present %v; want %v, %v",
					tok["refresh_token"] != nil, tok["id_token"] != nil, tc.refresh, tc.idToken)
			}
			if tok["patient"] != "amy" {
				t.Errorf("patient = %v, want amy", tok["patient"])
			}
		})
	}
}

// TestIDTokenNonce checks that the ID token of the code exchange carries
// the request's nonce, and that the ID token of a refresh does not.
func TestIDTokenNonce(t *testing.T) {
	s, c := startServer(t, nil)
	a := newApp(publicClient)
	q := a.authorizeQuery("openid fhirUser offline_access patient/*.rs")
	q.Set("nonce", "n-0S6_WzA2Mj")
	loc, err := smarttest.Authorize(t.Context(), nil, s.Issuer()+"/authorize?"+q.Encode(),
		smarttest.Consent{})
	if err != nil {
		t.Fatal(err)
	}
	tok := tokens(t, s, a, loc.Query().Get("code"))
	status, ref := post(t, s, "/token", refreshForm(tok["refresh_token"].(string)), nil)
	if status != http.StatusOK || ref["id_token"] == nil {
		t.Fatalf("refresh: %d, id_token %v", status, ref["id_token"] != nil)
	}

	v := newVerifier(t, s, c)
	for _, tc := range []struct {
		name  string
		resp  map[string]any
		nonce any
	}{{"code exchange", tok, "n-0S6_WzA2Mj"}, {"refresh", ref, nil}} {
		claims := jwt.MapClaims{}
		if _, err := jwtParse(tc.resp["id_token"].(string), v, claims); err != nil {
			t.Fatalf("%s ID token: %v", tc.name, err)
		}
		if claims["nonce"] != tc.nonce || claims["fhirUser"] != "Patient/amy" {
			t.Errorf("%s ID token: nonce %v fhirUser %v, want nonce %v", tc.name, claims["nonce"],
				claims["fhirUser"], tc.nonce)
		}
	}
}
