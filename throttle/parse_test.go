package throttle_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/throttle"
)

func TestLoadFileReadsBothFormatsAlike(t *testing.T) {
	fromYAML := documented(t)
	fromJSON, err := throttle.LoadFile("testdata/justification.json")
	if err != nil {
		t.Fatal(err)
	}
	y, _ := json.Marshal(fromYAML)
	j, _ := json.Marshal(fromJSON)
	if string(y) != string(j) {
		t.Errorf("YAML and JSON differ:\n%s\n%s", y, j)
	}
	if fromYAML.Limit != (throttle.Limit{Rate: 20, Burst: 100}) ||
		fromYAML.Exception != throttle.ExceptionAssuredPerformance {
		t.Errorf("fields not read: %+v", fromYAML)
	}
}

func TestLoadFileSecurityDetermination(t *testing.T) {
	j, err := throttle.LoadFile("testdata/security-determination.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Validate(at(t, "2026-03-05T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if n := len(j.Determination.Alternatives); n != 2 {
		t.Errorf("%d alternatives, want 2", n)
	}
}

// documentedJSON returns the documented justification as a JSON object
// whose members a test may change.
func documentedJSON(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/justification.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseRefusesWhatCannotBeExpressed(t *testing.T) {
	cases := []struct {
		name, key string
		value     any
		mention   string
	}{
		{"reason field", "reason", "cost", `"reason"`},
		{"vendor limits", "vendor_limits", map[string]any{"acme": 1}, `"vendor_limits"`},
		{"several limits", "limits", []any{map[string]any{"burst": 1}}, `"limits"`},
		{"per-client limit", "client_limits", map[string]any{"portal": 1000}, `"client_limits"`},
		{"exemptions", "exempt_clients", []any{"portal"}, `"exempt_clients"`},
		{"cost exception", "exception", "cost", "exception"},
		{"revenue exception", "exception", "171.205(revenue)", "exception"},
		{"unknown paragraph", "exception", "171.204", "exception"},
		{"cost resource", "resource", "cost", "resource"},
		{"competition resource", "resource", "competition", "resource"},
		{"nested unknown", "limit", map[string]any{"requests_per_second": 1, "burst": 30,
			"portal_burst": 500}, `"portal_burst"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := documentedJSON(t)
			m[tc.key] = tc.value
			data, _ := json.Marshal(m)
			_, err := throttle.ParseJSON(data)
			if !errors.Is(err, throttle.ErrFormat) || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("JSON: error %v, want ErrFormat naming %s", err, tc.mention)
			}
			_, err = throttle.ParseYAML(data) // JSON is YAML
			if !errors.Is(err, throttle.ErrFormat) ||
				!strings.Contains(err.Error(), strings.Trim(tc.mention, `"`)) {
				t.Errorf("YAML: error %v, want ErrFormat naming %s", err, tc.mention)
			}
		})
	}
}

func TestParseJSONRefusesAmbiguousFiles(t *testing.T) {
	good, _ := os.ReadFile("testdata/justification.json")
	body := strings.TrimSuffix(strings.TrimSpace(string(good)), "}")
	for name, data := range map[string]string{
		"duplicate limit":      body + `, "limit": {"requests_per_second": 1000, "burst": 5000}}`,
		"duplicate by case":    body + `, "LIMIT": {"requests_per_second": 1000, "burst": 5000}}`,
		"duplicate by folding": body + `, "ſla": "x"}`,
		"nested duplicate":     `{"limit": {"burst": 30, "burst": 3000}}`,
		"trailing object":      string(good) + `{"id": "x"}`,
		"trailing garbage":     string(good) + `]`,
		"not an object":        `["id"]`,
		"too deep":             strings.Repeat("[", 40) + strings.Repeat("]", 40),
		"syntax":               `{"id": }`,
		"wrong type":           `{"limit": {"burst": "many"}}`,
		"date without time":    `{"window": {"end": "2026-04-30"}}`,
		"bare number duration": `{"policy": {"incident_timeframes": {"identify": "15"}}}`,
		"empty":                ``,
		"too large":            `{"sla": "` + strings.Repeat("x", 1<<20) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := throttle.ParseJSON([]byte(data)); !errors.Is(err, throttle.ErrFormat) {
				t.Errorf("error %v, want ErrFormat", err)
			}
		})
	}
}

func TestParseYAMLRefusesAmbiguousFiles(t *testing.T) {
	good, _ := os.ReadFile("testdata/justification.yaml")
	for name, data := range map[string]string{
		"duplicate key":      string(good) + "limit: {requests_per_second: 1000, burst: 5000}\n",
		"two documents":      string(good) + "---\nid: other\n",
		"empty":              "",
		"unknown field":      "id: x\nreason: cost\n",
		"upper-case field":   "ID: x\n",
		"wrong type":         "limit: {burst: many}\n",
		"cost exception":     "exception: cost\n",
		"bare duration":      "policy: {incident_timeframes: {identify: 15}}\n",
		"not a mapping":      "- id\n",
		"alias bomb attempt": "a: &a [x, x]\nb: &b [*a, *a]\nid: *b\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := throttle.ParseYAML([]byte(data)); !errors.Is(err, throttle.ErrFormat) {
				t.Errorf("error %v, want ErrFormat", err)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	txt := filepath.Join(dir, "j.txt")
	if err := os.WriteFile(txt, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := throttle.LoadFile(txt); !errors.Is(err, throttle.ErrFormat) {
		t.Errorf("unknown extension: %v, want ErrFormat", err)
	}
	_, err := throttle.LoadFile(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
}
