package smart_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

// view holds the exported fields of an Interaction, for comparison.
type view struct {
	Kind        smart.Kind
	Type        string
	ID          string
	Version     string
	Compartment smart.Compartment
	Operation   string
	Conditional bool
	Criteria    string
	Types       []string
	Query       string
}

func viewOf(in smart.Interaction) view {
	return view{in.Kind, in.Type, in.ID, in.Version, in.Compartment, in.Operation,
		in.Conditional, in.Criteria, in.Types, in.Query}
}

// needs writes a Requirement compactly: "public", "refused", "token" (a
// valid token, no scope), or needs such as "Patient:r any:s".
func needs(r smart.Requirement) string {
	switch {
	case r.Public:
		return "public"
	case r.Refused:
		return "refused"
	case len(r.Needs) == 0:
		return "token"
	}
	parts := make([]string, len(r.Needs))
	for i, n := range r.Needs {
		typ, perm := n.Type, n.Permissions.String()
		if typ == "" {
			typ = "any"
		}
		if perm == "" {
			perm = "-"
		}
		parts[i] = typ + ":" + perm
	}
	return strings.Join(parts, " ")
}

type interactionCase struct {
	name, method, path, query string
	ifNoneExist               []string
	want                      view
	needs                     string
}

var interactionCases = []interactionCase{
	{name: "read", method: "GET", path: "Patient/123",
		want: view{Kind: smart.KindRead, Type: "Patient", ID: "123"}, needs: "Patient:r"},
	{name: "read by HEAD with leading slash", method: "HEAD", path: "/Patient/a-b.c",
		want: view{Kind: smart.KindRead, Type: "Patient", ID: "a-b.c"}, needs: "Patient:r"},
	{name: "read with encoded unreserved id", method: "GET", path: "Patient/%41bc",
		want: view{Kind: smart.KindRead, Type: "Patient", ID: "Abc"}, needs: "Patient:r"},
	{name: "read with format parameter", method: "GET", path: "Patient/1", query: "_format=json",
		want:  view{Kind: smart.KindRead, Type: "Patient", ID: "1", Query: "_format=json"},
		needs: "Patient:r"},
	{name: "vread", method: "GET", path: "Patient/123/_history/2",
		want:  view{Kind: smart.KindVRead, Type: "Patient", ID: "123", Version: "2"},
		needs: "Patient:r"},
	{name: "update", method: "PUT", path: "Patient/123",
		want: view{Kind: smart.KindUpdate, Type: "Patient", ID: "123"}, needs: "Patient:u"},
	{name: "patch", method: "PATCH", path: "Observation/abc",
		want: view{Kind: smart.KindPatch, Type: "Observation", ID: "abc"}, needs: "Observation:u"},
	{name: "delete", method: "DELETE", path: "Observation/1",
		want: view{Kind: smart.KindDelete, Type: "Observation", ID: "1"}, needs: "Observation:d"},
	{name: "create", method: "POST", path: "Observation",
		want: view{Kind: smart.KindCreate, Type: "Observation"}, needs: "Observation:c"},
	{name: "conditional create", method: "POST", path: "Observation",
		ifNoneExist: []string{"identifier=http://x|1"},
		want: view{Kind: smart.KindCreate, Type: "Observation", Conditional: true,
			Criteria: "identifier=http://x|1"},
		needs: "Observation:cs"},
	{name: "conditional create with empty criteria", method: "POST", path: "Observation",
		ifNoneExist: []string{""},
		want:        view{Kind: smart.KindCreate, Type: "Observation", Conditional: true},
		needs:       "Observation:cs"},
	{name: "conditional update", method: "PUT", path: "Observation", query: "identifier=1",
		want: view{Kind: smart.KindUpdate, Type: "Observation", Conditional: true,
			Criteria: "identifier=1", Query: "identifier=1"},
		needs: "Observation:us"},
	{name: "conditional patch", method: "PATCH", path: "Observation", query: "identifier=1",
		want: view{Kind: smart.KindPatch, Type: "Observation", Conditional: true,
			Criteria: "identifier=1", Query: "identifier=1"},
		needs: "Observation:us"},
	{name: "conditional delete", method: "DELETE", path: "Observation", query: "code=1",
		want: view{Kind: smart.KindDelete, Type: "Observation", Conditional: true,
			Criteria: "code=1", Query: "code=1"},
		needs: "Observation:ds"},
	{name: "type search", method: "GET", path: "Observation", query: "code=1234-5",
		want:  view{Kind: smart.KindSearchType, Type: "Observation", Query: "code=1234-5"},
		needs: "Observation:s"},
	{name: "type search by POST", method: "POST", path: "Observation/_search",
		want: view{Kind: smart.KindSearchType, Type: "Observation"}, needs: "Observation:s"},
	{name: "system search", method: "GET", path: "",
		want: view{Kind: smart.KindSearchSystem}, needs: "any:s"},
	{name: "system search at slash", method: "GET", path: "/", query: "_lastUpdated=gt2020",
		want: view{Kind: smart.KindSearchSystem, Query: "_lastUpdated=gt2020"}, needs: "any:s"},
	{name: "system search with _type", method: "GET", path: "",
		query: "_type=Observation,Condition",
		want: view{Kind: smart.KindSearchSystem, Types: []string{"Observation", "Condition"},
			Query: "_type=Observation,Condition"},
		needs: "Observation:s Condition:s"},
	{name: "system search with repeated and encoded _type", method: "GET", path: "",
		query: "%5Ftype=Observation&_type=Condition%2CObservation",
		want: view{Kind: smart.KindSearchSystem, Types: []string{"Observation", "Condition"},
			Query: "%5Ftype=Observation&_type=Condition%2CObservation"},
		needs: "Observation:s Condition:s"},
	{name: "system search by POST", method: "POST", path: "_search",
		want: view{Kind: smart.KindSearchSystem}, needs: "any:s"},
	{name: "type search by GET on _search", method: "GET", path: "Observation/_search",
		want: view{Kind: smart.KindSearchType, Type: "Observation"}, needs: "Observation:s"},
	{name: "compartment search", method: "GET", path: "Patient/123/Observation",
		want: view{Kind: smart.KindSearchCompartment, Type: "Observation",
			Compartment: smart.Compartment{Type: "Patient", ID: "123"}},
		needs: "Observation:s"},
	{name: "compartment search by POST", method: "POST", path: "Patient/123/Observation/_search",
		want: view{Kind: smart.KindSearchCompartment, Type: "Observation",
			Compartment: smart.Compartment{Type: "Patient", ID: "123"}},
		needs: "Observation:s"},
	{name: "compartment search of every type", method: "GET", path: "Patient/123/*",
		want: view{Kind: smart.KindSearchCompartment, Type: "*",
			Compartment: smart.Compartment{Type: "Patient", ID: "123"}},
		needs: "any:s"},
	{name: "compartment search of every type with _type", method: "GET", path: "Patient/1/*",
		query: "_type=Condition",
		want: view{Kind: smart.KindSearchCompartment, Type: "*", Types: []string{"Condition"},
			Compartment: smart.Compartment{Type: "Patient", ID: "1"}, Query: "_type=Condition"},
		needs: "Condition:s"},
	{name: "type search ignores _type", method: "GET", path: "Observation",
		query: "_type=Condition",
		want:  view{Kind: smart.KindSearchType, Type: "Observation", Query: "_type=Condition"},
		needs: "Observation:s"},
	{name: "instance history", method: "GET", path: "Patient/123/_history",
		want: view{Kind: smart.KindHistoryInstance, Type: "Patient", ID: "123"}, needs: "Patient:r"},
	{name: "type history", method: "GET", path: "Patient/_history",
		want: view{Kind: smart.KindHistoryType, Type: "Patient"}, needs: "Patient:s"},
	{name: "system history", method: "GET", path: "_history",
		want: view{Kind: smart.KindHistorySystem}, needs: "any:s"},
	{name: "batch or transaction", method: "POST", path: "",
		want: view{Kind: smart.KindBatch}, needs: "any:-"},
	{name: "capabilities", method: "GET", path: "metadata",
		want: view{Kind: smart.KindCapabilities}, needs: "public"},
	{name: "patient everything", method: "GET", path: "Patient/123/$everything",
		want: view{Kind: smart.KindOperationInstance, Type: "Patient", ID: "123",
			Operation: "everything"},
		needs: "Patient:r"},
	{name: "everything for all patients", method: "GET", path: "Patient/$everything",
		want:  view{Kind: smart.KindOperationType, Type: "Patient", Operation: "everything"},
		needs: "Patient:s"},
	{name: "system export", method: "GET", path: "$export",
		want: view{Kind: smart.KindOperationSystem, Operation: "export"}, needs: "any:s"},
	{name: "system export with _type", method: "GET", path: "$export",
		query: "_type=Patient,Observation",
		want: view{Kind: smart.KindOperationSystem, Operation: "export",
			Types: []string{"Patient", "Observation"}, Query: "_type=Patient,Observation"},
		needs: "Patient:s Observation:s"},
	{name: "patient export", method: "GET", path: "Patient/$export",
		want:  view{Kind: smart.KindOperationType, Type: "Patient", Operation: "export"},
		needs: "Patient:s any:s"},
	{name: "group export", method: "GET", path: "Group/g1/$export",
		want: view{Kind: smart.KindOperationInstance, Type: "Group", ID: "g1",
			Operation: "export"},
		needs: "Group:r any:s"},
	{name: "validate a posted resource", method: "POST", path: "Observation/$validate",
		want:  view{Kind: smart.KindOperationType, Type: "Observation", Operation: "validate"},
		needs: "token"},
	{name: "validate a stored resource", method: "POST", path: "Observation/1/$validate",
		want: view{Kind: smart.KindOperationInstance, Type: "Observation", ID: "1",
			Operation: "validate"},
		needs: "Observation:r"},
	{name: "lastn", method: "GET", path: "Observation/$lastn",
		want:  view{Kind: smart.KindOperationType, Type: "Observation", Operation: "lastn"},
		needs: "Observation:s"},
	{name: "expand", method: "GET", path: "ValueSet/$expand",
		want:  view{Kind: smart.KindOperationType, Type: "ValueSet", Operation: "expand"},
		needs: "ValueSet:r"},
	{name: "meta-add", method: "POST", path: "Observation/1/$meta-add",
		want: view{Kind: smart.KindOperationInstance, Type: "Observation", ID: "1",
			Operation: "meta-add"},
		needs: "Observation:u"},
	{name: "operation on a version", method: "GET", path: "Observation/1/_history/2/$meta",
		want: view{Kind: smart.KindOperationInstance, Type: "Observation", ID: "1",
			Version: "2", Operation: "meta"},
		needs: "Observation:r"},
	{name: "versions", method: "GET", path: "$versions",
		want: view{Kind: smart.KindOperationSystem, Operation: "versions"}, needs: "public"},
	{name: "encounter everything", method: "GET", path: "Encounter/e1/$everything",
		want: view{Kind: smart.KindOperationInstance, Type: "Encounter", ID: "e1",
			Operation: "everything"},
		needs: "Encounter:r"},
	{name: "stats", method: "GET", path: "Observation/$stats",
		want:  view{Kind: smart.KindOperationType, Type: "Observation", Operation: "stats"},
		needs: "Observation:s"},
	{name: "match", method: "POST", path: "Patient/$match",
		want:  view{Kind: smart.KindOperationType, Type: "Patient", Operation: "match"},
		needs: "Patient:s"},
	{name: "document", method: "GET", path: "Composition/c1/$document",
		want: view{Kind: smart.KindOperationInstance, Type: "Composition", ID: "c1",
			Operation: "document"},
		needs: "Composition:r"},
	{name: "lookup", method: "GET", path: "CodeSystem/$lookup",
		want:  view{Kind: smart.KindOperationType, Type: "CodeSystem", Operation: "lookup"},
		needs: "CodeSystem:r"},
	{name: "translate on an instance", method: "POST", path: "ConceptMap/m/$translate",
		want: view{Kind: smart.KindOperationInstance, Type: "ConceptMap", ID: "m",
			Operation: "translate"},
		needs: "ConceptMap:r"},
	{name: "convert", method: "POST", path: "$convert",
		want: view{Kind: smart.KindOperationSystem, Operation: "convert"}, needs: "token"},
	{name: "system meta", method: "GET", path: "$meta",
		want: view{Kind: smart.KindOperationSystem, Operation: "meta"}, needs: "any:s"},
	{name: "type meta", method: "GET", path: "Condition/$meta",
		want:  view{Kind: smart.KindOperationType, Type: "Condition", Operation: "meta"},
		needs: "Condition:s"},
	{name: "unknown type operation", method: "POST", path: "Observation/$purge",
		want:  view{Kind: smart.KindOperationType, Type: "Observation", Operation: "purge"},
		needs: "refused"},
	{name: "unknown system operation", method: "POST", path: "$reindex",
		want: view{Kind: smart.KindOperationSystem, Operation: "reindex"}, needs: "refused"},
	{name: "lastn on another type", method: "GET", path: "Condition/$lastn",
		want:  view{Kind: smart.KindOperationType, Type: "Condition", Operation: "lastn"},
		needs: "refused"},
}

func TestParseInteraction(t *testing.T) {
	for _, tc := range interactionCases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.ifNoneExist {
				h.Add("If-None-Exist", v)
			}
			in, err := smart.ParseInteraction(tc.method, tc.path, tc.query, h)
			if err != nil {
				t.Fatalf("ParseInteraction: %v", err)
			}
			if got := viewOf(in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("interaction\n got %+v\nwant %+v", got, tc.want)
			}
			if got := needs(in.Required()); got != tc.needs {
				t.Errorf("Required() = %s, want %s", got, tc.needs)
			}
		})
	}
}

func TestParseInteractionRefuses(t *testing.T) {
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, method, path, query string
		header                    http.Header
		status                    int
		allow                     string
	}{
		{name: "encoded slash after dots", path: "Patient/..%2FObservation"},
		{name: "encoded slash in type", path: "Patient%2F1"},
		{name: "lower-case encoded slash", path: "Patient/1%2f2"},
		{name: "encoded dot segment", path: "Patient/%2e%2e"},
		{name: "upper-case encoded dot segment", path: "Patient/%2E"},
		{name: "empty segment", path: "Patient//1"},
		{name: "leading double slash", path: "//Patient/1"},
		{name: "trailing slash", path: "Patient/1/"},
		{name: "dot-dot segment", path: "Observation/1/../2"},
		{name: "dot segment first", path: "./Patient"},
		{name: "lower-case type", path: "patient/1"},
		{name: "one-letter type", path: "P/1"},
		{name: "type with digit", path: "Patient2/1"},
		{name: "id of 65 characters", path: "Patient/" + long},
		{name: "id with underscore", path: "Patient/a_b"},
		{name: "encoded NUL", path: "Patient/1%00"},
		{name: "raw NUL", path: "Patient/1\x00"},
		{name: "raw newline", path: "Patient/1\n"},
		{name: "backslash", path: `Patient\1`},
		{name: "encoded backslash", path: "Patient/%5C1"},
		{name: "double-encoded slash", path: "Patient/%252F"},
		{name: "bad percent-encoding", path: "Patient/%zz"},
		{name: "non-ASCII id", path: "Patient/%C3%A9"},
		{name: "too many segments", path: "Patient/1/_history/2/$meta/x"},
		{name: "unknown keyword at system level", path: "_foo"},
		{name: "unknown keyword at type level", path: "Patient/_foo"},
		{name: "search below an instance", path: "Patient/1/_search"},
		{name: "lower-case compartment type", path: "Patient/1/observation"},
		{name: "compartment search too deep", path: "Patient/1/Observation/x"},
		{name: "every-type search too deep", path: "Patient/1/*/x"},
		{name: "segment after an operation", path: "Patient/1/$everything/x"},
		{name: "empty operation name", path: "Patient/$"},
		{name: "operation name with a dot", path: "Patient/$every.thing"},
		{name: "version that is a keyword", path: "Patient/1/_history/_x"},
		{name: "non-operation after a version", path: "Patient/1/_history/2/meta"},
		{name: "star as type", path: "*"},
		{name: "star as id", path: "Patient/*"},
		{name: "conditional update without criteria", method: "PUT", path: "Observation"},
		{name: "conditional delete without criteria", method: "DELETE", path: "Observation"},
		{name: "_type naming a lower-case type", path: "", query: "_type=observation"},
		{name: "empty _type", path: "", query: "_type="},
		{name: "_type with an empty item", path: "", query: "_type=Observation,,Condition"},
		{name: "_type with bad encoding", path: "", query: "_type=%zz"},
		{name: "_type behind a semicolon", path: "", query: "x=1;_type=patient"},
		{name: "_type naming more types than FHIR has", path: "",
			query: "_type=" + strings.Join(manyTypes(257), ",")},
		{name: "_type naming more types than FHIR has, in pieces", path: "",
			query: "_type=" + strings.Join(manyTypes(257), "&_type=")},
		{name: "repeated If-None-Exist", method: "POST", path: "Observation",
			header: http.Header{"If-None-Exist": {"a=1", "b=2"}}},
		{name: "POST on an instance", method: "POST", path: "Patient/1",
			status: 405, allow: "GET, HEAD, PUT, PATCH, DELETE"},
		{name: "DELETE on metadata", method: "DELETE", path: "metadata",
			status: 405, allow: "GET, HEAD"},
		{name: "PUT on _search", method: "PUT", path: "Observation/_search", status: 405,
			allow: "GET, HEAD, POST"},
		{name: "PUT at the base", method: "PUT", path: "", status: 405,
			allow: "GET, HEAD, POST"},
		{name: "lower-case method", method: "get", path: "Patient/1", status: 405,
			allow: "GET, HEAD, PUT, PATCH, DELETE"},
		{name: "OPTIONS on a type", method: "OPTIONS", path: "Patient", status: 405,
			allow: "GET, HEAD, POST, PUT, PATCH, DELETE"},
		{name: "PUT on an operation", method: "PUT", path: "Patient/1/$everything",
			status: 405, allow: "GET, HEAD, POST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			in, err := smart.ParseInteraction(method, tc.path, tc.query, tc.header)
			if !errors.Is(err, smart.ErrBadRequest) {
				t.Fatalf("ParseInteraction = %+v, %v; want ErrBadRequest", viewOf(in), err)
			}
			var re *smart.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("error %T is not a *RequestError", err)
			}
			status := tc.status
			if status == 0 {
				status = http.StatusBadRequest
			}
			if re.Status != status || re.Allow != tc.allow {
				t.Errorf("status %d, Allow %q; want %d, %q", re.Status, re.Allow, status, tc.allow)
			}
			if viewOf(in).Kind != 0 {
				t.Errorf("refused request still yields kind %v", in.Kind)
			}
		})
	}
}

// manyTypes returns n distinct names of resource-type form: Taaa, Taab...
func manyTypes(n int) []string {
	types := make([]string, n)
	for i := range types {
		types[i] = "T" + string(rune('a'+i/676%26)) + string(rune('a'+i/26%26)) +
			string(rune('a'+i%26))
	}
	return types
}

// TestParseInteractionManyTypes checks that _type may name as many types as
// a server could have, repeated any number of times.
func TestParseInteractionManyTypes(t *testing.T) {
	types := manyTypes(256)
	query := "_type=" + strings.Join(types, ",") + strings.Repeat("&_type=Taaa", 1000)
	in, err := smart.ParseInteraction("GET", "", query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.Types, types) {
		t.Errorf("Types has %d types, want the %d named", len(in.Types), len(types))
	}
}

func TestRequestErrorNeverEchoesTheRequest(t *testing.T) {
	for _, path := range []string{"Patient/Jane%20Doe", "jane.doe@example.org/1",
		"Patient/1/_history/SSN123%2F", "Patient/1/observation-of-jane"} {
		_, err := smart.ParseInteraction("GET", path, "", nil)
		if err == nil {
			t.Fatalf("%s: accepted", path)
		}
		for _, word := range []string{"Jane", "jane", "SSN", "doe"} {
			if strings.Contains(err.Error(), word) {
				t.Errorf("%s: error %q repeats %q from the request", path, err, word)
			}
		}
	}
}

func TestKindString(t *testing.T) {
	cases := map[smart.Kind]string{
		smart.KindRead:              "read",
		smart.KindSearchCompartment: "search-compartment",
		smart.KindOperationInstance: "operation-instance",
		0:                           "Kind(0)",
		200:                         "Kind(200)",
	}
	for k, want := range cases {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(k), got, want)
		}
	}
}
