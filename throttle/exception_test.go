package throttle_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/throttle"
)

func TestGroundsAreClosedEnumerations(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[throttle.Exception](), reflect.TypeFor[throttle.Resource](),
	} {
		if typ.Kind() != reflect.Struct {
			t.Errorf("%v is a %v: a string or number type could be converted from any value",
				typ, typ.Kind())
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.IsExported() {
				t.Errorf("%v has exported field %s: values could be made outside the package",
					typ, f.Name)
			}
		}
	}
}

func TestUnmarshalTextRefusesOtherGrounds(t *testing.T) {
	for _, text := range []string{"cost", "revenue", "competition", "171.205(c)", "171.204",
		"171.205(B)", " 171.205(b)", "CPU", "cost_of_cpu"} {
		e, r := throttle.ExceptionMaintenance, throttle.ResourceCPU
		errE, errR := e.UnmarshalText([]byte(text)), r.UnmarshalText([]byte(text))
		if errE == nil || e != throttle.ExceptionMaintenance {
			t.Errorf("Exception accepted %q (or changed to %v)", text, e)
		}
		if errR == nil || r != throttle.ResourceCPU {
			t.Errorf("Resource accepted %q (or changed to %v)", text, r)
		}
		if errE != nil && !strings.Contains(errE.Error(), "exception") {
			t.Errorf("error %q does not name the field", errE)
		}
	}
	var e throttle.Exception
	if err := e.UnmarshalText([]byte("171.203(e)")); err != nil ||
		e != throttle.ExceptionSecurityDetermination {
		t.Errorf("UnmarshalText(171.203(e)) = %v, %v", e, err)
	}
}

// fieldPaths lists the JSON paths of every field reachable from typ.
func fieldPaths(typ reflect.Type, prefix string) []string {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	own := reflect.TypeFor[throttle.Limit]().PkgPath()
	if typ.Kind() != reflect.Struct || typ.PkgPath() != own {
		return nil
	}
	var paths []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if y, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); y != name {
			paths = append(paths, "MISMATCH "+name+"/"+y)
		}
		paths = append(paths, prefix+name)
		paths = append(paths, fieldPaths(f.Type, prefix+name+".")...)
	}
	return paths
}

// TestJustificationHasOnlyTheseFields fails when a field is added: a
// free-text reason, a second limit or a per-client table must not appear
// without this list, and the review it stands for, changing.
func TestJustificationHasOnlyTheseFields(t *testing.T) {
	got := fieldPaths(reflect.TypeFor[throttle.Justification](), "")
	want := []string{
		"id", "exception", "resource", "evidence", "evidence.metric", "evidence.unit",
		"evidence.baseline", "evidence.observed", "evidence.measured_at",
		"evidence.served_rate_per_key", "evidence.observed_rate_per_key",
		"limit", "limit.requests_per_second", "limit.burst", "traffic_class",
		"window", "window.start", "window.end", "window.review",
		"approver", "approver.name", "approver.role", "approver.approved_at", "sla",
		"policy", "policy.document", "policy.risk_assessment", "policy.standard",
		"policy.incident_timeframes", "policy.incident_timeframes.identify",
		"policy.incident_timeframes.respond", "policy.incident_timeframes.resolve",
		"determination", "determination.finding", "determination.determined_at",
		"determination.alternatives", "determination.alternatives.description",
		"determination.alternatives.insufficient", "contact",
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields:\n got %q\nwant %q", got, want)
	}
}

// TestNoWayToLimitClientsDifferently fails when Config or Justification
// gains a map, or a Limit anywhere but Justification.Limit: the same limit
// must apply to every key.
func TestNoWayToLimitClientsDifferently(t *testing.T) {
	limits := 0
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		switch typ.Kind() {
		case reflect.Map:
			t.Errorf("%s is a map: it could hold per-client settings", path)
		case reflect.Pointer, reflect.Slice:
			walk(typ.Elem(), path)
		case reflect.Struct:
			if typ == reflect.TypeFor[throttle.Limit]() {
				limits++
			}
			if typ.PkgPath() != reflect.TypeFor[throttle.Limit]().PkgPath() {
				return
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				if f.IsExported() {
					walk(f.Type, path+"."+f.Name)
				}
			}
		}
	}
	walk(reflect.TypeFor[throttle.Justification](), "Justification")
	walk(reflect.TypeFor[throttle.Config](), "Config")
	if limits != 1 {
		t.Errorf("found %d Limit fields, want exactly 1", limits)
	}
	var names []string
	for i := range reflect.TypeFor[throttle.Config]().NumField() {
		f := reflect.TypeFor[throttle.Config]().Field(i)
		names = append(names, f.Name)
	}
	want := []string{"Now", "Audit", "Store", "MaxKeys", "TrustedProxies"}
	if !slices.Equal(names, want) {
		t.Errorf("Config fields %v, want %v: a new field must not key or limit clients apart",
			names, want)
	}
}
