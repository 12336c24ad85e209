package sqlstore

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
)

// stamp checks that data is a JSON object for a resource of type typ whose
// id, if present, is id, and returns it compacted, with resourceType
// first, then id, then meta carrying versionId vid and lastUpdated at,
// then the other members in their order. It refuses a repeated member at
// the top level or in meta, and bytes that are not UTF-8 (which the
// re-encoding of member names would otherwise replace silently), with an
// error matching compartment.ErrInvalid.
func stamp(data []byte, typ, id, vid string, at time.Time) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, invalidJSON(errors.New("not UTF-8"))
	}
	obj, err := fhirjson.Parse(data)
	if err != nil {
		return nil, invalidJSON(err)
	}
	if s, ok := obj.String("resourceType"); !ok || s != typ {
		return nil, invalidJSON(fmt.Errorf("resourceType does not match the resource"))
	}
	if v := obj.Get("id"); v != nil {
		if s, ok := obj.String("id"); !ok || s != id {
			return nil, invalidJSON(fmt.Errorf("id does not match the resource"))
		}
	}
	meta := fhirjson.Object{}
	if v := obj.Get("meta"); v != nil {
		if meta, err = fhirjson.Parse(v); err != nil {
			return nil, invalidJSON(fmt.Errorf("meta: %w", err))
		}
	}
	meta.SetString("versionId", vid)
	meta.SetString("lastUpdated", at.UTC().Format("2006-01-02T15:04:05.000Z"))
	meta.First("versionId", "lastUpdated")
	obj.SetString("id", id)
	obj.Set("meta", meta.Encode())
	obj.First("resourceType", "id", "meta")
	return obj.Encode(), nil
}

// invalidJSON wraps a problem with a resource's JSON as ErrInvalid. The
// problem names members, never their values.
func invalidJSON(err error) error {
	return fmt.Errorf("sqlstore: resource JSON: %w: %w", compartment.ErrInvalid, err)
}
