package smarttest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestPendingBound checks that the number of open consent requests is
// bounded, and that expired ones make room.
func TestPendingBound(t *testing.T) {
	s := newStore()
	s.maxPending = 2
	pending := func() *pendingRequest { return &pendingRequest{expires: t0.Add(ConsentLifetime)} }

	for i := range 2 {
		if _, ok := s.addPending(pending(), t0); !ok {
			t.Fatalf("request %d refused below the bound", i)
		}
	}
	if _, ok := s.addPending(pending(), t0); ok {
		t.Fatal("request accepted beyond the bound")
	}
	if _, ok := s.addPending(pending(), t0.Add(ConsentLifetime+time.Second)); !ok {
		t.Fatal("request refused although the others expired")
	}
}

// TestSweep checks that expired state is deleted, and live state kept.
func TestSweep(t *testing.T) {
	s := newStore()
	code := s.addCode(&authCode{expires: t0.Add(CodeLifetime)}, t0)
	id := s.addGrant(&grant{clientID: "app"}, code, t0)
	s.addAccess("short", id, t0.Add(time.Hour), t0)
	s.addRefresh("refresh", id, t0.Add(24*time.Hour))
	s.addAccess("minted", "", t0.Add(48*time.Hour), t0)

	s.sweep(t0.Add(2 * time.Hour))
	if len(s.codes) != 0 || s.access["short"] != nil {
		t.Errorf("expired code or access token kept")
	}
	if s.grants[id] == nil || s.refresh["refresh"] == nil || s.access["minted"] == nil {
		t.Fatalf("live grant, refresh or access token swept")
	}

	s.sweep(t0.Add(25 * time.Hour))
	if s.grants[id] != nil || s.refresh["refresh"] != nil || s.access["minted"] == nil {
		t.Errorf("grant %v refresh %v minted %v after 25 hours", s.grants[id], s.refresh["refresh"],
			s.access["minted"])
	}
}

// TestSweepRateLimited checks that sweeps run at most once a minute.
func TestSweepRateLimited(t *testing.T) {
	s := newStore()
	s.sweep(t0)
	s.addAccess("a", "", t0.Add(time.Second), t0)
	s.sweep(t0.Add(30 * time.Second))
	if s.access["a"] == nil {
		t.Fatal("swept twice within a minute")
	}
	s.sweep(t0.Add(61 * time.Second))
	if s.access["a"] != nil {
		t.Fatal("not swept after a minute")
	}
}

// TestAuthorizeWhenFull checks the answer when too many consent pages are
// open: an error redirect the app can act on.
func TestAuthorizeWhenFull(t *testing.T) {
	s, err := New(Config{Issuer: "http://127.0.0.1:8080/auth", FHIRBaseURL: "http://fhir.test/fhir",
		Patients: []Patient{{ID: "amy"}}, RSAKey: testRSAKey(t), Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	s.store.maxPending = 1
	q := url.Values{"response_type": {"code"}, "client_id": {"app"}, "state": {"s1"},
		"redirect_uri": {"http://127.0.0.1:1/cb"}, "scope": {"patient/*.rs"},
		"aud": {"http://fhir.test/fhir"}, "code_challenge_method": {"S256"},
		"code_challenge": {S256(NewVerifier())}}

	for i, want := range []int{http.StatusOK, http.StatusSeeOther} {
		rec := httptest.NewRecorder()
		target := "http://127.0.0.1:8080/auth/authorize?" + q.Encode()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != want {
			t.Fatalf("request %d: %d, want %d", i, rec.Code, want)
		}
		loc := rec.Header().Get("Location")
		if i == 1 && !strings.Contains(loc, "error=temporarily_unavailable") {
			t.Errorf("Location = %q, want error=temporarily_unavailable", loc)
		}
	}
}

// testRSAKey loads the RSA key under testdata.
func testRSAKey(t *testing.T) *rsa.PrivateKey {
	b, err := os.ReadFile("testdata/rsa.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}
