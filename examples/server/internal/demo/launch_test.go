package demo_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// launchScopes are the scopes the end-to-end app asks for.
var launchScopes = []string{"launch/patient", "openid", "fhirUser", "offline_access",
	"patient/Patient.rs", "patient/Observation.rs", "patient/Condition.rs",
	"patient/MedicationRequest.rs", "patient/Medication.rs", "patient/Provenance.rs",
	"patient/Practitioner.rs", "patient/Organization.rs", "patient/Location.rs",
	"patient/Encounter.rs"}

// TestStandaloneLaunch runs the whole standalone launch of a patient app
// against the demo, as a browser and an app would: the consent page with
// a scope unticked, the code, the token with PKCE, FHIR calls, refresh,
// introspection and revocation. Each step checks the property that would
// break if the library failed at it.
func TestStandaloneLaunch(t *testing.T) {
	srv := sharedServer(t)
	a := newApp(t, srv)
	tok := a.launch(launchScopes, smarttest.Consent{Patient: "p2",
		Untick: []string{"patient/Condition.rs"}})
	if tok.Patient != "p2" || strings.Contains(tok.Scope, "Condition") || tok.RefreshToken == "" {
		t.Fatalf("token response %+v", tok)
	}

	t.Run("unticked scope is not granted", func(t *testing.T) {
		for _, path := range []string{"Condition?patient=p2", "Condition/p2-prob-1"} {
			if r := srv.get(t, path, tok.AccessToken); r.status != http.StatusForbidden {
				t.Errorf("%s: %d, want 403 (the consent page's unticked scope)", path, r.status)
			}
		}
	})
	t.Run("the patient in the token limits the data", func(t *testing.T) {
		checkPatientLimits(t, srv, tok.AccessToken, "p2", "p1")
	})
	t.Run("US Core searches", func(t *testing.T) {
		checkSearches(t, srv, tok.AccessToken, "p2")
	})
	t.Run("refresh", func(t *testing.T) {
		status, fresh := a.token(url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {tok.RefreshToken}, "client_id": {a.clientID}})
		if status != http.StatusOK || fresh.AccessToken == "" {
			t.Fatalf("refresh: %d %+v", status, fresh)
		}
		if r := srv.get(t, "Patient/p2", fresh.AccessToken); r.status != http.StatusOK {
			t.Errorf("refreshed token: %d", r.status)
		}
		if r := srv.get(t, "Condition?patient=p2", fresh.AccessToken); r.status != http.StatusForbidden {
			t.Errorf("refreshed token widened the grant: %d", r.status)
		}
	})
	t.Run("introspection and revocation", func(t *testing.T) {
		checkRevocation(t, srv, a, tok.AccessToken)
	})
}

// checkPatientLimits checks that a token of patient sees its data and
// nothing of other's: 401 without a token, 404 for the other's resources
// by ID, 403 for a search naming the other, and search results that all
// reference the patient.
func checkPatientLimits(t *testing.T, srv *running, token, patient, other string) {
	t.Helper()
	if r := srv.get(t, "Patient/"+patient, ""); r.status != http.StatusUnauthorized ||
		!strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %q, want 401 with a Bearer challenge", r.status,
			r.header.Get("WWW-Authenticate"))
	}
	if r := srv.get(t, "Patient/"+patient, "not-a-token"); r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("forged token: %d %q, want 401 invalid_token", r.status,
			r.header.Get("WWW-Authenticate"))
	}
	for _, path := range []string{"Patient/" + other, "Observation/" + other + "-vs-1",
		"Encounter/" + other + "-enc-1", "Patient/" + other + "/$everything"} {
		if r := srv.get(t, path, token); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
	}
	if r := srv.get(t, "Observation?patient="+other, token); r.status != http.StatusForbidden {
		t.Errorf("search naming %s: %d, want 403", other, r.status)
	}
	for _, typ := range []string{"Observation", "Encounter", "MedicationRequest", "Patient"} {
		matches, _ := srv.searchAll(t, typ+"?_count=20", token)
		if len(matches) == 0 {
			t.Errorf("%s: nothing found", typ)
		}
		for i, ref := range matches {
			if i%8 != 0 && !strings.Contains(ref, "survey") {
				continue // a sample, to stay within the rate limit's burst
			}
			body := srv.get(t, ref, token).body
			if !strings.Contains(string(body), `"Patient/`+patient+`"`) && ref != "Patient/"+patient {
				t.Errorf("%s found %s, which does not reference Patient/%s", typ, ref, patient)
			}
		}
	}
}

// checkSearches checks the acceptance searches: POST _search as GET,
// patient=Patient/X as patient=X, _include, _revinclude, and the
// referenced Practitioner, Organization and Location.
func checkSearches(t *testing.T, srv *running, token, patient string) {
	t.Helper()
	get, _ := srv.searchAll(t, "Observation?patient="+patient+"&category=vital-signs", token)
	typed, _ := srv.searchAll(t, "Observation?patient=Patient/"+patient+"&category=vital-signs", token)
	post := srv.fhir(t, http.MethodPost, "Observation/_search", token,
		"application/x-www-form-urlencoded",
		url.Values{"patient": {patient}, "category": {"vital-signs"}, "_count": {"100"}}.Encode()).
		bundle(t)
	if len(get) != 24 || !slices.Equal(get, typed) || !slices.Equal(get, post.refs(srv.FHIRBase, "match")) {
		t.Errorf("GET %d, patient=Patient/X %d, POST _search %d; want 24 each, equal",
			len(get), len(typed), len(post.Entry))
	}
	_, meds := srv.searchAll(t, "MedicationRequest?patient="+patient+
		"&_include=MedicationRequest:medication", token)
	if !slices.Contains(meds, "Medication/med-metformin") {
		t.Errorf("_include=MedicationRequest:medication included %v", meds)
	}
	_, provs := srv.searchAll(t, "Observation?patient="+patient+
		"&code=8867-4&_revinclude=Provenance:target", token)
	if len(provs) == 0 || !strings.HasPrefix(provs[0], "Provenance/"+patient+"-prov-") {
		t.Errorf("_revinclude=Provenance:target included %v", provs)
	}
	for _, ref := range []string{"Practitioner/pr-park", "Organization/org-riverside",
		"Location/loc-riverside-clinic"} {
		if r := srv.get(t, ref, token); r.status != http.StatusOK {
			t.Errorf("referenced %s: %d, want 200", ref, r.status)
		}
	}
}

// checkRevocation introspects the token, revokes it, and checks that the
// API refuses it at once.
func checkRevocation(t *testing.T, srv *running, a *app, token string) {
	t.Helper()
	active := func() map[string]any {
		resp, err := http.PostForm(srv.origin+"/auth/introspect", url.Values{"token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := active(); m["active"] != true || m["patient"] != "p2" {
		t.Fatalf("introspection before revocation: %v", m)
	}
	resp, err := http.PostForm(srv.origin+"/auth/revoke", url.Values{"token": {token},
		"client_id": {a.clientID}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if m := active(); m["active"] != false {
		t.Errorf("introspection after revocation: %v", m)
	}
	if r := srv.get(t, "Patient/p2", token); r.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", r.status)
	}
}

func TestPKCEIsRequired(t *testing.T) {
	srv := sharedServer(t)
	a := newApp(t, srv)
	verifier := smarttest.NewVerifier()
	code := a.code(launchScopes, verifier, smarttest.Consent{})
	status, tok := a.token(url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {a.redirect}, "client_id": {a.clientID},
		"code_verifier": {smarttest.NewVerifier()}})
	if status != http.StatusBadRequest || tok.Error != "invalid_grant" || tok.AccessToken != "" {
		t.Errorf("a wrong verifier: %d %+v, want 400 invalid_grant", status, tok)
	}
	status, tok = a.token(url.Values{"grant_type": {"authorization_code"},
		"code":         {a.code(launchScopes, verifier, smarttest.Consent{})},
		"redirect_uri": {a.redirect}, "client_id": {a.clientID}})
	if status != http.StatusBadRequest || tok.AccessToken != "" {
		t.Errorf("no verifier: %d %+v, want 400", status, tok)
	}
}

func TestRefreshTokenIsNotAnAccessToken(t *testing.T) {
	srv := sharedServer(t)
	tok := newApp(t, srv).launch(launchScopes, smarttest.Consent{Patient: "p3"})
	if r := srv.get(t, "Patient/p3", tok.RefreshToken); r.status != http.StatusUnauthorized {
		t.Errorf("a refresh token used as an access token: %d, want 401", r.status)
	}
}

func TestScopeOutsideTheTokenIsForbidden(t *testing.T) {
	srv := sharedServer(t)
	tok := newApp(t, srv).launch([]string{"launch/patient", "patient/Observation.rs"},
		smarttest.Consent{Patient: "p1"})
	r := srv.get(t, "MedicationRequest?patient=p1", tok.AccessToken)
	if r.status != http.StatusForbidden ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("a type the token lacks: %d %q, want 403 insufficient_scope", r.status,
			r.header.Get("WWW-Authenticate"))
	}
	if r := srv.get(t, "Observation?patient=p1&_count=1", tok.AccessToken); r.status != http.StatusOK {
		t.Errorf("the type it has: %d", r.status)
	}
}
