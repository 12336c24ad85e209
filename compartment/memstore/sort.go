package memstore

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// sortKey is the value a resource sorts by for one parameter: its first
// value for the parameter. Resources without one sort last.
type sortKey struct {
	present bool
	t       time.Time
	n       float64
	s       string
}

// sort orders resources by the _sort keys, stably, so that resources
// equal on every key keep their creation order.
func (s *Store) sort(rs []compartment.Resource, keys []compartment.SortKey) error {
	if len(keys) == 0 {
		return nil
	}
	values := make([][]sortKey, len(rs))
	for i, r := range rs {
		for _, k := range keys {
			v, err := keyOf(r, k.Param)
			if err != nil {
				return err
			}
			values[i] = append(values[i], v)
		}
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return compareKeys(values[a], values[b], keys) })
	sorted := make([]compartment.Resource, len(rs))
	for i, j := range idx {
		sorted[i] = rs[j]
	}
	copy(rs, sorted)
	return nil
}

// keyOf extracts the sort key of r for a parameter.
func keyOf(r compartment.Resource, param string) (sortKey, error) {
	if param == "_id" {
		return sortKey{present: true, s: r.ID}, nil
	}
	d, ok := searchparam.Lookup(r.Type, param)
	if !ok || !d.Supported() {
		return sortKey{}, fmt.Errorf("memstore: cannot sort %s by %s: %w", r.Type, param,
			compartment.ErrInvalid)
	}
	ex, err := searchparam.NewExtractor(d)
	if err != nil {
		return sortKey{}, invalid(err)
	}
	var k sortKey
	err = ex.Extract(r.JSON, func(_ int, v searchparam.Value) {
		if !k.present {
			k = sortKey{present: true, t: v.Low, n: v.Num,
				s: strings.ToLower(v.Code + v.Str + v.Ref + v.Text)}
		}
	})
	if err != nil {
		return sortKey{}, nil // a key that cannot be read sorts last, like a missing one
	}
	return k, nil
}

// compareKeys compares two resources' keys in _sort order.
func compareKeys(a, b []sortKey, keys []compartment.SortKey) int {
	for i, k := range keys {
		c := compareKey(a[i], b[i])
		if c != 0 && k.Descending && a[i].present && b[i].present {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compareKey compares two keys; a missing key sorts after a present one.
func compareKey(a, b sortKey) int {
	switch {
	case a.present != b.present && a.present:
		return -1
	case a.present != b.present:
		return 1
	}
	if c := a.t.Compare(b.t); c != 0 {
		return c
	}
	if c := cmp.Compare(a.n, b.n); c != 0 {
		return c
	}
	return strings.Compare(a.s, b.s)
}
