package compartment

import "strings"

// Constraints are the conditions that the [Guard] adds to a query for the
// token presenting it: an AND of OR-groups. A resource satisfies
// Constraints when, in every group, at least one [Condition] holds. Nil
// Constraints constrain nothing; an empty group holds for no resource.
//
// For a patient token searching Observation, the Guard sends one group,
// (subject=Patient/123 OR performer=Patient/123); a granular scope adds a
// group per condition, such as (category=...|laboratory OR
// category=...|vital-signs) for two category scopes. For a Device, which
// a patient sees when it names the patient or names no patient at all
// (a shared device), the group is (patient=Patient/123 OR
// patient:missing=true).
//
// A condition with Modifier "missing" and Value "true" holds for a
// resource that has no element at all for the parameter's expression,
// and "false" for one that has. An element counts even when it yields no
// search value: a Reference with only an identifier or a display, a
// contained reference ("#p"), null or an empty object is not missing
// (on an expression with a where() or resolve() condition, only an
// element that meets it counts). A store that indexes only literal
// references would call a Device whose patient has only an identifier
// "missing" and return it; the Guard's re-check then withholds it and
// reports a storage defect, so nothing leaks, but pages come back short
// and counts are wrong. Index the presence of the element as well, as
// compartment/memstore and the demo's SQLite store do.
//
// A store must apply Constraints exactly like search parameters. The Guard
// re-checks every resource it receives, so a store that misses a
// constraint leaks nothing, but the miss is reported to the audit hook as
// a storage defect, and counts and page sizes are then wrong. A store
// should apply Constraints before the client's parameters, and treat a
// resource it cannot evaluate as not matching rather than fail the
// search: otherwise an error, or the cost of a condition, on a resource
// outside the grant tells the client that the resource exists.
type Constraints [][]Condition

// Condition is one test of a [Constraints] group: the FHIR search
// parameter Param[:Modifier]=Value, on resources of type Type.
//
// A Condition holds for a resource when the resource's type is Type and
// either Param is "" (the condition stands for "any resource of this
// type") or the resource matches the search parameter with FHIR R4
// semantics. On a resource of another type it does not hold, which is how
// a search across types is constrained type by type.
type Condition struct {
	// Type is the resource type the condition applies to. The Guard always
	// sets it.
	Type string

	// Param is a search parameter of Type, such as "subject" or "_id", or
	// "" for a condition that every resource of Type meets.
	Param string

	// Modifier is the parameter's modifier, such as "not", "below" or
	// "missing" (see [Constraints] for what missing means), or "".
	Modifier string

	// Value is one value in FHIR search syntax, escapes kept, such as
	// "Patient/123" or "http://loinc.org|8867-4". It holds no unescaped
	// comma: alternatives are separate Conditions in the group.
	Value string
}

// String formats c as Type:param[:modifier]=value, or Type:* for a
// condition on the type alone. The result holds the value; do not log it.
func (c Condition) String() string {
	if c.Param == "" {
		return c.Type + ":*"
	}
	s := c.Type + ":" + c.Param
	if c.Modifier != "" {
		s += ":" + c.Modifier
	}
	return s + "=" + c.Value
}

// String formats cs as groups joined by " AND ", each "(a OR b)". The
// result holds values; do not log it.
func (cs Constraints) String() string {
	groups := make([]string, len(cs))
	for i, g := range cs {
		conds := make([]string, len(g))
		for j, c := range g {
			conds[j] = c.String()
		}
		groups[i] = "(" + strings.Join(conds, " OR ") + ")"
	}
	return strings.Join(groups, " AND ")
}

// clone returns a deep copy of cs, so that a query handed to a store does
// not share slices with the Guard's cached rules.
func (cs Constraints) clone() Constraints {
	if cs == nil {
		return nil
	}
	out := make(Constraints, len(cs))
	for i, g := range cs {
		out[i] = append([]Condition(nil), g...)
	}
	return out
}
