package memstore

import (
	"fmt"
	"strings"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// test is one compiled condition on resources of one type.
type test func(r compartment.Resource) (bool, error)

// paramTest compiles a search parameter for resources of type typ.
// Chains and _has are evaluated against the stored resources once, when
// the test is compiled. The caller holds the read lock.
func (s *Store) paramTest(typ string, p compartment.Param) (test, error) {
	switch {
	case p.Has != nil:
		return s.hasTest(typ, p.Has)
	case len(p.Chain) > 0:
		return s.chainTest(typ, p)
	}
	key := p.Name
	if p.Modifier != "" {
		key += ":" + p.Modifier
	}
	c, err := searchparam.ParseCriterion(typ, key, strings.Join(p.Values, ","))
	if err != nil {
		return nil, invalid(err)
	}
	return func(r compartment.Resource) (bool, error) { return c.MatchResource(r.JSON) }, nil
}

// chainTest compiles subject:Patient.name=x: the keys of the target
// resources that meet the rest of the chain are collected first; a
// resource matches when its reference points to one of them.
func (s *Store) chainTest(typ string, p compartment.Param) (test, error) {
	d, ok := searchparam.Lookup(typ, p.Name)
	if !ok || d.Type != searchparam.Reference {
		return nil, fmt.Errorf("memstore: %s cannot be chained: %w", p.Name, compartment.ErrInvalid)
	}
	link := p.Chain[0]
	inner := compartment.Param{Name: link.Name, Chain: p.Chain[1:], Modifier: p.Modifier,
		Values: p.Values}
	targets := make(map[string]bool)
	for _, t := range d.Targets {
		if _, has := searchparam.Lookup(t, link.Name); !has || link.Type != "" && t != link.Type {
			continue
		}
		if err := s.collect(t, inner, func(r compartment.Resource) {
			targets[r.Reference()] = true
		}); err != nil {
			return nil, err
		}
	}
	return func(r compartment.Resource) (bool, error) {
		for _, ref := range refsOf(r, d) {
			if targets[ref] {
				return true, nil
			}
		}
		return false, nil
	}, nil
}

// hasTest compiles _has:Type:ref:param=x: the keys that resources of Type
// meeting param=x reference through ref are collected first.
func (s *Store) hasTest(typ string, h *compartment.Has) (test, error) {
	d, ok := searchparam.Lookup(h.Type, h.Ref)
	if !ok || d.Type != searchparam.Reference {
		return nil, fmt.Errorf("memstore: bad _has reference %s: %w", h.Ref, compartment.ErrInvalid)
	}
	referenced := make(map[string]bool)
	err := s.collect(h.Type, h.Param, func(r compartment.Resource) {
		for _, ref := range refsOf(r, d) {
			referenced[ref] = true
		}
	})
	if err != nil {
		return nil, err
	}
	return func(r compartment.Resource) (bool, error) {
		return referenced[r.Reference()], nil
	}, nil
}

// collect calls fn with every current resource of type typ that meets p
// (see all for resources that cannot be evaluated).
func (s *Store) collect(typ string, p compartment.Param, fn func(compartment.Resource)) error {
	t, err := s.paramTest(typ, p)
	if err != nil {
		return err
	}
	for _, key := range s.types[typ] {
		if r, ok := s.current(key); ok && all([]test{t}, r) {
			fn(r)
		}
	}
	return nil
}

// groupTest compiles an OR-group of constraint conditions.
func groupTest(g []compartment.Condition) (test, error) {
	crits := make([]*searchparam.Criterion, len(g))
	for i, c := range g {
		if c.Param == "" {
			continue
		}
		key := c.Param
		if c.Modifier != "" {
			key += ":" + c.Modifier
		}
		cr, err := searchparam.ParseCriterion(c.Type, key, c.Value)
		if err != nil {
			return nil, invalid(err)
		}
		crits[i] = cr
	}
	return func(r compartment.Resource) (bool, error) {
		for i, c := range g {
			if c.Type != r.Type {
				continue
			}
			if crits[i] == nil {
				return true, nil
			}
			if ok, err := crits[i].MatchResource(r.JSON); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}, nil
}

// refsOf returns the relative references ("Type/id") r holds through the
// reference definition d. Absolute references are not followed: this
// store does not know its own base URL.
func refsOf(r compartment.Resource, d *searchparam.Def) []string {
	ex, err := searchparam.NewExtractor(d)
	if err != nil || r.JSON == nil {
		return nil
	}
	var refs []string
	_ = ex.Extract(r.JSON, func(_ int, v searchparam.Value) {
		b, typ, id, ok := searchparam.ParseReferenceURL(v.Ref)
		if v.Kind == searchparam.KindReference && ok && b == "" {
			refs = append(refs, typ+"/"+id)
		}
	})
	return refs
}
