package compartment

import (
	"errors"
	"slices"
	"strings"

	"cel.dev/cel-go/interpreter"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// tally counts the resources withheld from one response, by reason, for
// the audit records.
type tally map[string]int

// emit hands a record to the audit hook, with the grant's identifiers.
func (rq *request) emit(r audit.Record) {
	if rq.g.cfg.Audit == nil {
		return
	}
	r.Time = rq.g.cfg.Now()
	r.Component = "compartment"
	r.ClientID, r.TokenID = rq.grant.ClientID, rq.grant.TokenID
	r.Patient, r.FHIRUser = rq.grant.Patient, rq.grant.FHIRUser
	rq.g.cfg.Audit.Emit(rq.ctx, r)
}

// refuse reports and returns a 403 decided from the request alone.
func (rq *request) refuse(reason, typ, detail string) error {
	rq.emit(audit.Record{Kind: audit.KindForbidden, Reason: reason, Status: 403,
		ResourceType: typ, Detail: detail})
	return forbidden(reason)
}

// hide reports a resource withheld from a read and returns ErrNotFound.
func (rq *request) hide(r Resource, v verdict) error {
	rq.reportRule(r, v)
	rq.emit(audit.Record{Kind: audit.KindHidden, Reason: v.reason, Status: 404, Rule: v.rule,
		ResourceType: r.Type, ResourceID: r.ID,
		Detail: "resource outside the grant answered as not found"})
	return notFound("not_found") // the same error as for a missing resource
}

// defect reports a resource the store returned although the constraints
// it was given exclude it.
func (rq *request) defect(r Resource, reason string) {
	rq.emit(audit.Record{Kind: audit.KindStorageDefect, Reason: reason,
		ResourceType: r.Type, ResourceID: r.ID,
		Detail: "the store returned a resource its constraints exclude; it was withheld"})
}

// reportRule reports a rule that failed on a resource.
func (rq *request) reportRule(r Resource, v verdict) {
	if v.reason != reasonRuleError {
		return
	}
	rq.emit(audit.Record{Kind: audit.KindRuleError, Reason: reasonRuleError, Rule: v.rule,
		ResourceType: r.Type, ResourceID: r.ID,
		Detail: "rule evaluation failed; the resource was withheld: " + ruleErrorKind(v.ruleErr)})
}

// reportDropped reports the resources withheld from a response, one
// record per reason.
func (rq *request) reportDropped(typ string, dropped tally) {
	for _, reason := range dropped.sortedKeys() {
		n := dropped[reason]
		if n == 0 {
			continue
		}
		rq.emit(audit.Record{Kind: audit.KindDropped, Reason: reason, ResourceType: typ,
			Count: n, Detail: "resources withheld from the response"})
	}
}

// ruleErrorKind classifies a rule evaluation error for audit records,
// which must not carry the error text: it can quote resource values.
func ruleErrorKind(err error) string {
	var cancelled interpreter.EvalCancelledError
	switch {
	case errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded:
		return "cost limit exceeded"
	case errors.As(err, &cancelled):
		return "evaluation cancelled"
	case errors.Is(err, errStrictJSON):
		return "resource JSON cannot be trusted"
	case strings.Contains(err.Error(), "no such key"):
		return "missing field"
	case strings.Contains(err.Error(), "no matching overload"):
		return "wrong value type"
	}
	return "evaluation error"
}

// sortedKeys returns the keys of a tally in order, for stable records.
func (t tally) sortedKeys() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
