package compartment

import (
	"slices"
	"strings"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// Reasons a resource is withheld, as they appear in audit records.
const (
	reasonNoScope       = "no_scope"         // no scope reaches the type
	reasonOutsideGrant  = "outside_grant"    // the scopes, compartment or Narrow exclude it
	reasonInvalid       = "invalid_resource" // its JSON cannot be trusted
	reasonDeleted       = "deleted_version"  // a deletion entry cannot be checked
	reasonTypeMismatch  = "type_mismatch"    // the store returned another type
	reasonRule          = "rule"             // a custom rule returned false
	reasonRuleError     = "rule_error"       // a custom rule failed
	reasonUnlinked      = "include_unlinked" // an included resource no match points to
	maxIndirectTargets  = 16                 // Provenance targets examined
	maxIndirectLookups  = 4                  // Provenance targets read from the store
	reasonNarrowFailure = "narrow_error"     // Config.Narrow failed
)

// verdict is the outcome of checking one resource.
type verdict struct {
	ok      bool
	reason  string
	rule    string
	ruleErr error

	// shared reports that a patient/ path admitted the resource because
	// it belongs to no patient (a Device without Device.patient), not
	// because it is the patient's.
	shared bool
}

// refSet is a set of "Type/id" keys of resources already known to be
// visible in the current response.
type refSet map[string]bool

// check decides whether the policy admits resource r. known holds the
// resources already admitted in this response (for Provenance, visible
// when one of its targets is); lookup allows reading a Provenance's or
// Binary's targets from the store when they are not known.
func (rq *request) check(p *policy, r Resource, known refSet, lookup bool) verdict {
	switch {
	case len(p.paths) == 0:
		return verdict{reason: reasonNoScope}
	case r.Type != p.ti.name:
		return verdict{reason: reasonTypeMismatch}
	case r.JSON == nil && p.unrestricted():
		return verdict{ok: true}
	case r.JSON == nil:
		return verdict{reason: reasonDeleted}
	}

	f, targets, err := rq.facts(p, r.JSON)
	if err != nil {
		return verdict{reason: reasonInvalid}
	}
	if !f.member && len(targets) > 0 {
		f.member = rq.provenanceVisible(targets, known, lookup)
	}
	if !f.member && p.needs(pathBinary) {
		f.member = rq.binaryVisible(r, known, lookup)
	}
	if !p.admits(&f) {
		return verdict{reason: reasonOutsideGrant}
	}
	v := rq.applyRules(p, r)
	v.shared = v.ok && f.shared
	return v
}

// facts runs the policy's single extraction pass over a resource and
// evaluates the Narrow constraints. It returns the Provenance targets
// to look at when membership is not yet established.
func (rq *request) facts(p *policy, data []byte) (facts, []string, error) {
	var f facts
	var targets []string
	if p.extractor != nil {
		var err error
		if targets, err = rq.extract(p, data, &f); err != nil {
			return f, nil, err
		}
	}
	if p.needs(pathNarrow) {
		n, err := rq.narrowFor(p.ti.name)
		if err != nil {
			return f, nil, err
		}
		f.narrowed = n.matches(p.ti.name, data)
	}
	return f, targets, nil
}

// extract is the single pass over the resource's JSON: membership, the
// granular conditions, and the Provenance targets.
func (rq *request) extract(p *policy, data []byte, f *facts) ([]string, error) {
	var ids []string
	if p.nMembers > 0 {
		var err error
		if ids, err = rq.compartment(); err != nil {
			return nil, err
		}
	}
	var targets []string
	// Elements without a value are recorded apart, so that f itself is
	// not captured by a callback that escapes (which would cost an
	// allocation per resource), and only when the policy needs them.
	var present func(int)
	var elements *facts
	if p.presence {
		elements = new(facts)
		present = func(def int) { p.markPresent(elements, def) }
	}
	base := rq.g.cfg.BaseURL
	err := p.extractor.ExtractPresence(data, func(def int, v searchparam.Value) {
		if def < p.nMembers && !f.member && isMember(v, ids, base) {
			f.member = true
		}
		if def == p.indirect && len(targets) <= maxIndirectTargets &&
			v.Kind == searchparam.KindReference {
			targets = append(targets, strings.Clone(v.Ref))
		}
		p.markPresent(f, def)
		p.matchCriteria(f, def, v)
	}, present)
	if err != nil {
		return nil, err
	}
	if elements != nil {
		f.named = f.named || elements.named
		f.present |= elements.present
	}
	p.settleOwnerless(f)
	p.settle(f)
	return targets, nil
}

// markPresent records that definition def has an element in the
// resource: a membership element, whoever it names, or the parameter of
// granular conditions, whose :missing it decides.
func (p *policy) markPresent(f *facts, def int) {
	if def < p.nMembers {
		f.named = true
	}
	for i := range p.criteria {
		if p.criteria[i].def == def {
			f.present |= uint64(1) << i
		}
	}
}

// settleOwnerless admits as a member a resource of an ownerless type
// (Device) that has no membership element at all: it belongs to no
// patient. Any such element, even one naming no one the Guard can
// resolve (a contained or identifier-only reference, null, {}), makes it
// someone's, visible only when it names the patient.
func (p *policy) settleOwnerless(f *facts) {
	if p.nMembers > 0 && p.ti.ownerless && !f.member && !f.named {
		f.member, f.shared = true, true
	}
}

// matchCriteria records, for every granular condition on definition def,
// whether v matches.
func (p *policy) matchCriteria(f *facts, def int, v searchparam.Value) {
	for i := range p.criteria {
		gc := &p.criteria[i]
		if gc.def != def {
			continue
		}
		bit := uint64(1) << i
		if f.found&bit == 0 && gc.crit.Match(v) {
			f.found |= bit
		}
	}
}

// settle decides each granular condition from what the pass saw.
func (p *policy) settle(f *facts) {
	for i := range p.criteria {
		bit := uint64(1) << i
		if p.criteria[i].holds(f.found&bit != 0, f.present&bit != 0) {
			f.crit |= bit
		}
	}
}

// isMember reports whether a membership value points to one of the
// compartment's patients: a reference to Patient/id (relative, or
// absolute with the server's base), or for Patient the resource's own ID.
func isMember(v searchparam.Value, ids []string, base string) bool {
	switch v.Kind {
	case searchparam.KindReference:
		b, typ, id, ok := searchparam.ParseReferenceURL(v.Ref)
		return ok && typ == "Patient" && (b == "" || b == base) && slices.Contains(ids, id)
	case searchparam.KindCode:
		return v.System == "" && slices.Contains(ids, v.Code)
	}
	return false
}

// applyRules runs the custom rules of the policy on a resource the scopes
// admit.
func (rq *request) applyRules(p *policy, r Resource) verdict {
	if len(p.rules) == 0 {
		return verdict{ok: true}
	}
	in := ruleInput{json: r.JSON, grant: rq.ruleGrant(), interaction: rq.interaction}
	for _, ru := range p.rules {
		ok, err := ru.eval(rq.ctx, &in)
		if err != nil {
			return verdict{reason: reasonRuleError, rule: ru.name, ruleErr: err}
		}
		if !ok {
			return verdict{reason: reasonRule, rule: ru.name}
		}
	}
	return verdict{ok: true}
}
