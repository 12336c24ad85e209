package smart_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

var (
	typePattern = regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
	opPattern   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
)

// FuzzParseInteraction checks that ParseInteraction never panics, that what
// it accepts has well-formed names, and that no accepted path holds a dot
// segment or a slash or backslash once decoded.
func FuzzParseInteraction(f *testing.F) {
	for _, tc := range interactionCases {
		f.Add(tc.method, tc.path, tc.query)
	}
	for _, p := range []string{"Patient/..%2FObservation", "Patient%2F1", "Patient/%2e%2e",
		"Patient//1", "Observation/1/../2", "./Patient", "patient/1", "Patient/1%00",
		`Patient\1`, "Patient/%252F", "Patient/1/_history/2/$meta", "Patient/1/*"} {
		f.Add("GET", p, "")
	}
	f.Add("PUT", "Observation", "identifier=1&_type=Condition")
	f.Add("GET", "", "_type=Observation%2CCondition&%5Ftype=Encounter")
	f.Fuzz(func(t *testing.T, method, path, query string) {
		in, err := smart.ParseInteraction(method, path, query, nil)
		if err != nil {
			if in.Kind != 0 {
				t.Fatalf("error %v with kind %v", err, in.Kind)
			}
			return
		}
		checkAccepted(t, in, path)
	})
}

func checkAccepted(t *testing.T, in smart.Interaction, path string) {
	t.Helper()
	if in.Kind == 0 {
		t.Fatalf("accepted %q without a kind", path)
	}
	if in.Type != "" && in.Type != "*" && !typePattern.MatchString(in.Type) {
		t.Fatalf("accepted %q with type %q", path, in.Type)
	}
	for _, id := range []string{in.ID, in.Version, in.Compartment.ID} {
		if id != "" && (!idPattern.MatchString(id) || id == "." || id == "..") {
			t.Fatalf("accepted %q with id %q", path, id)
		}
	}
	if c := in.Compartment.Type; c != "" && !typePattern.MatchString(c) {
		t.Fatalf("accepted %q with compartment type %q", path, c)
	}
	if in.Operation != "" && !opPattern.MatchString(in.Operation) {
		t.Fatalf("accepted %q with operation %q", path, in.Operation)
	}
	for _, typ := range in.Types {
		if !typePattern.MatchString(typ) {
			t.Fatalf("accepted _type %q", typ)
		}
	}
	for seg := range strings.SplitSeq(strings.TrimPrefix(path, "/"), "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil || dec == "." || dec == ".." || strings.ContainsAny(dec, `/\`) {
			t.Fatalf("accepted %q with segment %q", path, seg)
		}
	}
	_ = in.Required()
}
