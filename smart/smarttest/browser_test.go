package smarttest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// TestAuthorizeHelper checks the browser that Authorize plays.
func TestAuthorizeHelper(t *testing.T) {
	s, _ := startServer(t, nil)
	a := newApp(publicClient)
	const scope = "launch/patient patient/*.rs"

	t.Run("deny", func(t *testing.T) {
		loc, err := smarttest.Authorize(t.Context(), nil, a.authorizeURL(s, scope),
			smarttest.Consent{Deny: true})
		if err != nil || loc.Query().Get("error") != "access_denied" {
			t.Errorf("Authorize = %v, %v; want access_denied", loc, err)
		}
	})
	t.Run("client without a jar", func(t *testing.T) {
		loc, err := smarttest.Authorize(t.Context(), &http.Client{}, a.authorizeURL(s, scope),
			smarttest.Consent{Patient: "bob"})
		if err != nil || loc.Query().Get("code") == "" {
			t.Errorf("Authorize = %v, %v; want a code", loc, err)
		}
	})
	t.Run("error redirect", func(t *testing.T) {
		loc, err := smarttest.Authorize(t.Context(), nil, a.authorizeURL(s, "user/*.rs"),
			smarttest.Consent{})
		if err != nil || loc.Query().Get("error") != "invalid_scope" {
			t.Errorf("Authorize = %v, %v; want invalid_scope", loc, err)
		}
	})
	t.Run("error page", func(t *testing.T) {
		bad := strings.Replace(a.authorizeURL(s, scope), "127.0.0.1%3A9999", "evil.example", 1)
		_, err := smarttest.Authorize(t.Context(), nil, bad, smarttest.Consent{})
		if !errors.Is(err, smarttest.ErrConsentPage) || !strings.Contains(err.Error(), "redirect_uri") {
			t.Errorf("Authorize = %v, want ErrConsentPage with the page's message", err)
		}
	})
	t.Run("patient not offered", func(t *testing.T) {
		_, err := smarttest.Authorize(t.Context(), nil, a.authorizeURL(s, scope),
			smarttest.Consent{Patient: "carol"})
		if !errors.Is(err, smarttest.ErrConsentPage) {
			t.Errorf("Authorize = %v, want ErrConsentPage", err)
		}
	})
	t.Run("untick a scope not asked", func(t *testing.T) {
		_, err := smarttest.Authorize(t.Context(), nil, a.authorizeURL(s, scope),
			smarttest.Consent{Untick: []string{"patient/Observation.rs"}})
		if !errors.Is(err, smarttest.ErrConsentPage) {
			t.Errorf("Authorize = %v, want ErrConsentPage", err)
		}
	})
}
