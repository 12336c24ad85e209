package smarttest_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// fuzzIssuer is the issuer of the servers that fuzz tests call in process.
const fuzzIssuer = "http://127.0.0.1:8080/auth"

// newHandlerServer builds a server to call through ServeHTTP.
func newHandlerServer(t testing.TB) *smarttest.Server {
	cfg := testConfig(&clock{now: start})
	cfg.Issuer = fuzzIssuer
	s, err := smarttest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzAuthorize sends arbitrary authorization requests. Whatever the
// query, the answer is the consent page only for a request with S256 PKCE
// and the right aud, a redirect only to a loopback or registered URI and
// never with a code, or an error page.
func FuzzAuthorize(f *testing.F) {
	a := newApp(publicClient)
	f.Add(a.authorizeQuery(launchScopes).Encode())
	f.Add(a.authorizeQuery("patient/*.rs").Encode() + "&aud=x")
	f.Add("client_id=a&redirect_uri=http://[::1]:80/&state=s&response_type=code&aud=" +
		url.QueryEscape(fhirBase) + "&code_challenge_method=plain&scope=openid")
	f.Add("client_id=" + confidential + "&redirect_uri=" + url.QueryEscape(registeredURI) +
		"&state=%00&scope=patient/Observation.rs?category=a%7Cb")
	f.Add("redirect_uri=http://127.0.0.1.evil/&client_id=x&redirect_uri=http://127.0.0.1/")
	s := newHandlerServer(f)

	f.Fuzz(func(t *testing.T, query string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, fuzzIssuer+"/authorize", nil)
		req.URL.RawQuery = query
		s.ServeHTTP(rec, req)
		q, _ := url.ParseQuery(query)

		switch rec.Code {
		case http.StatusOK:
			if len(q["code_challenge_method"]) != 1 || q.Get("code_challenge_method") != "S256" ||
				strings.TrimSuffix(q.Get("aud"), "/") != fhirBase || q.Has("launch") {
				t.Fatalf("consent page for %q", query)
			}
			if strings.Contains(rec.Body.String(), "<script") {
				t.Fatalf("page for %q holds a script element", query)
			}
		case http.StatusSeeOther:
			checkFuzzRedirect(t, rec.Header().Get("Location"), query)
		case http.StatusBadRequest:
			if rec.Header().Get("Location") != "" {
				t.Fatalf("error page with a Location for %q", query)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, query)
		}
	})
}

// checkFuzzRedirect checks an error redirect of the authorization endpoint.
func checkFuzzRedirect(t *testing.T, location, query string) {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatalf("Location %q for %q: %v", location, query, err)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	loopback := host == "localhost" ||
		ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
	registered := strings.HasPrefix(location, registeredURI+"?")
	if !loopback && !registered || u.User != nil {
		t.Fatalf("redirect to %q for %q", location, query)
	}
	if r := u.Query(); r.Get("error") == "" || r.Has("code") {
		t.Fatalf("redirect %q for %q: want an error and no code", location, query)
	}
}

// tokenErrors are the error codes the token endpoint may answer.
var tokenErrors = []string{"invalid_request", "invalid_grant", "invalid_scope", "invalid_client",
	"unsupported_grant_type"}

// FuzzTokenRequest sends arbitrary token requests. Every answer is JSON
// that must not be cached, an error is one of RFC 6749 with a description
// in the characters the RFC allows, and a success carries only scopes the
// patient approved.
func FuzzTokenRequest(f *testing.F) {
	a := newApp(publicClient)
	s := newHandlerServer(f)
	code := fuzzLaunch(f, s, a)
	f.Add(a.exchange(code).Encode(), "", "application/x-www-form-urlencoded")
	f.Add(a.exchange(code).Encode()+"&code=x", "", "application/x-www-form-urlencoded")
	f.Add("grant_type=refresh_token&refresh_token=abc&scope=patient/*.cruds", "Basic Zm9vOmJhcg==",
		"application/x-www-form-urlencoded; charset=utf-8")
	f.Add("grant_type=authorization_code&client_id=%ZZ", "Bearer x", "application/json")
	f.Add("client_secret=x&client_id="+confidential, "Basic "+strings.Repeat("=", 5), "text/plain")

	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, fuzzIssuer+"/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		s.ServeHTTP(rec, req)

		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer %d is not a JSON object: %q", rec.Code, rec.Body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("answer %d may be cached", rec.Code)
		}
		switch rec.Code {
		case http.StatusOK:
			scope, _ := out["scope"].(string)
			if !subset(strings.Fields(scope), strings.Fields(launchScopes)) {
				t.Fatalf("scope %q beyond the approval", out["scope"])
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			checkFuzzError(t, rec, out)
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// checkFuzzError checks an RFC 6749 error answer.
func checkFuzzError(t *testing.T, rec *httptest.ResponseRecorder, out map[string]any) {
	t.Helper()
	code, _ := out["error"].(string)
	desc, _ := out["error_description"].(string)
	if !slices.Contains(tokenErrors, code) {
		t.Fatalf("error %q", code)
	}
	if strings.ContainsFunc(desc, func(r rune) bool {
		return r < 0x20 || r > 0x7e || r == '"' || r == '\\'
	}) {
		t.Fatalf("error_description %q has characters RFC 6749 forbids", desc)
	}
	if (rec.Code == http.StatusUnauthorized) != (code == "invalid_client") ||
		code == "invalid_client" && rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("status %d for %s, WWW-Authenticate %q",
			rec.Code, code, rec.Header().Get("WWW-Authenticate"))
	}
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// fuzzLaunch runs a launch in process and returns the code.
func fuzzLaunch(f *testing.F, s *smarttest.Server, a *app) string {
	client := &http.Client{Transport: handlerTransport{s}}
	loc, err := smarttest.Authorize(f.Context(), client,
		fuzzIssuer+"/authorize?"+a.authorizeQuery(launchScopes).Encode(), smarttest.Consent{})
	if err != nil {
		f.Fatal(err)
	}
	return loc.Query().Get("code")
}

// handlerTransport serves requests with a handler, without a network.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
