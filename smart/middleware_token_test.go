package smart

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBearerToken checks that taking the token from untrusted headers and
// queries never panics, that a token is returned only from a single
// Bearer header and never alongside an access_token parameter, and that it
// is exactly the header's credential.
func FuzzBearerToken(f *testing.F) {
	f.Add("Bearer abc.def-ghi_jkl~m+n/o==", "", "")
	f.Add("bearer x", "access_token=x", "")
	f.Add("Basic dXNlcjpwYXNz", "", "")
	f.Add("Bearer a b", "a=1&%61ccess_token=2", "access_token=y")
	f.Add("Bearer ==", "", "")
	f.Add("BEARER\tx", "", "")
	f.Fuzz(func(t *testing.T, header, query, form string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = query
		r.Header["Authorization"] = []string{header}
		token, problem := bearerToken(r, form)
		if problem != nil {
			if token != "" {
				t.Fatalf("token %q returned with problem %s", token, problem.reason)
			}
			return
		}
		if hasParam(query, "access_token") || hasParam(form, "access_token") {
			t.Fatalf("token accepted beside an access_token parameter")
		}
		if !isToken68(token) || !strings.HasSuffix(header, " "+token) ||
			!strings.EqualFold(header[:7], "Bearer ") {
			t.Fatalf("header %q gave token %q", header, token)
		}
	})
}

func TestBearerTokenNeverFromTwoHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header = http.Header{"Authorization": {"Bearer a", "Bearer a"}}
	if _, p := bearerToken(r, ""); p != problemTwoHeaders {
		t.Errorf("two headers: problem %v", p)
	}
}
