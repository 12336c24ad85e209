package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/examples/internal/fhirapi"
	"github.com/fhirguard/fhirguard/smart"
)

// capabilities decodes the parts of the CapabilityStatement the tests
// check.
type capabilities struct {
	ResourceType string `json:"resourceType"`
	FHIRVersion  string `json:"fhirVersion"`
	Rest         []struct {
		Security *struct {
			Service []struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"service"`
		} `json:"security"`
		Interaction []struct{ Code string } `json:"interaction"`
		Resource    []struct {
			Type          string                  `json:"type"`
			Interaction   []struct{ Code string } `json:"interaction"`
			SearchInclude []string                `json:"searchInclude"`
			SearchParam   []struct {
				Name, Type string
			} `json:"searchParam"`
			Operation []struct{ Name string } `json:"operation"`
		} `json:"resource"`
	} `json:"rest"`
}

func TestCapabilityStatementSaysWhatIsServed(t *testing.T) {
	store, err := memstore.New(memstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	conf := smart.Configuration{TokenEndpoint: "https://auth.test/token"}
	sec := conf.SecurityComponent()
	h, err := fhirapi.New(fhirapi.Config{Repository: store, BaseURL: base, Security: &sec})
	if err != nil {
		t.Fatal(err)
	}
	r := (&client{t: t, h: h}).get("metadata")
	var cs capabilities
	if r.status != http.StatusOK || json.Unmarshal(r.body, &cs) != nil {
		t.Fatalf("metadata: %d %s", r.status, r.body[:min(len(r.body), 200)])
	}
	rest := cs.Rest[0]
	if cs.ResourceType != "CapabilityStatement" || cs.FHIRVersion != "4.0.1" ||
		rest.Security == nil || rest.Security.Service[0].Coding[0].Code != "SMART-on-FHIR" {
		t.Errorf("header or security: %+v", cs)
	}
	if slices.ContainsFunc(rest.Interaction, func(c struct{ Code string }) bool {
		return c.Code == "transaction"
	}) {
		t.Error("transaction listed without Config.Transaction")
	}
	for _, res := range rest.Resource {
		for _, p := range res.SearchParam {
			if p.Type == "composite" || p.Type == "special" {
				t.Errorf("%s lists %s, a %s parameter it cannot search", res.Type, p.Name, p.Type)
			}
		}
		if slices.ContainsFunc(res.Interaction, func(c struct{ Code string }) bool {
			return c.Code == "patch"
		}) {
			t.Errorf("%s lists patch", res.Type)
		}
		if res.Type == "Patient" && (len(res.Operation) != 1 || res.Operation[0].Name != "everything") {
			t.Errorf("Patient operations %+v", res.Operation)
		}
		if res.Type == "MedicationRequest" &&
			!slices.Contains(res.SearchInclude, "MedicationRequest:medication") {
			t.Errorf("MedicationRequest includes %v", res.SearchInclude)
		}
	}
	if len(rest.Resource) < 140 {
		t.Errorf("%d resource types", len(rest.Resource))
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	store, _ := memstore.New(memstore.Config{})
	for name, cfg := range map[string]fhirapi.Config{
		"no repository":   {BaseURL: base},
		"relative base":   {Repository: store, BaseURL: "/fhir"},
		"base with query": {Repository: store, BaseURL: base + "?x=1"},
		"negative body":   {Repository: store, BaseURL: base, MaxBodyBytes: -1},
	} {
		if _, err := fhirapi.New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestUnservedInteractions(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	for _, target := range []string{"Observation/$lastn", "$export",
		"Patient/p1/_history/1/$everything"} {
		r := c.get(target)
		if r.status != http.StatusNotImplemented || outcomeCode(r.body) != "not-supported" {
			t.Errorf("%s: %d %s, want 501 not-supported", target, r.status, r.body)
		}
	}
	r := c.do(http.MethodPost, "Observation/_search", "application/x-www-form-urlencoded", "%zz")
	if r.status != http.StatusBadRequest {
		t.Errorf("malformed form: %d", r.status)
	}
}
