package smarttest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// consentScopes is what the apps of the consent tests ask for.
const consentScopes = "launch/patient offline_access patient/Observation.rs patient/Condition.rs"

// openConsent opens the consent page in a new browser and returns the
// form a patient would post to approve everything, and the browser.
func openConsent(t *testing.T, s *smarttest.Server, a *app) (url.Values, *http.Client) {
	t.Helper()
	browser := noRedirects()
	page := readForm(t, get(t, browser, a.authorizeURL(s, consentScopes)))
	form := url.Values{"request": page.values("hidden", "request"), "patient": {"amy"},
		"action": {"approve"}, "scope": page.checked("checkbox", "scope")}
	return form, browser
}

// postConsent posts a consent form with browser.
func postConsent(t *testing.T, s *smarttest.Server, browser *http.Client, form url.Values,
	edit func(*http.Request)) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.Issuer()+"/authorize",
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if edit != nil {
		edit(req)
	}
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestConsentRefused covers forged, replayed and cross-site answers to
// the consent page. Each is refused without a code, and afterwards an
// honest answer to a new page still gets every scope it approves.
func TestConsentRefused(t *testing.T) {
	s, c := startServer(t, nil)

	cases := []struct {
		name   string
		status int
		edit   func(form url.Values)
		req    func(*http.Request)
		other  bool // post from another browser
		before func(t *testing.T, form url.Values, browser *http.Client)
	}{
		{name: "forged scope", status: 400, edit: func(f url.Values) {
			f.Add("scope", "patient/*.cruds")
		}},
		{name: "forged scope list", status: 400, edit: func(f url.Values) {
			f.Add("scope", "patient/Observation.rs patient/*.cruds")
		}},
		{name: "tampered request", status: 400, edit: func(f url.Values) {
			f.Set("request", tamper(f.Get("request")))
		}},
		{name: "no request", status: 400, edit: func(f url.Values) { f.Del("request") }},
		{name: "repeated request", status: 400, edit: func(f url.Values) { f.Add("request", "x") }},
		{name: "unknown patient", status: 400, edit: func(f url.Values) { f.Set("patient", "carol") }},
		{name: "no patient", status: 400, edit: func(f url.Values) { f.Del("patient") }},
		{name: "repeated patient", status: 400, edit: func(f url.Values) { f.Add("patient", "bob") }},
		{name: "unknown action", status: 400, edit: func(f url.Values) { f.Set("action", "maybe") }},
		{name: "other browser", status: 403, other: true},
		{name: "other origin", status: 403, req: func(r *http.Request) {
			r.Header.Set("Origin", "https://evil.example")
		}},
		{name: "JSON body", status: 400, req: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
		}},
		{name: "replayed", status: 400, before: func(t *testing.T, f url.Values, b *http.Client) {
			if resp := postConsent(t, s, b, f, nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first answer: %d", resp.StatusCode)
			}
		}},
		{name: "expired", status: 400, before: func(*testing.T, url.Values, *http.Client) {
			c.Advance(smarttest.ConsentLifetime)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(publicClient)
			form, browser := openConsent(t, s, a)
			if tc.before != nil {
				tc.before(t, form, browser)
			}
			if tc.edit != nil {
				tc.edit(form)
			}
			if tc.other {
				browser = noRedirects()
			}
			resp := postConsent(t, s, browser, form, tc.req)
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != "" {
				t.Fatalf("answer %d Location %q, want %d without redirect",
					resp.StatusCode, resp.Header.Get("Location"), tc.status)
			}
			honestLaunchStillWorks(t, s)
		})
	}
}

// tamper changes the last character of a pending request ID, always to
// another one (setting it to a fixed letter would leave one ID in 64
// unchanged).
func tamper(id string) string {
	last := "A"
	if strings.HasSuffix(id, "A") {
		last = "B"
	}
	return id[:len(id)-1] + last
}

// honestLaunchStillWorks checks that a patient's honest answer still gets
// exactly what it approves.
func honestLaunchStillWorks(t *testing.T, s *smarttest.Server) {
	t.Helper()
	a := newApp(publicClient)
	code := launch(t, s, a, consentScopes, smarttest.Consent{Patient: "bob"})
	if tok := tokens(t, s, a, code); tok["scope"] != consentScopes || tok["patient"] != "bob" {
		t.Errorf("honest launch got %v", tok)
	}
}

// TestConsentDeny checks the Deny button.
func TestConsentDeny(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)
	form, browser := openConsent(t, s, a)
	form.Set("action", "deny")
	loc, err := postConsent(t, s, browser, form, nil).Location()
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if q.Get("error") != "access_denied" || q.Get("state") != a.state || q.Has("code") {
		t.Errorf("redirect = %s, want error=access_denied with the state", loc)
	}
}

// TestConsentIgnoresFormFields checks that fields an attacker adds to the
// consent form cannot change the redirect URI or the challenge.
func TestConsentIgnoresFormFields(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)
	form, browser := openConsent(t, s, a)
	form.Set("redirect_uri", "https://evil.example/cb")
	form.Set("code_challenge", smarttest.S256("attacker-verifier-attacker-verifier-attacker"))
	form.Set("client_id", confidential)
	loc, err := postConsent(t, s, browser, form, nil).Location()
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != a.redirect {
		t.Fatalf("redirected to %s, want %s", got, a.redirect)
	}
	if tok := tokens(t, s, a, loc.Query().Get("code")); tok["scope"] != consentScopes {
		t.Errorf("token = %v", tok)
	}
}

// TestConsentUntickAll checks that a patient may untick every scope: the
// app then gets a token that grants nothing.
func TestConsentUntickAll(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)
	code := launch(t, s, a, consentScopes, smarttest.Consent{Untick: strings.Fields(consentScopes)})
	tok := tokens(t, s, a, code)
	if tok["scope"] != "" || tok["refresh_token"] != nil {
		t.Errorf("token response = %v, want no scope and no refresh token", tok)
	}
}
