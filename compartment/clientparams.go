package compartment

import (
	"slices"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// checkClientParams refuses, for a grant that reaches a type only through
// the patient's compartment, a client parameter that names another
// patient in one of the type's compartment parameters or in a reference
// parameter that can only point to a Patient (subject=Patient/B,
// patient=B, a comma list holding B, an absolute URL to Patient/B,
// Patient?_id=B), and a compartment search of another patient. The
// decision uses the request alone: the answer is the same whether or not
// B's data exists. The constraints would exclude B's data anyway; the
// refusal tells the client its request was outside its grant instead of
// pretending that B has no data.
func (rq *request) checkClientParams(plan *searchPlan) error {
	ids, restricted, err := rq.restrictedIDs(plan)
	if err != nil || !restricted {
		return err
	}
	q := plan.client
	if q.Compartment.Type == "Patient" && !slices.Contains(ids, q.Compartment.ID) {
		return rq.refuse("patient_mismatch", q.Type, "compartment search of another patient")
	}
	if q.Type == "" {
		return nil
	}
	ti := lookupType(q.Type)
	for _, p := range q.Params {
		if !namesOnlyCompartment(ti, p, ids) {
			return rq.refuse("patient_mismatch", q.Type,
				"a compartment parameter names another patient")
		}
	}
	return nil
}

// restrictedIDs reports whether some searched type is reachable only
// through the compartment, and if so returns the compartment's patients.
func (rq *request) restrictedIDs(plan *searchPlan) ([]string, bool, error) {
	for _, p := range plan.policies {
		if p.memberOnly() {
			ids, err := rq.compartment()
			return ids, true, err
		}
	}
	return nil, false, nil
}

// memberOnly reports whether every path of the policy requires membership
// in the compartment.
func (p *policy) memberOnly() bool {
	for _, a := range p.paths {
		if a.kind != pathMember {
			return false
		}
	}
	return len(p.paths) > 0
}

// namesOnlyCompartment reports whether parameter p, if it is one of ti's
// membership parameters or a reference parameter that can only point to a
// Patient (Observation's patient), names only patients of the
// compartment.
func namesOnlyCompartment(ti *typeInfo, p Param, ids []string) bool {
	if len(p.Chain) > 0 || p.Has != nil {
		return true // resolved through the Guard, which constrains it
	}
	d := patientParam(ti, p.Name)
	if d == nil {
		return true
	}
	switch {
	case p.Modifier == "missing":
		return true
	case p.Modifier == "" || p.Modifier == "Patient":
	case lookupType(p.Modifier) != nil:
		return true // a type modifier for another type names no patient
	default:
		return false // :identifier, :above, :below, :not could name anyone
	}
	for _, v := range p.Values {
		if !valueInCompartment(d, p.Modifier, v, ids) {
			return false
		}
	}
	return true
}

// valueInCompartment reports whether one value of a membership parameter
// names no patient outside the compartment. A reference to another type
// (performer=Practitioner/1) names no patient.
func valueInCompartment(d *searchparam.Def, mod, v string, ids []string) bool {
	if d.Name == "_id" {
		return slices.Contains(ids, v)
	}
	if _, typ, id, ok := searchparam.ParseReferenceURL(v); ok {
		return typ != "Patient" || slices.Contains(ids, id)
	}
	if !isID(v) {
		return true // a canonical or logical value, never a patient's ID
	}
	bare := mod == "Patient" || mod == "" && slices.Contains(d.Targets, "Patient")
	return !bare || slices.Contains(ids, v)
}

// patientParam returns the definition of name if it is a membership
// parameter of ti or a reference parameter whose only target is Patient.
func patientParam(ti *typeInfo, name string) *searchparam.Def {
	for _, d := range ti.members {
		if d.Name == name {
			return d
		}
	}
	d, ok := searchparam.Lookup(ti.name, name)
	if ok && d.Type == searchparam.Reference && len(d.Targets) == 1 && d.Targets[0] == "Patient" {
		return d
	}
	return nil
}
