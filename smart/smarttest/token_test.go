package smarttest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// TestCodeExchangeRefused covers the rules of the authorization_code grant.
func TestCodeExchangeRefused(t *testing.T) {
	s, c := startServer(t, nil)

	// used says whether the failed attempt named the code and so used it
	// up; an attempt that never got as far leaves it for the app.
	cases := []struct {
		name   string
		status int
		code   string
		used   bool
		edit   func(form url.Values, req *http.Request)
		before func()
	}{
		{"wrong verifier", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Set("code_verifier", smarttest.NewVerifier())
		}, nil},
		{"no verifier", 400, "invalid_request", true, func(f url.Values, _ *http.Request) {
			f.Del("code_verifier")
		}, nil},
		{"short verifier", 400, "invalid_request", true, func(f url.Values, _ *http.Request) {
			f.Set("code_verifier", "too-short")
		}, nil},
		{"challenge as verifier", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Set("code_verifier", smarttest.S256(f.Get("code_verifier")))
		}, nil},
		{"another client", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Set("client_id", "another-app")
		}, nil},
		{"another redirect_uri", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Set("redirect_uri", "http://127.0.0.1:9999/other")
		}, nil},
		{"no redirect_uri", 400, "invalid_grant", true, func(f url.Values, _ *http.Request) {
			f.Del("redirect_uri")
		}, nil},
		{"unknown code", 400, "invalid_grant", false, func(f url.Values, _ *http.Request) {
			f.Set("code", smarttest.NewVerifier())
		}, nil},
		{"no code", 400, "invalid_request", false, func(f url.Values, _ *http.Request) {
			f.Del("code")
		}, nil},
		{"expired code", 400, "invalid_grant", true, func(url.Values, *http.Request) {}, func() {
			c.Advance(smarttest.CodeLifetime)
		}},
		{"repeated code", 400, "invalid_request", false, func(f url.Values, _ *http.Request) {
			f.Add("code", "x")
		}, nil},
		{"repeated verifier", 400, "invalid_request", false, func(f url.Values, _ *http.Request) {
			f.Add("code_verifier", smarttest.NewVerifier())
		}, nil},
		{"no client_id", 400, "invalid_request", false, func(f url.Values, _ *http.Request) {
			f.Del("client_id")
		}, nil},
		{"no grant_type", 400, "invalid_request", false, func(f url.Values, _ *http.Request) {
			f.Del("grant_type")
		}, nil},
		{"password grant", 400, "unsupported_grant_type", false, func(f url.Values, _ *http.Request) {
			f.Set("grant_type", "password")
		}, nil},
		{"public client with a secret", 401, "invalid_client", false, func(f url.Values,
			_ *http.Request) {
			f.Set("client_secret", "guess")
		}, nil},
		{"bearer instead of credentials", 401, "invalid_client", false, func(_ url.Values,
			r *http.Request) {
			r.Header.Set("Authorization", "Bearer abc")
		}, nil},
		{"JSON body", 400, "invalid_request", false, func(_ url.Values, r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(publicClient)
			code := launch(t, s, a, consentScopes, smarttest.Consent{})
			if tc.before != nil {
				tc.before()
			}
			ans := send(t, s, "/token", a.exchange(code), tc.edit)
			wantOAuthError(t, ans.status, ans.body, tc.status, tc.code)
			if w := ans.header.Get("WWW-Authenticate"); tc.status == 401 && !strings.HasPrefix(w, "Basic") {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge", w)
			}
			if ans.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", ans.header.Get("Cache-Control"))
			}

			// A failed attempt that named the code used it up, so that an
			// attacker holding it has one guess; a new launch still works.
			// Any other failure leaves the code to the app.
			status, body := post(t, s, "/token", a.exchange(code), nil)
			if tc.used {
				wantOAuthError(t, status, body, 400, "invalid_grant")
				honestLaunchStillWorks(t, s)
			} else if status != http.StatusOK {
				t.Errorf("honest redemption after the failure: %d %v", status, body["error"])
			}
		})
	}
}

// TestCodeReuseRevokes checks that redeeming a code twice fails and
// revokes the tokens the first redemption issued (RFC 6749 section
// 4.1.2).
func TestCodeReuseRevokes(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)
	code := launch(t, s, a, consentScopes, smarttest.Consent{})
	tok := tokens(t, s, a, code)
	if !active(t, s, tok["access_token"].(string)) {
		t.Fatal("fresh access token inactive")
	}

	status, body := post(t, s, "/token", a.exchange(code), nil)
	wantOAuthError(t, status, body, 400, "invalid_grant")
	if active(t, s, tok["access_token"].(string)) || active(t, s, tok["refresh_token"].(string)) {
		t.Error("tokens of a reused code still active")
	}
}

// TestConfidentialClient checks client authentication at the token
// endpoint, refused and accepted.
func TestConfidentialClient(t *testing.T) {
	s, _ := startServer(t, nil)

	cases := []struct {
		name   string
		status int
		edit   func(form url.Values, r *http.Request)
	}{
		{"basic", 200, func(f url.Values, r *http.Request) {
			f.Del("client_id")
			basic(confidential, secret)(r)
		}},
		{"basic with the same client_id in the form", 200, func(_ url.Values, r *http.Request) {
			basic(confidential, secret)(r)
		}},
		{"post", 200, func(f url.Values, _ *http.Request) { f.Set("client_secret", secret) }},
		{"wrong secret by basic", 401, func(_ url.Values, r *http.Request) {
			basic(confidential, "wrong")(r)
		}},
		{"wrong secret by post", 401, func(f url.Values, _ *http.Request) {
			f.Set("client_secret", "wrong")
		}},
		{"secret prefix", 401, func(f url.Values, _ *http.Request) {
			f.Set("client_secret", secret[:5])
		}},
		{"no secret", 401, func(url.Values, *http.Request) {}},
		{"malformed basic", 401, func(_ url.Values, r *http.Request) {
			r.Header.Set("Authorization", "Basic !!!")
		}},
		{"basic and post", 400, func(f url.Values, r *http.Request) {
			basic(confidential, secret)(r)
			f.Set("client_secret", secret)
		}},
		{"basic user differs from client_id", 400, func(f url.Values, r *http.Request) {
			basic(resourceSrv, resourceKey)(r)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(confidential)
			a.redirect = registeredURI
			code := launch(t, s, a, consentScopes, smarttest.Consent{})
			ans := send(t, s, "/token", a.exchange(code), tc.edit)
			status, body := ans.status, ans.body
			if tc.status == 200 {
				if status != 200 || body["access_token"] == nil {
					t.Fatalf("answer %d %v, want tokens", status, body)
				}
				return
			}
			code2 := map[int]string{400: "invalid_request", 401: "invalid_client"}[tc.status]
			wantOAuthError(t, status, body, tc.status, code2)
		})
	}
}
