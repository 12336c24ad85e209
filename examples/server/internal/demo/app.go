package demo

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// appScopes are the scopes the demo app asks for: every patient-facing
// US Core type by resource scope, and a granular laboratory scope, so
// that unticking patient/Observation.rs on the consent page leaves the
// laboratory results alone.
var appScopes = []string{"launch/patient", "openid", "fhirUser", "offline_access",
	"patient/Patient.rs", "patient/Observation.rs",
	"patient/Observation.rs?category=" +
		"http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
	"patient/Condition.rs", "patient/AllergyIntolerance.rs", "patient/MedicationRequest.rs",
	"patient/Medication.rs", "patient/Immunization.rs", "patient/Procedure.rs",
	"patient/DiagnosticReport.rs", "patient/DocumentReference.rs", "patient/Encounter.rs",
	"patient/Practitioner.rs", "patient/Organization.rs", "patient/Location.rs",
	"patient/Provenance.rs"}

// pendingLifetime bounds how long a launch may wait for its callback.
const pendingLifetime = 10 * time.Minute

// maxPending bounds the launches waiting for their callback.
const maxPending = 1000

// app is the demo's own SMART app: it launches against the embedded
// authorization server with PKCE, redeems the code, and shows the
// token, so that a person can call the API with it.
type app struct {
	origin string
	token  *http.Client // reaches the token endpoint in process
	now    func() time.Time

	mu      sync.Mutex
	pending map[string]launch // by state
}

// launch is a launch waiting for its callback.
type launch struct {
	verifier string
	expires  time.Time
}

// start serves /app/launch: it redirects the browser to the authorization
// endpoint with a new state and PKCE challenge.
func (a *app) start(w http.ResponseWriter, r *http.Request) {
	state, verifier := randomHex(16), randomHex(32)
	a.mu.Lock()
	now := a.now()
	for s, l := range a.pending {
		if now.After(l.expires) {
			delete(a.pending, s)
		}
	}
	if len(a.pending) >= maxPending {
		a.mu.Unlock()
		http.Error(w, "too many launches in progress; try again later",
			http.StatusServiceUnavailable)
		return
	}
	a.pending[state] = launch{verifier: verifier, expires: now.Add(pendingLifetime)}
	a.mu.Unlock()
	http.Redirect(w, r, a.origin+"/auth/authorize?"+url.Values{
		"response_type": {"code"}, "client_id": {appClientID},
		"redirect_uri": {a.origin + "/app/callback"}, "scope": {strings.Join(appScopes, " ")},
		"state": {state}, "aud": {a.origin + "/fhir"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
	}.Encode(), http.StatusFound)
}

// callback serves /app/callback: it redeems the code and shows the token.
func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.mu.Lock()
	l, ok := a.pending[q.Get("state")]
	delete(a.pending, q.Get("state"))
	a.mu.Unlock()
	switch {
	case !ok || a.now().After(l.expires):
		http.Error(w, "unknown or expired launch: start again at /app/launch",
			http.StatusBadRequest)
		return
	case q.Get("error") != "":
		http.Error(w, "the authorization server answered: "+q.Get("error"), http.StatusForbidden)
		return
	}
	tok, err := a.redeem(r, q.Get("code"), l.verifier)
	if err != nil {
		http.Error(w, "redeeming the code failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = tokenPage.Execute(w, struct {
		Token  tokenResponse
		Scopes []string
		Base   string
	}{tok, strings.Fields(tok.Scope), a.origin + "/fhir"})
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	Patient      string `json:"patient"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
}

// redeem exchanges the code for tokens at the token endpoint.
func (a *app) redeem(r *http.Request, code, verifier string) (tokenResponse, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {a.origin + "/app/callback"}, "client_id": {appClientID},
		"code_verifier": {verifier}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, a.origin+"/auth/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.token.Do(req)
	if err != nil {
		return tokenResponse{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	var tok tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return tokenResponse{}, err
	}
	if tok.Error != "" || tok.AccessToken == "" {
		return tokenResponse{}, &tokenError{tok.Error}
	}
	return tok, nil
}

// tokenError is an OAuth error from the token endpoint.
type tokenError struct{ code string }

func (e *tokenError) Error() string { return "token endpoint error " + e.code }

// challenge returns the PKCE S256 challenge of a verifier.
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tokenPage shows the tokens the demo app obtained.
var tokenPage = template.Must(template.New("token").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>fhirguard demo: your token</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
textarea{width:100%;height:7rem;font-family:monospace}code,pre{background:#f4f4f4}
pre{padding:.5rem;white-space:pre-wrap;word-break:break-all}</style></head><body>
<h1>The app has a token</h1>
<p>Patient: <code>{{.Token.Patient}}</code>. It expires in {{.Token.ExpiresIn}} seconds
{{- if .Token.RefreshToken}}; a refresh token was issued too{{end}}.</p>
<p>Scopes granted:</p><ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
<p>Access token:</p><textarea readonly>{{.Token.AccessToken}}</textarea>
<p>Call the API with it:</p>
<pre>TOKEN='{{.Token.AccessToken}}'
curl -H "Authorization: Bearer $TOKEN" {{.Base}}/Patient/{{.Token.Patient}}
curl -H "Authorization: Bearer $TOKEN" \
  '{{.Base}}/Observation?patient={{.Token.Patient}}&amp;category=vital-signs&amp;_count=5'
curl -H "Authorization: Bearer $TOKEN" {{.Base}}/Patient/{{.Token.Patient}}/\$everything</pre>
<p>Untick scopes on the consent page and launch again to see what the API then withholds:
<a href="/app/launch">launch again</a>.</p>
</body></html>
`))
