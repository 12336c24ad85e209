package demo_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fhirguard/fhirguard/examples/server/internal/demo"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// secret is the HS256 secret of the external authorization server the
// test plays.
var secret = []byte("an external server's shared secret, 32+ bytes long")

// hs256 mints a token as an HS256 authorization server such as
// smart-launcher does, with the patient in context.patient.
func hs256(t *testing.T, aud, patient string, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "https://launcher.test", "aud": aud, "exp": exp.Unix(), "sub": "u1",
		"client_id": "ext-app", "scope": "launch/patient patient/*.rs",
		"context": map[string]any{"patient": patient},
	}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestExternalAuthorizationServer(t *testing.T) {
	srv := start(t, demo.Config{Patients: 2, External: &demo.ExternalAuth{
		Issuer: "https://launcher.test", AuthorizeURL: "https://launcher.test/auth",
		TokenURL: "https://launcher.test/token", HMACSecret: secret,
		PatientClaim: "context.patient"}})
	if srv.AuthServer() != nil || srv.LaunchURL != "" {
		t.Error("the embedded authorization server runs beside an external one")
	}
	good := hs256(t, srv.FHIRBase, "p2", time.Now().Add(time.Hour))
	if r := srv.get(t, "Patient/p2", good); r.status != http.StatusOK {
		t.Errorf("external token: %d %.200s", r.status, r.body)
	}
	if r := srv.get(t, "Patient/p1", good); r.status != http.StatusNotFound {
		t.Errorf("external token, other patient: %d, want 404", r.status)
	}
	for name, tok := range map[string]string{
		"expired":        hs256(t, srv.FHIRBase, "p2", time.Now().Add(-time.Hour)),
		"other audience": hs256(t, "https://elsewhere.test/fhir", "p2", time.Now().Add(time.Hour)),
	} {
		if r := srv.get(t, "Patient/p2", tok); r.status != http.StatusUnauthorized {
			t.Errorf("%s token: %d, want 401", name, r.status)
		}
	}
	conf := srv.get(t, ".well-known/smart-configuration", "")
	if !strings.Contains(string(conf.body), `"https://launcher.test/token"`) {
		t.Errorf("discovery %s", conf.body)
	}
	r, err := http.Get(strings.TrimSuffix(srv.FHIRBase, "/fhir") + "/auth/authorize")
	if err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("/auth with an external server: %d", r.StatusCode)
	}
	if !strings.Contains(srv.Banner(), "https://launcher.test") {
		t.Errorf("banner %q", srv.Banner())
	}
}

func TestLoadsBundlesAndNDJSON(t *testing.T) {
	dir := t.TempDir()
	bundle := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
	  "resource":{"resourceType":"Patient","id":"zed","name":[{"family":"Zed","given":["Zoe"]}]}},
	 {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000002",
	  "resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
	   "subject":{"reference":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"}}}]}`
	ndjson := `{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/zed"},"code":{"text":"y"}}
{"resourceType":"Nothing","id":"n1"}

{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/zed"},"code":{"text":"z"}}
`
	for name, data := range map[string]string{"a.json": bundle, "sub/b.ndjson": ndjson,
		"ignored.txt": "not FHIR"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := start(t, demo.Config{DataPath: dir})
	if ps := srv.Patients(); len(ps) != 1 || ps[0].ID != "zed" || ps[0].Name != "Zoe Zed" {
		t.Fatalf("patients %+v", ps)
	}
	tok, err := srv.AuthServer().Mint(smarttest.MintRequest{Patient: "zed",
		Scopes: []string{"patient/*.rs"}})
	if err != nil {
		t.Fatal(err)
	}
	obs, _ := srv.searchAll(t, "Observation?patient=zed", tok)
	conds, _ := srv.searchAll(t, "Condition?patient=zed", tok)
	if len(obs) != 1 || len(conds) != 2 {
		t.Errorf("loaded %v and %v: the urn:uuid reference or the NDJSON lines were lost", obs, conds)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]demo.Config{
		"no origin":         {},
		"origin with path":  {Origin: "http://127.0.0.1:1/x"},
		"negative patients": {Origin: "http://127.0.0.1:1", Patients: -1},
		"missing data":      {Origin: "http://127.0.0.1:1", DataPath: "/nonexistent/data"},
		"external without keys": {Origin: "http://127.0.0.1:1", External: &demo.ExternalAuth{
			Issuer: "https://a.test", AuthorizeURL: "https://a.test/a", TokenURL: "https://a.test/t"}},
		"external without endpoints": {Origin: "http://127.0.0.1:1",
			External: &demo.ExternalAuth{HMACSecret: secret}},
		"short HMAC secret": {Origin: "http://127.0.0.1:1", External: &demo.ExternalAuth{
			Issuer: "https://a.test", AuthorizeURL: "https://a.test/a", TokenURL: "https://a.test/t",
			HMACSecret: []byte("short")}},
	} {
		t.Run(name, func(t *testing.T) {
			if srv, err := demo.New(context.Background(), cfg); err == nil {
				_ = srv.Close()
				t.Error("New succeeded")
			}
		})
	}
}
