package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// observation returns an Observation of patient as JSON, with id when
// set.
func observation(id, patient, code string) string {
	o := map[string]any{"resourceType": "Observation", "status": "final",
		"code": map[string]any{"coding": []any{
			map[string]any{"system": "http://loinc.org", "code": code}}},
		"subject": map[string]any{"reference": "Patient/" + patient}}
	if id != "" {
		o["id"] = id
	}
	b, _ := json.Marshal(o)
	return string(b)
}

const fhirJSON = "application/fhir+json"

func TestCreateReadUpdateDelete(t *testing.T) {
	c := as(t, writable(t), "p1", "patient/*.cruds")
	r := c.do(http.MethodPost, "Observation", fhirJSON, observation("chosen-by-client", "p1", "1-1"))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	id := strings.TrimPrefix(strings.TrimSuffix(loc, "/_history/1"), base+"/Observation/")
	if id == loc || id == "chosen-by-client" || len(id) != 32 {
		t.Fatalf("Location %q: the server must assign the ID", loc)
	}
	if got := c.get("Observation/" + id); got.status != http.StatusOK {
		t.Fatalf("read after create: %d", got.status)
	}

	r = c.do(http.MethodPut, "Observation/"+id, fhirJSON, observation(id, "p1", "2-2"))
	if r.status != http.StatusOK || r.header.Get("ETag") != `W/"2"` {
		t.Fatalf("update: %d %s %s", r.status, r.header.Get("ETag"), r.body)
	}
	r = c.do(http.MethodPut, "Observation/"+id, fhirJSON, observation(id, "p2", "2-2"))
	if r.status != http.StatusForbidden {
		t.Errorf("update moving the resource to p2: %d, want 403", r.status)
	}
	r = c.do(http.MethodPut, "Observation/"+id, fhirJSON, observation("other", "p1", "2-2"))
	if r.status != http.StatusBadRequest {
		t.Errorf("update with another id in the body: %d, want 400", r.status)
	}

	if r = c.do(http.MethodDelete, "Observation/"+id, "", ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if got := c.get("Observation/" + id); got.status != http.StatusNotFound {
		t.Errorf("read after delete: %d", got.status)
	}
}

func TestWritesOutsideTheGrant(t *testing.T) {
	c := as(t, writable(t), "p1", "patient/*.cruds")
	for name, tc := range map[string]struct {
		method, target, body string
		status               int
	}{
		"create for p2": {http.MethodPost, "Observation", observation("", "p2", "1"), 403},
		"update p2's": {http.MethodPut, "Observation/p2-vs-1",
			observation("p2-vs-1", "p1", "1"), 404},
		"delete p2's":        {http.MethodDelete, "Observation/p2-vs-1", "", 404},
		"create a Patient":   {http.MethodPost, "Patient", `{"resourceType":"Patient"}`, 403},
		"wrong type in body": {http.MethodPost, "Observation", `{"resourceType":"Condition"}`, 400},
		"not JSON":           {http.MethodPost, "Observation", `<Observation/>`, 400},
		"patch":              {http.MethodPatch, "Observation/p1-vs-1", `[]`, 501},
	} {
		t.Run(name, func(t *testing.T) {
			if r := c.do(tc.method, tc.target, fhirJSON, tc.body); r.status != tc.status {
				t.Errorf("%d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
	readOnly := as(t, writable(t), "p1", "patient/*.rs")
	r := readOnly.do(http.MethodPost, "Observation", fhirJSON, observation("", "p1", "1"))
	if r.status != http.StatusForbidden {
		t.Errorf("create with read scopes only: %d, want 403", r.status)
	}
}

func TestConditionalWrites(t *testing.T) {
	c := as(t, writable(t), "p1", "patient/*.cruds")
	req := func(method, target, body string) response {
		t.Helper()
		return c.do(method, target, fhirJSON, body)
	}
	r := req(http.MethodPut, "Observation?code=9-9&patient=p1", observation("", "p1", "9-9"))
	if r.status != http.StatusCreated {
		t.Fatalf("conditional update with no match: %d %s", r.status, r.body)
	}
	r = req(http.MethodPut, "Observation?code=9-9&patient=p1", observation("", "p1", "9-9"))
	if r.status != http.StatusOK || r.header.Get("ETag") != `W/"2"` {
		t.Fatalf("conditional update with one match: %d %s", r.status, r.body)
	}
	r = req(http.MethodPut, "Observation?category=vital-signs", observation("", "p1", "9-9"))
	if r.status != http.StatusPreconditionFailed {
		t.Errorf("conditional update with many matches: %d, want 412", r.status)
	}
	if r = c.do(http.MethodDelete, "Observation?code=9-9", "", ""); r.status != http.StatusNoContent {
		t.Errorf("conditional delete: %d %s", r.status, r.body)
	}
	if got := c.searchAll("Observation?code=9-9"); len(got) != 0 {
		t.Errorf("after conditional delete: %v", got)
	}
}

func TestConditionalCreate(t *testing.T) {
	h := writable(t)
	c := as(t, h, "p1", "patient/*.cruds")
	send := func(criteria string) response {
		return c.doWith(http.MethodPost, "Observation", observation("", "p1", "7-7"),
			map[string]string{"If-None-Exist": criteria})
	}
	if r := send("code=7-7"); r.status != http.StatusCreated {
		t.Fatalf("first conditional create: %d %s", r.status, r.body)
	}
	if r := send("code=7-7"); r.status != http.StatusOK {
		t.Errorf("second conditional create: %d, want 200 with the match", r.status)
	}
	if r := send("category=vital-signs"); r.status != http.StatusPreconditionFailed {
		t.Errorf("conditional create matching many: %d, want 412", r.status)
	}
}
