package searchparam_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// benchObservation is a realistic 3 KB Observation: narrative, subject,
// two performers, a category with two codings, code, valueQuantity,
// effectiveDateTime and security labels.
func benchObservation(b *testing.B) []byte {
	data, err := os.ReadFile("testdata/observation.json")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkJSONValidBaseline is the baseline: json.Valid on the same bytes.
func BenchmarkJSONValidBaseline(b *testing.B) {
	data := benchObservation(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if !json.Valid(data) {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkUnmarshalMapBaseline decodes into map[string]any, the slow path
// this package avoids.
func BenchmarkUnmarshalMapBaseline(b *testing.B) {
	data := benchObservation(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractMembershipAndCategory is the compartment check of a
// granular scope: subject, performer and category in one pass, matched
// against Patient/A and a category token.
func BenchmarkExtractMembershipAndCategory(b *testing.B) {
	data := benchObservation(b)
	ex, patient, category := membershipSetup(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		member, granted := false, false
		err := ex.Extract(data, func(def int, v searchparam.Value) {
			if def < 2 {
				member = member || patient.Match(v)
			} else {
				granted = granted || category.Match(v)
			}
		})
		if err != nil || !member || !granted {
			b.Fatal(err, member, granted)
		}
	}
}

func membershipSetup(b *testing.B) (
	ex *searchparam.Extractor, patient, category *searchparam.Criterion,
) {
	var defs []*searchparam.Def
	for _, name := range []string{"subject", "performer", "category"} {
		d, ok := searchparam.Lookup("Observation", name)
		if !ok {
			b.Fatal(name)
		}
		defs = append(defs, d)
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		b.Fatal(err)
	}
	patient, err = searchparam.ParseCriterion("Observation", "subject", "Patient/A")
	if err != nil {
		b.Fatal(err)
	}
	category, err = searchparam.ParseCriterion("Observation", "category",
		"http://terminology.hl7.org/CodeSystem/observation-category|laboratory")
	if err != nil {
		b.Fatal(err)
	}
	return ex, patient, category
}

// BenchmarkExtractEveryParameter extracts every supported Observation
// parameter, as a store that indexes them all does (two passes: see
// Extractor).
func BenchmarkExtractEveryParameter(b *testing.B) {
	data := benchObservation(b)
	var defs []*searchparam.Def
	for _, d := range searchparam.Defs("Observation") {
		if d.Supported() {
			defs = append(defs, d)
		}
	}
	ex, err := searchparam.NewExtractor(defs...)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := ex.Extract(data, func(int, searchparam.Value) { n++ }); err != nil || n == 0 {
			b.Fatal(err, n)
		}
	}
}
