package smart_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

const labCategory = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"

// scopeCase is one scope string and what ParseScopes must make of it: either
// the resource scope it grants, a reason (substring) why it is malformed, or
// that it grants no data at all.
type scopeCase struct {
	name  string
	in    string
	want  *smart.Scope // a well-formed resource scope
	bad   string       // a substring of the reason when malformed
	other bool         // kept, but grants no data
}

func rs(ctx smart.Context, typ string, p smart.Permissions, v1 bool, params ...smart.Param) *smart.Scope {
	return &smart.Scope{Context: ctx, Type: typ, Permissions: p, V1: v1, Params: params}
}

const (
	pRS   = smart.PermRead | smart.PermSearch
	pCUD  = smart.PermCreate | smart.PermUpdate | smart.PermDelete
	patCx = smart.ContextPatient
	usrCx = smart.ContextUser
	sysCx = smart.ContextSystem
)

var scopeCases = []scopeCase{
	// SMART v1.
	{name: "v1 read", in: "patient/Observation.read", want: rs(patCx, "Observation", pRS, true)},
	{name: "v1 write", in: "patient/Observation.write", want: rs(patCx, "Observation", pCUD, true)},
	{name: "v1 star", in: "patient/Observation.*", want: rs(patCx, "Observation", smart.PermAll, true)},
	{name: "v1 wildcard type", in: "patient/*.read", want: rs(patCx, "*", pRS, true)},
	{name: "v1 user", in: "user/Practitioner.read", want: rs(usrCx, "Practitioner", pRS, true)},
	{name: "v1 system all", in: "system/*.*", want: rs(sysCx, "*", smart.PermAll, true)},

	// SMART v2.
	{name: "v2 rs", in: "patient/Observation.rs", want: rs(patCx, "Observation", pRS, false)},
	{name: "v2 r", in: "patient/Patient.r", want: rs(patCx, "Patient", smart.PermRead, false)},
	{name: "v2 s", in: "patient/Condition.s", want: rs(patCx, "Condition", smart.PermSearch, false)},
	{name: "v2 cruds", in: "user/Observation.cruds", want: rs(usrCx, "Observation", smart.PermAll, false)},
	{name: "v2 cud", in: "user/Observation.cud", want: rs(usrCx, "Observation", pCUD, false)},
	{name: "v2 cu", in: "patient/Observation.cu",
		want: rs(patCx, "Observation", smart.PermCreate|smart.PermUpdate, false)},
	{name: "v2 ds", in: "patient/Observation.ds",
		want: rs(patCx, "Observation", smart.PermDelete|smart.PermSearch, false)},
	{name: "v2 wildcard", in: "patient/*.rs", want: rs(patCx, "*", pRS, false)},
	{name: "v2 system", in: "system/Patient.rs", want: rs(sysCx, "Patient", pRS, false)},
	{name: "v2 system wildcard", in: "system/*.cruds", want: rs(sysCx, "*", smart.PermAll, false)},

	// Granular scopes.
	{name: "granular category", in: "patient/Observation.rs?category=" + labCategory,
		want: rs(patCx, "Observation", pRS, false, smart.Param{Name: "category", Value: labCategory})},
	{name: "granular two conditions",
		in: "patient/Condition.rs?category=http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern&clinical-status=active",
		want: rs(patCx, "Condition", pRS, false,
			smart.Param{Name: "category", Value: "http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern"},
			smart.Param{Name: "clinical-status", Value: "active"})},
	{name: "granular percent-encoded", in: "patient/Observation.rs?code=http://loinc.org%7C1234-5",
		want: rs(patCx, "Observation", pRS, false, smart.Param{Name: "code", Value: "http://loinc.org|1234-5"})},
	{name: "granular modifier", in: "user/Observation.rs?code:below=http://loinc.org|1",
		want: rs(usrCx, "Observation", pRS, false, smart.Param{Name: "code:below", Value: "http://loinc.org|1"})},
	{name: "granular security", in: "patient/*.rs?_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N",
		want: rs(patCx, "*", pRS, false,
			smart.Param{Name: "_security", Value: "http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N"})},

	// Malformed: permissions.
	{name: "out of order dus", in: "patient/Observation.dus", bad: "out of order"},
	{name: "out of order sr", in: "patient/Observation.sr", bad: "out of order"},
	{name: "repeated letter", in: "patient/Observation.rrs", bad: "out of order or repeated"},
	{name: "unknown letter", in: "patient/Observation.rx", bad: `unknown permission "x"`},
	{name: "empty permissions", in: "patient/Observation.", bad: "missing permissions"},
	{name: "no permissions", in: "patient/Observation", bad: "missing permissions"},
	{name: "upper-case letters", in: "patient/Observation.RS", bad: "unknown permission"},
	{name: "v1 with conditions", in: "patient/Observation.read?category=" + labCategory, bad: "need SMART v2"},

	// Malformed: type and context.
	{name: "lower-case type", in: "patient/observation.rs", bad: "upper-case"},
	{name: "empty type", in: "patient/.rs", bad: "missing resource type"},
	{name: "type with digit", in: "patient/Obs3rvation.rs", bad: "only ASCII letters"},
	{name: "star context", in: "*/Observation.read", bad: "context must be"},
	{name: "capitalised context", in: "Patient/Observation.rs", bad: "context must be"},
	{name: "missing context", in: "Observation.read", bad: "missing context"},
	{name: "missing context v2", in: "Observation.rs", bad: "missing context"},
	{name: "missing context wildcard", in: "*.read", bad: "missing context"},

	// Malformed: conditions.
	{name: "empty suffix", in: "patient/Observation.rs?", bad: "empty condition"},
	{name: "empty value", in: "patient/Observation.rs?category=", bad: "name=value"},
	{name: "empty name", in: "patient/Observation.rs?=x", bad: "name=value"},
	{name: "no equals", in: "patient/Observation.rs?category", bad: "name=value"},
	{name: "double ampersand", in: "patient/Observation.rs?a=b&&c=d", bad: "between &"},
	{name: "trailing ampersand", in: "patient/Observation.rs?a=b&", bad: "between &"},
	{name: "bad percent", in: "patient/Observation.rs?code=%zz", bad: "percent-encoding"},
	{name: "bad parameter name", in: "patient/Observation.rs?ca$t=x", bad: "not a search parameter name"},

	// Identity, launch and unknown scopes: kept, grant no data.
	{name: "openid", in: "openid", other: true},
	{name: "fhirUser", in: "fhirUser", other: true},
	{name: "profile", in: "profile", other: true},
	{name: "launch", in: "launch", other: true},
	{name: "launch patient", in: "launch/patient", other: true},
	{name: "launch encounter", in: "launch/encounter", other: true},
	{name: "offline access", in: "offline_access", other: true},
	{name: "online access", in: "online_access", other: true},
	{name: "unknown URL scope", in: "https://example.org/scopes/custom", other: true},
	{name: "unknown word", in: "email", other: true},
}

func TestParseScopesTable(t *testing.T) {
	if len(scopeCases) < 40 {
		t.Fatalf("only %d cases; the table must cover at least 40", len(scopeCases))
	}
	for _, tc := range scopeCases {
		t.Run(tc.name, func(t *testing.T) {
			got := smart.ParseScopes(tc.in)
			total := len(got.Resource) + len(got.Other) + len(got.Malformed)
			if total != 1 {
				t.Fatalf("ParseScopes(%q) filed %d scopes, want 1: %+v", tc.in, total, got)
			}
			switch {
			case tc.want != nil:
				checkResourceScope(t, tc.in, got, *tc.want)
			case tc.bad != "":
				checkMalformed(t, tc.in, got, tc.bad)
			default:
				if len(got.Other) != 1 || got.Other[0] != tc.in {
					t.Fatalf("ParseScopes(%q).Other = %q, want it kept as a non-data scope", tc.in, got.Other)
				}
				if got.Allows("Patient", smart.PermRead) {
					t.Errorf("%q grants data", tc.in)
				}
			}
		})
	}
}

func checkResourceScope(t *testing.T, in string, got smart.Scopes, want smart.Scope) {
	t.Helper()
	if len(got.Resource) != 1 {
		t.Fatalf("ParseScopes(%q): malformed %v, other %q; want a resource scope",
			in, got.Malformed, got.Other)
	}
	want.Raw = in
	if !reflect.DeepEqual(got.Resource[0], want) {
		t.Errorf("ParseScopes(%q)\n got %+v\nwant %+v", in, got.Resource[0], want)
	}
	sc, err := smart.ParseScope(in)
	if err != nil || !reflect.DeepEqual(sc, want) {
		t.Errorf("ParseScope(%q) = %+v, %v; want %+v", in, sc, err, want)
	}
}

func checkMalformed(t *testing.T, in string, got smart.Scopes, reason string) {
	t.Helper()
	if len(got.Malformed) != 1 {
		t.Fatalf("ParseScopes(%q) = %+v; want it malformed (%s)", in, got, reason)
	}
	m := got.Malformed[0]
	if m.Scope != in || !strings.Contains(m.Reason, reason) {
		t.Errorf("malformed = %+v, want scope %q with a reason containing %q", m, in, reason)
	}
	if !strings.Contains(m.Error(), in) {
		t.Errorf("Error() = %q does not name the scope", m.Error())
	}
	if _, err := smart.ParseScope(in); err == nil {
		t.Errorf("ParseScope(%q) accepted a malformed scope", in)
	}
}

func TestParseScopesKeepsGoodScopesBesideBadOnes(t *testing.T) {
	got := smart.ParseScopes("launch/patient patient/Observation.sr openid patient/Condition.rs")

	if len(got.Resource) != 1 || got.Resource[0].Type != "Condition" {
		t.Fatalf("Resource = %+v, want only the Condition scope", got.Resource)
	}
	if !got.Allows("Condition", smart.PermSearch) {
		t.Error("the well-formed Condition scope must still grant search")
	}
	if got.Allows("Observation", smart.PermRead) || got.Allows("Observation", smart.PermSearch) {
		t.Error("the malformed Observation scope must grant nothing")
	}
	if want := []string{"launch/patient", "openid"}; !reflect.DeepEqual(got.Other, want) {
		t.Errorf("Other = %q, want %q", got.Other, want)
	}
}

func TestParseScopesDuplicates(t *testing.T) {
	got := smart.ParseScopes("patient/Observation.rs  patient/Observation.rs\topenid openid " +
		"patient/Observation.sr patient/Observation.sr")

	if len(got.Resource) != 1 || len(got.Other) != 1 || len(got.Malformed) != 1 {
		t.Errorf("got %d resource, %d other, %d malformed; want each duplicate kept once",
			len(got.Resource), len(got.Other), len(got.Malformed))
	}
}

func TestParseScopeListMatchesString(t *testing.T) {
	list := []string{"patient/Observation.rs", "openid fhirUser", "patient/Observation.rs"}

	got := smart.ParseScopeList(list)
	want := smart.ParseScopes("patient/Observation.rs openid fhirUser")

	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseScopeList = %+v\nParseScopes  = %+v", got, want)
	}
}

func TestScopesAllows(t *testing.T) {
	s := smart.ParseScopes("patient/Observation.rs?category=" + labCategory +
		" patient/Condition.r user/*.c system/Patient.read")

	tests := []struct {
		typ  string
		p    smart.Permissions
		want bool
	}{
		{"Observation", smart.PermSearch, true}, // granular scopes grant at the interaction level
		{"Observation", smart.PermRead, true},
		{"Observation", smart.PermUpdate, false},
		{"Condition", smart.PermRead, true},
		{"Condition", smart.PermSearch, false},
		{"Encounter", smart.PermCreate, true}, // user/*.c
		{"Encounter", smart.PermRead, false},
		{"Patient", pRS, true},
		{"Patient", smart.PermDelete, false},
	}
	for _, tc := range tests {
		if got := s.Allows(tc.typ, tc.p); got != tc.want {
			t.Errorf("Allows(%s, %s) = %v, want %v", tc.typ, tc.p, got, tc.want)
		}
	}
	if !s.HasContext(smart.ContextPatient) || !s.HasContext(smart.ContextSystem) {
		t.Error("HasContext misses a context the scopes use")
	}
	if smart.ParseScopes("openid user/Patient.r").HasContext(smart.ContextPatient) {
		t.Error("HasContext(patient) true without a patient/ scope")
	}
}

func TestPermissionsString(t *testing.T) {
	for p, want := range map[smart.Permissions]string{
		0: "", pRS: "rs", pCUD: "cud", smart.PermAll: "cruds", smart.PermUpdate: "u",
	} {
		if got := p.String(); got != want {
			t.Errorf("Permissions(%d).String() = %q, want %q", p, got, want)
		}
	}
}

func TestScopesString(t *testing.T) {
	in := "patient/Observation.rs openid patient/Observation.sr"
	if got := smart.ParseScopes(in); got.String() != in {
		t.Errorf("String() = %q, want %q", got.String(), in)
	}
}
