package throttle_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/throttle"
)

// fuzzSeeds adds the testdata justifications and some broken ones.
func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"justification.json", "justification.yaml",
		"security-determination.yaml"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{`{"id":"a","id":"b"}`, `{"ID":"a","id":"b"}`, `{"exception":"cost"}`,
		`{"limit":{"requests_per_second":1e308,"burst":-1}}`, `[[[[[[`, "id: [x", `{"reason":1}`,
		"a: &a [1]\nb: *a\n", `{"policy":{"incident_timeframes":{"identify":"-5m"}}}`} {
		f.Add([]byte(s))
	}
}

// checkParsed checks what a parser returned: an error that matches
// ErrFormat and no record, or a record that validates without panicking,
// survives a round trip through JSON, and is refused or accepted by New
// exactly as by Validate.
func checkParsed(t *testing.T, j throttle.Justification, err error) {
	if err != nil {
		if !errors.Is(err, throttle.ErrFormat) {
			t.Fatalf("parse error %v does not match ErrFormat", err)
		}
		return
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	verr := j.Validate(now)
	_, nerr := throttle.New(j, throttle.Config{Now: func() time.Time { return now }})
	if (verr == nil) != (nerr == nil) {
		t.Fatalf("Validate %v but New %v", verr, nerr)
	}
	data, merr := json.Marshal(j)
	if merr != nil {
		return // NaN or infinite numbers have no JSON form; Validate refuses them
	}
	again, err := throttle.ParseJSON(data)
	if err != nil {
		t.Fatalf("round trip of %s: %v", data, err)
	}
	if (again.Validate(now) == nil) != (verr == nil) {
		t.Fatalf("round trip changed the verdict for %s", data)
	}
}

func FuzzParseJSON(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := throttle.ParseJSON(data)
		checkParsed(t, j, err)
	})
}

func FuzzParseYAML(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := throttle.ParseYAML(data)
		checkParsed(t, j, err)
	})
}
