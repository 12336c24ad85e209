package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/examples/server/internal/demo"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

func TestDiscoveryPassesInfernoChecks(t *testing.T) {
	srv := sharedServer(t)
	for _, accept := range []string{"", "application/json", "text/html", "application/fhir+xml"} {
		req, _ := http.NewRequest(http.MethodGet, srv.FHIRBase+"/.well-known/smart-configuration", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var conf map[string]any
		err = json.NewDecoder(resp.Body).Decode(&conf)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("Accept %q: %d %s, %v", accept, resp.StatusCode, resp.Header.Get("Content-Type"), err)
		}
		for _, field := range []string{"authorization_endpoint", "token_endpoint",
			"capabilities", "code_challenge_methods_supported", "grant_types_supported",
			"issuer", "jwks_uri"} {
			if conf[field] == nil {
				t.Errorf("%s missing", field)
			}
		}
		methods, _ := conf["code_challenge_methods_supported"].([]any)
		if len(methods) != 1 || methods[0] != "S256" {
			t.Errorf("code_challenge_methods_supported %v: S256 listed and plain absent", methods)
		}
		if !strings.HasPrefix(conf["token_endpoint"].(string), srv.origin+"/auth/") {
			t.Errorf("token_endpoint %v is not absolute below /auth", conf["token_endpoint"])
		}
	}
	meta := srv.get(t, "metadata", "")
	if meta.status != http.StatusOK || !strings.Contains(string(meta.body), "SMART-on-FHIR") ||
		!strings.Contains(string(meta.body), srv.origin+"/auth/token") {
		t.Errorf("metadata without a token: %d, or no SMART security element", meta.status)
	}
}

// TestPatientAppWorkloadIsNotThrottled runs a launch followed by 30 US
// Core searches and their next pages, as fast as the test can send them,
// which is faster than any app would: none may be limited.
func TestPatientAppWorkloadIsNotThrottled(t *testing.T) {
	srv := start(t, demo.Config{})
	tok := newApp(t, srv).launch(launchScopes, smarttest.Consent{Patient: "p4"})
	searches := []string{"Patient?_id=p4", "Observation?patient=p4&category=vital-signs",
		"Observation?patient=p4&category=laboratory", "Observation?patient=p4&code=8867-4",
		"Observation?patient=p4&category=vital-signs&date=ge2024-01-01",
		"Observation?patient=p4&category=social-history", "Observation?patient=p4&category=survey",
		"Encounter?patient=p4", "Encounter?patient=p4&date=ge2024-01-01",
		"MedicationRequest?patient=p4&intent=order",
		"MedicationRequest?patient=p4&intent=order&status=active",
		"Provenance?patient=p4", "Observation?patient=p4&category=exam"}
	requests := 0
	for i := 0; requests < 30+30; i++ {
		path := searches[i%len(searches)] + "&_count=5"
		for pages := 0; path != "" && pages < 2; pages++ {
			r := srv.get(t, path, tok.AccessToken)
			requests++
			if r.status != http.StatusOK {
				t.Fatalf("request %d (%s): %d %.200s", requests, path, r.status, r.body)
			}
			path = r.bundle(t).next()
		}
	}
	j := srv.Justification()
	if j.Limit.Rate < 1 || j.Limit.Burst < 120 {
		t.Errorf("measured limit %v per second, burst %d: too low for the demo", j.Limit.Rate, j.Limit.Burst)
	}
}

func TestThrottleAnswers429WithJustification(t *testing.T) {
	srv := start(t, demo.Config{Patients: 1, Limit: &demo.Limit{Rate: 1, Burst: 30}})
	tok, err := srv.AuthServer().Mint(smarttest.MintRequest{Patient: "p1",
		Scopes: []string{"patient/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	var limited *fhirResponse
	for i := 0; i < 40 && limited == nil; i++ {
		if r := srv.get(t, "Patient/p1", tok); r.status == http.StatusTooManyRequests {
			limited = &r
		}
	}
	if limited == nil {
		t.Fatal("40 requests at once with a burst of 30 were never limited")
	}
	if limited.header.Get("Retry-After") == "" || !strings.Contains(string(limited.body), "throttled") ||
		!strings.Contains(string(limited.body), "demo-sqlite-connection") {
		t.Errorf("429 without Retry-After or justification: %v %s", limited.header, limited.body)
	}
}

func TestShellExampleWorksAsPrinted(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI: %v", tool, err)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	srv := sharedServer(t)
	banner := srv.Banner()
	for _, want := range []string{srv.FHIRBase, srv.LaunchURL, srv.ShellExample()} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q", want)
		}
	}
	out, err := exec.Command("bash", "-c", srv.ShellExample()).Output()
	if err != nil {
		t.Fatalf("the shell example failed: %v\n%s", err, out)
	}
	var b searchset
	if err := json.Unmarshal(out, &b); err != nil || len(b.Entry) != 2 ||
		!strings.Contains(string(b.Entry[0].Resource), `"Patient/p1"`) {
		t.Errorf("the shell example printed %.300s", out)
	}
}

func TestDemoAppShowsAToken(t *testing.T) {
	srv := sharedServer(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := noRedirect.Get(srv.LaunchURL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	authorize := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(authorize, srv.origin+"/auth/authorize?") {
		t.Fatalf("launch: %d %q", resp.StatusCode, authorize)
	}
	callback, err := smarttest.Authorize(context.Background(), nil, authorize,
		smarttest.Consent{Patient: "p5", Untick: []string{"patient/Observation.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := http.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	_ = page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), "Patient: <code>p5</code>") ||
		strings.Contains(string(body), "<code>patient/Observation.rs</code>") {
		t.Fatalf("callback page: %d %.500s", page.StatusCode, body)
	}
	again, _ := http.Get(callback.String())
	if again.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback: %d, want 400", again.StatusCode)
	}
	_ = again.Body.Close()
}

func TestIndexPage(t *testing.T) {
	srv := sharedServer(t)
	resp, err := http.Get(srv.origin + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), srv.LaunchURL) {
		t.Errorf("index: %d %.300s", resp.StatusCode, body)
	}
	if r, _ := http.Get(srv.origin + "/nothing"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/nothing: %d", r.StatusCode)
	}
}

func TestCORSPreflight(t *testing.T) {
	srv := sharedServer(t)
	req, _ := http.NewRequest(http.MethodOptions, srv.FHIRBase+"/Patient/p1", nil)
	req.Header.Set("Origin", "http://app.test")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}
