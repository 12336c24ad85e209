package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestReadAnswersOnlyTheGrant(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	for name, tc := range map[string]struct {
		target string
		status int
		code   string
	}{
		"own patient":            {"Patient/p1", http.StatusOK, ""},
		"own observation":        {"Observation/p1-vs-1", http.StatusOK, ""},
		"own version":            {"Observation/p1-vs-1/_history/1", http.StatusOK, ""},
		"shared practitioner":    {"Practitioner/pr-park", http.StatusOK, ""},
		"shared organization":    {"Organization/org-riverside", http.StatusOK, ""},
		"shared location":        {"Location/loc-riverside-clinic", http.StatusOK, ""},
		"shared medication":      {"Medication/med-metformin", http.StatusOK, ""},
		"other patient":          {"Patient/p2", http.StatusNotFound, "not-found"},
		"other's observation":    {"Observation/p2-vs-1", http.StatusNotFound, "not-found"},
		"other's version":        {"Observation/p2-vs-1/_history/1", http.StatusNotFound, "not-found"},
		"no such resource":       {"Observation/none", http.StatusNotFound, "not-found"},
		"no such version":        {"Observation/p1-vs-1/_history/9", http.StatusNotFound, "not-found"},
		"unsupported read param": {"Patient/p1?foo=1", http.StatusBadRequest, "invalid"},
		"outside the base":       {"http://fhir.test/other/Patient/p1", http.StatusNotFound, "not-found"},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.get(tc.target)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" && outcomeCode(r.body) != tc.code {
				t.Errorf("body %s, want an OperationOutcome %q", r.body, tc.code)
			}
			if tc.status == http.StatusOK && r.header.Get("ETag") != `W/"1"` {
				t.Errorf("ETag %q", r.header.Get("ETag"))
			}
		})
	}
}

func TestReadSubsets(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	r := c.get("Patient/p1?_elements=name,gender")
	var p map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"gender", "id", "meta", "name", "resourceType"}) {
		t.Errorf("_elements kept %v", keys)
	}
	if !strings.Contains(string(p["meta"]), "SUBSETTED") {
		t.Errorf("meta %s lacks the SUBSETTED tag", p["meta"])
	}
	full := c.get("Patient/p1?_summary=false")
	if strings.Contains(string(full.body), "SUBSETTED") || !strings.Contains(string(full.body), "birthDate") {
		t.Errorf("_summary=false changed the resource: %s", full.body)
	}
}
