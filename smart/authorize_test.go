package smart_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

// grantWith returns a grant for patient 123 with the given scope string.
func grantWith(scopes string) *smart.Grant {
	return &smart.Grant{
		ClientID: "app", Patient: "123", TokenID: "t1",
		Scopes: smart.ParseScopes(scopes),
	}
}

func mustParse(t *testing.T, method, target string) smart.Interaction {
	t.Helper()
	path, query, _ := strings.Cut(target, "?")
	in, err := smart.ParseInteraction(method, path, query, nil)
	if err != nil {
		t.Fatalf("ParseInteraction(%s %s): %v", method, target, err)
	}
	return in
}

func TestAuthorize(t *testing.T) {
	cases := []struct {
		name, scopes, method, target string
		missing                      []smart.Need // nil: allowed
		hint                         string
	}{
		{name: "read with rs", scopes: "patient/Observation.rs",
			method: "GET", target: "Observation/1"},
		{name: "read with search only", scopes: "patient/Observation.s",
			method: "GET", target: "Observation/1",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermRead}},
			hint:    "patient/Observation.r"},
		{name: "read with a wildcard type", scopes: "user/*.r",
			method: "GET", target: "Observation/1"},
		{name: "read with a granular scope", scopes: "patient/Observation.rs?category=" +
			"http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
			method: "GET", target: "Observation/1"},
		{name: "read another type", scopes: "patient/Condition.rs",
			method: "GET", target: "Observation/1",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermRead}},
			hint:    "patient/Observation.r"},
		{name: "v1 token gets a v1 hint", scopes: "patient/Condition.read",
			method: "GET", target: "Observation/1",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermRead}},
			hint:    "patient/Observation.read"},
		{name: "v1 write hint", scopes: "patient/Condition.read",
			method: "DELETE", target: "Observation/1",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermDelete}},
			hint:    "patient/Observation.write"},
		{name: "user token gets a user hint", scopes: "user/Condition.rs",
			method: "POST", target: "Observation",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermCreate}},
			hint:    "user/Observation.c"},
		{name: "v1 write covers update", scopes: "patient/Observation.write",
			method: "PUT", target: "Observation/1"},
		{name: "conditional update needs search too", scopes: "patient/Observation.u",
			method: "PUT", target: "Observation?identifier=1",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermSearch}},
			hint:    "patient/Observation.s"},
		{name: "conditional update from two scopes", scopes: "patient/Observation.u " +
			"patient/Observation.s", method: "PUT", target: "Observation?identifier=1"},
		{name: "conditional delete with d only", scopes: "patient/Observation.d",
			method: "DELETE", target: "Observation?code=1",
			missing: []smart.Need{{Type: "Observation", Permissions: smart.PermSearch}},
			hint:    "patient/Observation.s"},
		{name: "system search without _type and any search scope",
			scopes: "patient/Observation.rs", method: "GET", target: ""},
		{name: "system search without any search scope", scopes: "patient/Observation.r",
			method: "GET", target: "",
			missing: []smart.Need{{Permissions: smart.PermSearch}}, hint: "patient/*.s"},
		{name: "system search with a _type not granted",
			scopes: "patient/Observation.rs", method: "GET",
			target:  "?_type=Observation,Condition,Encounter",
			missing: []smart.Need{{"Condition", smart.PermSearch}, {"Encounter", smart.PermSearch}},
			hint:    "patient/Condition.s patient/Encounter.s"},
		{name: "system search with every _type granted",
			scopes: "patient/Observation.rs patient/Condition.s", method: "GET",
			target: "?_type=Observation,Condition"},
		{name: "compartment search", scopes: "patient/Observation.rs",
			method: "GET", target: "Patient/123/Observation"},
		{name: "compartment search of a type not granted", scopes: "patient/Observation.rs",
			method: "GET", target: "Patient/123/Condition",
			missing: []smart.Need{{"Condition", smart.PermSearch}},
			hint:    "patient/Condition.s"},
		{name: "batch with a resource scope", scopes: "patient/Observation.r",
			method: "POST", target: ""},
		{name: "batch without a resource scope", scopes: "openid fhirUser launch/patient",
			method: "POST", target: "",
			missing: []smart.Need{{}}},
		{name: "everything with read on Patient", scopes: "patient/Patient.r",
			method: "GET", target: "Patient/123/$everything"},
		{name: "everything without Patient", scopes: "patient/Observation.rs",
			method: "GET", target: "Patient/123/$everything",
			missing: []smart.Need{{"Patient", smart.PermRead}},
			hint:    "patient/Patient.r"},
		{name: "group export with system scopes but no Group",
			scopes: "system/Observation.rs", method: "GET", target: "Group/g/$export",
			missing: []smart.Need{{"Group", smart.PermRead}}, hint: "system/Group.r"},
		{name: "group export", scopes: "system/Group.r system/Observation.rs",
			method: "GET", target: "Group/g/$export"},
		{name: "type-level validate with an identity-only token", scopes: "openid",
			method: "POST", target: "Observation/$validate"},
		{name: "unknown operation with every scope", scopes: "user/*.cruds",
			method: "POST", target: "Observation/$purge", missing: []smart.Need{}},
		{name: "capabilities", scopes: "", method: "GET", target: "metadata"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := smart.Authorize(grantWith(tc.scopes), mustParse(t, tc.method, tc.target))
			if tc.missing == nil {
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				return
			}
			var ise *smart.InsufficientScopeError
			if !errors.As(err, &ise) || !errors.Is(err, smart.ErrInsufficientScope) {
				t.Fatalf("Authorize = %v, want an InsufficientScopeError", err)
			}
			if !reflect.DeepEqual(ise.Missing, tc.missing) && len(tc.missing)+len(ise.Missing) > 0 {
				t.Errorf("Missing = %+v, want %+v", ise.Missing, tc.missing)
			}
			if ise.Scope != tc.hint {
				t.Errorf("Scope = %q, want %q", ise.Scope, tc.hint)
			}
		})
	}
}

func TestAuthorizeWithoutGrant(t *testing.T) {
	if err := smart.Authorize(nil, mustParse(t, "GET", "metadata")); err != nil {
		t.Errorf("metadata without a grant: %v", err)
	}
	err := smart.Authorize(nil, mustParse(t, "GET", "Patient/1"))
	if !errors.Is(err, smart.ErrNoToken) {
		t.Errorf("read without a grant: %v, want ErrNoToken", err)
	}
}

func TestAuthorizeRefusesTheZeroInteraction(t *testing.T) {
	err := smart.Authorize(grantWith("user/*.cruds"), smart.Interaction{})
	if !errors.Is(err, smart.ErrInsufficientScope) {
		t.Errorf("zero Interaction: %v, want ErrInsufficientScope", err)
	}
}

func TestAuthorizeRefusesHandBuiltInteractionsWithoutType(t *testing.T) {
	for _, in := range []smart.Interaction{
		{Kind: smart.KindRead, ID: "1"},
		{Kind: smart.KindSearchCompartment, Compartment: smart.Compartment{Type: "Patient", ID: "1"}},
		{Kind: smart.KindOperationInstance, ID: "1", Operation: "meta"},
	} {
		if err := smart.Authorize(grantWith("user/*.cruds"), in); err == nil {
			t.Errorf("%+v without a type was authorized", in)
		}
	}
}

func TestAuthorizeHandBuiltOperation(t *testing.T) {
	in := smart.Interaction{Kind: smart.KindOperationInstance, Type: "Patient", ID: "1",
		Operation: "everything"}
	if err := smart.Authorize(grantWith("patient/Patient.r"), in); err != nil {
		t.Errorf("built-in operation built by hand: %v", err)
	}
	in.Operation = "purge"
	if err := smart.Authorize(grantWith("user/*.cruds"), in); err == nil {
		t.Error("unknown operation built by hand was authorized")
	}
}

func TestInsufficientScopeErrorText(t *testing.T) {
	err := smart.Authorize(grantWith("patient/Observation.rs"),
		mustParse(t, "GET", "?_type=Observation,Condition"))
	want := `smart: insufficient scope: search-system needs "s" on Condition`
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	err = smart.Authorize(grantWith("user/*.cruds"), mustParse(t, "POST", "$reindex"))
	if err == nil || !strings.Contains(err.Error(), "operation $reindex is not enabled") {
		t.Errorf("unknown operation error %q", err)
	}
}

func TestParseEntry(t *testing.T) {
	cases := []struct {
		name, method, url, ifNoneExist string
		want                           view
	}{
		{name: "read", method: "GET", url: "Patient/1",
			want: view{Kind: smart.KindRead, Type: "Patient", ID: "1"}},
		{name: "conditional delete", method: "DELETE", url: "Observation?code=1",
			want: view{Kind: smart.KindDelete, Type: "Observation", Conditional: true,
				Criteria: "code=1", Query: "code=1"}},
		{name: "conditional create", method: "POST", url: "Observation",
			ifNoneExist: "identifier=1",
			want: view{Kind: smart.KindCreate, Type: "Observation", Conditional: true,
				Criteria: "identifier=1"}},
		{name: "search", method: "GET", url: "Observation?subject=Patient/2",
			want: view{Kind: smart.KindSearchType, Type: "Observation",
				Query: "subject=Patient/2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := smart.ParseEntry(tc.method, tc.url, tc.ifNoneExist)
			if err != nil {
				t.Fatal(err)
			}
			if got := viewOf(in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, bad := range []struct{ method, url string }{
		{"POST", ""}, {"POST", "?x=1"}, {"GET", "http://example.org/fhir/Patient/1"},
		{"GET", "Patient/1#x"}, {"GET", "Patient/../Observation/1"},
	} {
		if _, err := smart.ParseEntry(bad.method, bad.url, ""); !errors.Is(err, smart.ErrBadRequest) {
			t.Errorf("ParseEntry(%s %q) = %v, want ErrBadRequest", bad.method, bad.url, err)
		}
	}
}
