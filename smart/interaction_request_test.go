package smart_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

func TestParseRequest(t *testing.T) {
	cases := []struct {
		name, base, method, target, body, contentType string
		want                                          view
	}{
		{name: "below a base", base: "/fhir", method: "GET", target: "/fhir/Patient/1",
			want: view{Kind: smart.KindRead, Type: "Patient", ID: "1"}},
		{name: "base with a trailing slash", base: "/fhir/", method: "GET",
			target: "/fhir/Patient/1", want: view{Kind: smart.KindRead, Type: "Patient", ID: "1"}},
		{name: "the base itself", base: "/fhir/r4", method: "GET", target: "/fhir/r4",
			want: view{Kind: smart.KindSearchSystem}},
		{name: "root base", base: "", method: "GET", target: "/metadata",
			want: view{Kind: smart.KindCapabilities}},
		{name: "_type in a form body adds to the query", base: "/fhir", method: "POST",
			target: "/fhir/_search?_type=Observation", body: "_type=Condition&code=1",
			contentType: "application/x-www-form-urlencoded",
			want: view{Kind: smart.KindSearchSystem, Types: []string{"Observation", "Condition"},
				Query: "_type=Observation"}},
		{name: "_type in a JSON body is not a parameter", base: "/fhir", method: "POST",
			target: "/fhir/_search", body: "_type=Condition", contentType: "application/json",
			want: view{Kind: smart.KindSearchSystem}},
		{name: "_type in a form body of a type search is ignored", base: "/fhir",
			method: "POST", target: "/fhir/Observation/_search", body: "_type=Condition",
			contentType: "application/x-www-form-urlencoded",
			want:        view{Kind: smart.KindSearchType, Type: "Observation"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.contentType)
			in, err := smart.ParseRequest(r, tc.base)
			if err != nil {
				t.Fatal(err)
			}
			if got := viewOf(in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if body, _ := io.ReadAll(r.Body); string(body) != tc.body {
				t.Errorf("body after parsing %q, want %q", body, tc.body)
			}
		})
	}
}

func TestParseRequestRefuses(t *testing.T) {
	for _, tc := range []struct{ base, target, body string }{
		{"/fhir", "/other/Patient/1", ""},
		{"/fhir", "/fhirx/Patient/1", ""},
		{"/fhir", "/fhir%2FPatient/1", ""},
		{"/fhir", "/fhir/_search", "_type=patient"},
		{"/fhir", "/fhir/_search?_type=" + strings.Join(manyTypes(200), ","),
			"_type=" + strings.Join(manyTypes(257)[200:], ",")},
	} {
		r := httptest.NewRequest("POST", tc.target, strings.NewReader(tc.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := smart.ParseRequest(r, tc.base); !errors.Is(err, smart.ErrBadRequest) {
			t.Errorf("%s below %s: %v, want ErrBadRequest", tc.target, tc.base, err)
		}
	}
	r := httptest.NewRequest("GET", "/fhir/Patient/1", nil)
	_, err := smart.ParseRequest(r, "fhir")
	if err == nil || errors.Is(err, smart.ErrBadRequest) {
		t.Errorf("relative base path: %v, want a configuration error", err)
	}
}
