package fhirapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestSearchPostEqualsGet(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	get := c.searchAll("Observation?patient=p1&category=laboratory&_count=4")
	post := c.do(http.MethodPost, "Observation/_search", "application/x-www-form-urlencoded",
		form("patient", "p1", "category", "laboratory", "_count", "4")).bundle(t)
	all := post.refs("match")
	for next := post.next(); next != ""; {
		b := c.get(next).bundle(t)
		all, next = append(all, b.refs("match")...), b.next()
	}
	if len(get) != 9 || !slices.Equal(get, all) {
		t.Errorf("GET found %v\nPOST found %v", get, all)
	}
	mixed := c.do(http.MethodPost, "Observation/_search?patient=p1",
		"application/x-www-form-urlencoded", form("category", "laboratory", "_count", "100"))
	if got := mixed.bundle(t).refs("match"); len(got) != 9 {
		t.Errorf("query and form together found %d, want 9", len(got))
	}
}

func TestSearchPatientReferenceForms(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	bare := c.searchAll("Condition?patient=p1")
	typed := c.searchAll("Condition?patient=Patient/p1")
	subject := c.searchAll("Condition?subject=Patient/p1")
	if len(bare) == 0 || !slices.Equal(bare, typed) || !slices.Equal(bare, subject) {
		t.Errorf("patient=p1 %v\npatient=Patient/p1 %v\nsubject=Patient/p1 %v", bare, typed, subject)
	}
}

func TestSearchBelongsToThePatient(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	for _, typ := range []string{"Observation", "Condition", "Encounter", "MedicationRequest",
		"DocumentReference", "AllergyIntolerance", "Immunization", "Procedure", "CarePlan"} {
		got := c.searchAll(typ + "?_count=7")
		if len(got) == 0 {
			t.Errorf("%s: nothing found", typ)
		}
		for _, ref := range got {
			if !strings.Contains(ref, "/p1-") && !strings.HasSuffix(ref, "p2-survey-1") &&
				!strings.HasSuffix(ref, "p2-doc-2") {
				t.Errorf("%s: %s is not in p1's compartment", typ, ref)
			}
		}
	}
	if r := c.get("Observation?patient=p2"); r.status != http.StatusForbidden {
		t.Errorf("a search naming another patient: %d, want 403", r.status)
	}
}

func TestSearchIncludes(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	b := c.get("MedicationRequest?patient=p1&_include=MedicationRequest:medication").bundle(t)
	if inc := b.refs("include"); !slices.Contains(inc, "Medication/med-metformin") {
		t.Errorf("_include=MedicationRequest:medication included %v", inc)
	}
	b = c.get("Observation?patient=p1&code=8867-4&_revinclude=Provenance:target").bundle(t)
	inc := b.refs("include")
	if len(inc) == 0 || !strings.HasPrefix(inc[0], "Provenance/p1-prov") {
		t.Errorf("_revinclude=Provenance:target included %v", inc)
	}
	b = as(t, readOnly(t), "p2", "patient/*.rs").
		get("Observation?code=8867-4&_revinclude=Provenance:target").bundle(t)
	for _, ref := range b.refs("") {
		if strings.Contains(ref, "/p1-") {
			t.Errorf("p2's search brought %s", ref)
		}
	}
}

func TestSearchPagingCarriesNoAuthority(t *testing.T) {
	h := readOnly(t)
	p1 := as(t, h, "p1", "patient/*.rs")
	b := p1.get("Observation?_count=5").bundle(t)
	next := b.next()
	if next == "" || !strings.Contains(next, "_cursor=") || strings.Contains(next, "p1") {
		t.Fatalf("next link %q", next)
	}
	replayed := as(t, h, "p2", "patient/*.rs").get(next).bundle(t)
	for _, ref := range replayed.refs("") {
		if strings.Contains(ref, "/p1-") && !strings.HasSuffix(ref, "p1-survey-1") {
			t.Errorf("p1's next link gave p2 %s", ref)
		}
	}
}

func TestSearchCounts(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	b := c.get("Observation?patient=p1&_summary=count").bundle(t)
	if b.Total == nil || *b.Total != 38 || len(b.Entry) != 0 {
		t.Errorf("_summary=count: total %v, %d entries", b.Total, len(b.Entry))
	}
	b = c.get("Observation?category=vital-signs&_total=accurate&_count=1").bundle(t)
	if b.Total == nil || *b.Total != 24 {
		t.Errorf("_total=accurate: total %v, want 24", b.Total)
	}
}

func TestSearchRefusesUnknownParameters(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	for _, target := range []string{"Observation?nothing=1", "Observation?_filter=x",
		"Observation?code:below=x", "Observation?date=2024-13", "Observation?_cursor=bad",
		"Patient/p1/$everything?_since=2020-01-01T00:00:00Z", "Patient/p1/_history?_count=0",
		"Patient/p1/_history?_since=yesterday", "Encounter/p1-enc-1/Observation"} {
		if r := c.get(target); r.status != http.StatusBadRequest || outcomeCode(r.body) != "invalid" {
			t.Errorf("%s: %d %s, want 400 invalid", target, r.status, r.body)
		}
	}
}

func TestSearchCompartmentAndSystem(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	compartment := c.searchAll("Patient/p1/Condition")
	typed := c.searchAll("Condition")
	if len(compartment) == 0 || !slices.Equal(compartment, typed) {
		t.Errorf("Patient/p1/Condition %v\nCondition %v", compartment, typed)
	}
	system := c.searchAll("?_type=Condition,AllergyIntolerance&_count=50")
	if len(system) != len(typed)+2 {
		t.Errorf("system search found %d, want %d", len(system), len(typed)+2)
	}
}

func TestEverything(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	var all []string
	target := "Patient/p1/$everything?_count=40"
	for target != "" {
		b := c.get(target).bundle(t)
		all = append(all, b.refs("")...)
		target = b.next()
	}
	for _, want := range []string{"Patient/p1", "Observation/p1-vs-1", "Provenance/p1-prov-1",
		"Practitioner/pr-park", "Organization/org-riverside", "Medication/med-metformin",
		"Location/loc-riverside-clinic", "Observation/p2-survey-1"} {
		if !slices.Contains(all, want) {
			t.Errorf("$everything lacks %s", want)
		}
	}
	// p1 wrote these of p2's resources (a survey, a note, answers), and
	// each has a Provenance of its own: they are p1's too.
	byP1 := []string{"Observation/p2-survey-1", "DocumentReference/p2-doc-2",
		"QuestionnaireResponse/p2-qr-1", "Provenance/p2-prov-5", "Provenance/p2-prov-6",
		"Provenance/p2-prov-7"}
	for _, ref := range all {
		if strings.Contains(ref, "/p2-") && !slices.Contains(byP1, ref) {
			t.Errorf("$everything of p1 holds %s", ref)
		}
	}
	if r := c.get("Patient/p2/$everything"); r.status != http.StatusNotFound {
		t.Errorf("another patient's $everything: %d, want 404", r.status)
	}
}

func TestHistoryBundles(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.rs")
	b := c.get("Observation/p1-vs-1/_history").bundle(t)
	if b.Type != "history" || len(b.Entry) != 1 {
		t.Fatalf("history: type %s, %d entries", b.Type, len(b.Entry))
	}
	if r := c.get("Observation/p2-vs-1/_history"); r.status != http.StatusNotFound {
		t.Errorf("another patient's history: %d, want 404", r.status)
	}
	b = c.get("Observation/_history?_count=100").bundle(t)
	for _, e := range b.Entry {
		if !strings.Contains(e.FullURL, "/p1-") && !strings.HasSuffix(e.FullURL, "p2-survey-1") {
			t.Errorf("type history holds %s", e.FullURL)
		}
	}
	b = c.get("_history?_count=3").bundle(t)
	if len(b.Entry) != 3 || b.next() == "" {
		t.Errorf("system history: %d entries, next %q", len(b.Entry), b.next())
	}
}
