package smarttest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// TestAuthorizeRefusedOnPage covers requests whose client or redirect URI
// cannot be trusted: the error is shown on a page, never redirected.
func TestAuthorizeRefusedOnPage(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)

	cases := []struct {
		name string
		edit func(q url.Values)
	}{
		{"no client_id", func(q url.Values) { q.Del("client_id") }},
		{"repeated client_id", func(q url.Values) { q.Add("client_id", "other") }},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }},
		{"repeated redirect_uri", func(q url.Values) { q.Add("redirect_uri", "http://127.0.0.1:1/x") }},
		{"non-loopback redirect", func(q url.Values) {
			q.Set("redirect_uri", "https://evil.example/cb")
		}},
		{"loopback-looking host", func(q url.Values) {
			q.Set("redirect_uri", "http://127.0.0.1.evil.example/cb")
		}},
		{"localhost subdomain", func(q url.Values) {
			q.Set("redirect_uri", "http://localhost.evil.example/cb")
		}},
		{"user info", func(q url.Values) { q.Set("redirect_uri", "http://evil.example@127.0.0.1/cb") }},
		{"fragment", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:9999/cb#frag") }},
		{"relative redirect", func(q url.Values) { q.Set("redirect_uri", "/callback") }},
		{"javascript redirect", func(q url.Values) { q.Set("redirect_uri", "javascript:alert(1)") }},
		{"registered URI of another client", func(q url.Values) {
			q.Set("redirect_uri", registeredURI)
		}},
		{"registered URI with a suffix", func(q url.Values) {
			q.Set("client_id", confidential)
			q.Set("redirect_uri", registeredURI+"/../evil")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := a.authorizeQuery(launchScopes)
			tc.edit(q)
			resp := get(t, noRedirects(), s.Issuer()+"/authorize?"+q.Encode())
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("answer %d Location %q, want a 400 page",
					resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(string(body), `id="message"`) || strings.Contains(string(body), "<form") {
				t.Errorf("error page = %s", body)
			}
		})
	}
}

// TestAuthorizeRefusedByRedirect covers requests from a trusted client and
// redirect URI that break another rule: the error goes back to the app.
func TestAuthorizeRefusedByRedirect(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)

	cases := []struct {
		name, code string
		keepState  bool
		edit       func(q url.Values)
	}{
		{"aud mismatch", "invalid_request", true, func(q url.Values) {
			q.Set("aud", "http://other.test/fhir")
		}},
		{"aud prefix of base", "invalid_request", true, func(q url.Values) {
			q.Set("aud", "http://fhir.test")
		}},
		{"no aud", "invalid_request", true, func(q url.Values) { q.Del("aud") }},
		{"repeated aud", "invalid_request", true, func(q url.Values) {
			q.Add("aud", "http://other.test/fhir")
		}},
		{"no challenge", "invalid_request", true, func(q url.Values) { q.Del("code_challenge") }},
		{"no challenge method", "invalid_request", true, func(q url.Values) {
			q.Del("code_challenge_method")
		}},
		{"plain", "invalid_request", true, func(q url.Values) {
			q.Set("code_challenge_method", "plain")
			q.Set("code_challenge", a.verifier)
		}},
		{"short challenge", "invalid_request", true, func(q url.Values) {
			q.Set("code_challenge", "abc")
		}},
		{"challenge not base64url", "invalid_request", true, func(q url.Values) {
			q.Set("code_challenge", strings.Repeat("+", 43))
		}},
		{"repeated challenge", "invalid_request", true, func(q url.Values) {
			q.Add("code_challenge", smarttest.S256("attacker-verifier-attacker-verifier-attacker"))
		}},
		{"no response_type", "invalid_request", true, func(q url.Values) { q.Del("response_type") }},
		{"implicit flow", "unsupported_response_type", true, func(q url.Values) {
			q.Set("response_type", "token")
		}},
		{"no state", "invalid_request", false, func(q url.Values) { q.Del("state") }},
		{"repeated state", "invalid_request", false, func(q url.Values) { q.Add("state", "other") }},
		{"repeated scope", "invalid_request", true, func(q url.Values) {
			q.Add("scope", "patient/*.cruds")
		}},
		{"no scope", "invalid_scope", true, func(q url.Values) { q.Del("scope") }},
		{"user scope", "invalid_scope", true, func(q url.Values) {
			q.Set("scope", "user/Observation.rs")
		}},
		{"system scope", "invalid_scope", true, func(q url.Values) {
			q.Set("scope", "launch/patient system/*.rs")
		}},
		{"malformed scope", "invalid_scope", true, func(q url.Values) {
			q.Set("scope", "patient/observation.rs")
		}},
		{"scope with a quote", "invalid_scope", true, func(q url.Values) {
			q.Set("scope", `patient/"x`)
		}},
		{"EHR launch", "invalid_request", true, func(q url.Values) { q.Set("launch", "xyz") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := a.authorizeQuery(launchScopes)
			tc.edit(q)
			resp := get(t, noRedirects(), s.Issuer()+"/authorize?"+q.Encode())
			resp.Body.Close()
			loc, err := resp.Location()
			if resp.StatusCode != http.StatusSeeOther || err != nil {
				t.Fatalf("answer %d, want a 303 redirect", resp.StatusCode)
			}
			if got := loc.Scheme + "://" + loc.Host + loc.Path; got != a.redirect {
				t.Fatalf("redirected to %s, want the app's redirect URI", got)
			}
			got := loc.Query()
			if got.Get("error") != tc.code || got.Get("error_description") == "" || got.Has("code") {
				t.Errorf("redirect query = %v, want error %s", got, tc.code)
			}
			if tc.keepState != (got.Get("state") == a.state) {
				t.Errorf("state = %q (keep the request's state: %v)", got.Get("state"), tc.keepState)
			}
		})
	}
}

// TestAuthorizeAccepted checks the variations of a valid request that must
// reach the consent page: they are not to be blocked.
func TestAuthorizeAccepted(t *testing.T) {
	s, _ := startServer(t, nil)

	cases := []struct {
		name     string
		clientID string
		edit     func(q url.Values)
	}{
		{"as built", publicClient, func(url.Values) {}},
		{"aud with trailing slash", publicClient, func(q url.Values) { q.Set("aud", fhirBase+"/") }},
		{"localhost redirect", publicClient, func(q url.Values) {
			q.Set("redirect_uri", "http://localhost:3000/cb")
		}},
		{"IPv6 loopback redirect", publicClient, func(q url.Values) {
			q.Set("redirect_uri", "http://[::1]:3000/cb")
		}},
		{"loopback redirect with query", publicClient, func(q url.Values) {
			q.Set("redirect_uri", "http://127.0.0.1:4000/cb?app=1")
		}},
		{"registered redirect", confidential, func(q url.Values) {
			q.Set("redirect_uri", registeredURI)
		}},
		{"v1 and granular scopes", publicClient, func(q url.Values) {
			q.Set("scope", "patient/*.read patient/Observation.rs?category=http://terminology.hl7.org/"+
				"CodeSystem/observation-category|laboratory online_access")
		}},
		{"nonce", publicClient, func(q url.Values) { q.Set("nonce", "n-0S6_WzA2Mj") }},
		{"unknown scope kept", publicClient, func(q url.Values) {
			q.Set("scope", "launch/patient profile")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := newApp(tc.clientID).authorizeQuery(launchScopes)
			tc.edit(q)
			resp := get(t, noRedirects(), s.Issuer()+"/authorize?"+q.Encode())
			form := readForm(t, resp)
			if got := form.checked("checkbox", "scope"); !sameSet(got, strings.Fields(q.Get("scope"))) {
				t.Errorf("ticked scopes = %v, want %v", got, q.Get("scope"))
			}
			if h := resp.Header.Get("X-Frame-Options"); h != "DENY" {
				t.Errorf("X-Frame-Options = %q, want DENY", h)
			}
		})
	}
}

// TestConsentPageEscapes checks that request values shown on the page are
// escaped.
func TestConsentPageEscapes(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(`<script>alert(1)</script>`)
	resp := get(t, noRedirects(), a.authorizeURL(s, "launch/patient patient/*.rs"))
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "<script>") {
		t.Fatalf("answer %d, page holds the client_id unescaped:\n%s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

// get sends a GET with client.
func get(t *testing.T, client *http.Client, target string) *http.Response {
	t.Helper()
	resp, err := client.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
