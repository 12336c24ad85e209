package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// entry is a Bundle entry for the tests to send.
type entry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Request  map[string]any  `json:"request"`
}

// bundleBody returns a Bundle of type typ holding entries.
func bundleBody(typ string, entries ...entry) string {
	b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": typ, "entry": entries})
	return string(b)
}

func req(method, url string) map[string]any { return map[string]any{"method": method, "url": url} }

func TestBatchAuthorizesEachEntry(t *testing.T) {
	c := as(t, writable(t), "p1", "patient/Observation.rs patient/Patient.rs")
	r := c.do(http.MethodPost, base, fhirJSON, bundleBody("batch",
		entry{Request: req("GET", "Patient/p1")},
		entry{Request: req("GET", "Condition?patient=p1")},
		entry{Request: req("GET", "Observation/p2-vs-1")},
		entry{Request: req("GET", "Observation?patient=p1&code=8867-4")},
		entry{Resource: json.RawMessage(observation("", "p1", "1")), Request: req("POST", "Observation")},
		entry{Request: req("GET", "../Patient/p1")},
	))
	b := r.bundle(t)
	want := []string{"200 OK", "403 Forbidden", "404 Not Found", "200 OK", "403 Forbidden",
		"400 Bad Request"}
	if len(b.Entry) != len(want) {
		t.Fatalf("%d entries: %s", len(b.Entry), r.body)
	}
	for i, e := range b.Entry {
		if e.Response == nil || e.Response.Status != want[i] {
			t.Errorf("entry %d: %+v, want %s", i, e.Response, want[i])
		}
	}
	if !strings.Contains(string(b.Entry[3].Resource), `"searchset"`) {
		t.Errorf("a search entry's resource is not a searchset: %s", b.Entry[3].Resource)
	}
}

func TestTransactionIsAtomic(t *testing.T) {
	h := writable(t)
	c := as(t, h, "p1", "patient/*.cruds")
	good := bundleBody("transaction",
		entry{FullURL: "urn:uuid:0f7b5c4e-1111-4e11-8e11-000000000001",
			Resource: json.RawMessage(`{"resourceType":"Encounter","status":"finished",` +
				`"class":{"code":"AMB"},"subject":{"reference":"Patient/p1"}}`),
			Request: req("POST", "Encounter")},
		entry{Resource: json.RawMessage(`{"resourceType":"Observation","status":"final",` +
			`"code":{"text":"tx"},"subject":{"reference":"Patient/p1"},` +
			`"encounter":{"reference":"urn:uuid:0f7b5c4e-1111-4e11-8e11-000000000001"}}`),
			Request: req("POST", "Observation")},
	)
	b := c.do(http.MethodPost, base, fhirJSON, good).bundle(t)
	if b.Type != "transaction-response" || len(b.Entry) != 2 {
		t.Fatalf("transaction: %+v", b)
	}
	encounter := strings.TrimPrefix(b.Entry[0].Response.Location, base+"/")
	encounter = encounter[:strings.Index(encounter, "/_history")]
	obs := c.get(strings.TrimPrefix(b.Entry[1].FullURL, base+"/"))
	if !strings.Contains(string(obs.body), `"reference":"`+encounter+`"`) {
		t.Errorf("the urn:uuid reference was not rewritten to %s: %s", encounter, obs.body)
	}

	bad := bundleBody("transaction",
		entry{Resource: json.RawMessage(observation("", "p1", "rolled-back")),
			Request: req("POST", "Observation")},
		entry{Resource: json.RawMessage(observation("", "p2", "1")), Request: req("POST", "Observation")},
	)
	if r := c.do(http.MethodPost, base, fhirJSON, bad); r.status != http.StatusForbidden {
		t.Errorf("transaction with a forbidden entry: %d %s, want 403", r.status, r.body)
	}
	if got := c.searchAll("Observation?code=rolled-back"); len(got) != 0 {
		t.Errorf("a failed transaction left %v", got)
	}
}

func TestTransactionRefusesAnUnauthorizedEntryBeforeRunning(t *testing.T) {
	c := as(t, writable(t), "p1", "patient/Observation.cruds")
	body := bundleBody("transaction",
		entry{Resource: json.RawMessage(observation("", "p1", "first")), Request: req("POST", "Observation")},
		entry{Request: req("DELETE", "Condition/p1-prob-1")},
	)
	if r := c.do(http.MethodPost, base, fhirJSON, body); r.status != http.StatusForbidden {
		t.Errorf("%d %s, want 403", r.status, r.body)
	}
	if got := c.searchAll("Observation?code=first"); len(got) != 0 {
		t.Errorf("an entry ran before the refusal: %v", got)
	}
}

func TestBundleRefusals(t *testing.T) {
	c := as(t, readOnly(t), "p1", "patient/*.cruds")
	for name, tc := range map[string]struct {
		body   string
		status int
	}{
		"not a Bundle":            {`{"resourceType":"Patient"}`, 400},
		"searchset":               {bundleBody("searchset"), 400},
		"no transactions":         {bundleBody("transaction"), 501},
		"entry without a request": {bundleBody("batch", entry{}), 200},
		"nested batch":            {bundleBody("batch", entry{Request: req("POST", "")}), 200},
	} {
		t.Run(name, func(t *testing.T) {
			if r := c.do(http.MethodPost, base, fhirJSON, tc.body); r.status != tc.status {
				t.Errorf("%d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
}

// FuzzBatch posts Bundles from the fuzzer and checks that the handler
// answers each with a Bundle or an OperationOutcome, never a panic or a
// 500.
func FuzzBatch(f *testing.F) {
	f.Add(bundleBody("batch", entry{Request: req("GET", "Patient/p1")}))
	f.Add(bundleBody("transaction", entry{FullURL: "urn:uuid:1",
		Resource: json.RawMessage(`{"resourceType":"Observation"}`), Request: req("POST", "Observation")}))
	f.Add(`{"resourceType":"Bundle","type":"batch","entry":[` +
		`{"request":{"method":"GET","url":"Observation?code:not=1"}}]}`)
	h := writable(f)
	f.Fuzz(func(t *testing.T, body string) {
		c := as(t, h, "p1", "patient/*.rs")
		r := c.do(http.MethodPost, base, fhirJSON, body)
		if r.status >= 500 && r.status != http.StatusNotImplemented {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var head struct{ ResourceType string }
		if err := json.Unmarshal(r.body, &head); err != nil ||
			head.ResourceType != "Bundle" && head.ResourceType != "OperationOutcome" {
			t.Fatalf("answer %s", r.body)
		}
	})
}
