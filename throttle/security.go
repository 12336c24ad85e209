package throttle

import (
	"fmt"
	"time"
)

// SecurityPolicy is the written organizational security policy that a
// 171.203(d) justification implements. Each field answers one condition of
// that paragraph: the policy is in writing, rests on assessed risks, aligns
// with a consensus standard, and sets objective incident timeframes.
type SecurityPolicy struct {
	// Document references the written policy, such as its title, version
	// and location in the organization's document system.
	Document string `json:"document" yaml:"document"`

	// RiskAssessment references the assessment of the security risks the
	// policy responds to.
	RiskAssessment string `json:"risk_assessment" yaml:"risk_assessment"`

	// Standard names the consensus-based standard or best-practice
	// guidance the policy aligns with, such as "NIST SP 800-53 Rev. 5
	// SC-5".
	Standard string `json:"standard" yaml:"standard"`

	// Incident holds the policy's objective timeframes for security
	// incidents.
	Incident IncidentTimeframes `json:"incident_timeframes" yaml:"incident_timeframes"`
}

// IncidentTimeframes are the objective timeframes a security policy sets
// for identifying, responding to and resolving an incident. Each is
// written as a Go duration, such as "15m" or "72h", and must be positive.
type IncidentTimeframes struct {
	// Identify is the time allowed to identify an incident.
	Identify Duration `json:"identify" yaml:"identify"`

	// Respond is the time allowed to begin responding once identified.
	Respond Duration `json:"respond" yaml:"respond"`

	// Resolve is the time allowed to address the incident.
	Resolve Duration `json:"resolve" yaml:"resolve"`
}

// Determination is the case-by-case finding that a 171.203(e)
// justification rests on, when no written policy covers the practice: that
// the limit is necessary to mitigate the security risk to EHI, and that no
// reasonable alternative less likely to interfere with access exists.
type Determination struct {
	// Finding states, from the particular facts, why the limit is
	// necessary to mitigate the risk.
	Finding string `json:"finding" yaml:"finding"`

	// DeterminedAt is when the determination was made. It precedes the
	// approval.
	DeterminedAt time.Time `json:"determined_at" yaml:"determined_at"`

	// Alternatives lists the less-interfering alternatives considered;
	// there is at least one.
	Alternatives []Alternative `json:"alternatives" yaml:"alternatives"`
}

// Alternative is one less-interfering practice considered, and why it
// does not address the risk.
type Alternative struct {
	// Description says what the alternative is.
	Description string `json:"description" yaml:"description"`

	// Insufficient says why it does not address the security risk.
	Insufficient string `json:"insufficient" yaml:"insufficient"`
}

// policy checks the security policy of a 171.203(d) justification.
func (c *checker) policy(e Exception, p *SecurityPolicy) {
	if e != ExceptionSecurityPolicy {
		if p != nil {
			c.add("policy", ErrInconsistent, "given, but the exception is %s, not %s",
				e, ExceptionSecurityPolicy)
		}
		return
	}
	if p == nil {
		c.add("policy", ErrMissing, "required by %s: the written security policy, its risk "+
			"assessment, standard and incident timeframes", e)
		return
	}
	c.text("policy.document", p.Document, false)
	c.text("policy.risk_assessment", p.RiskAssessment, false)
	c.text("policy.standard", p.Standard, false)
	c.timeframe("policy.incident_timeframes.identify", p.Incident.Identify)
	c.timeframe("policy.incident_timeframes.respond", p.Incident.Respond)
	c.timeframe("policy.incident_timeframes.resolve", p.Incident.Resolve)
}

// timeframe checks one incident timeframe.
func (c *checker) timeframe(field string, d Duration) {
	switch {
	case d == 0:
		c.add(field, ErrMissing, "required (a Go duration such as \"15m\" or \"72h\")")
	case d < 0:
		c.add(field, ErrInvalid, "%s is not a positive duration", d)
	}
}

// determination checks the determination of a 171.203(e) justification.
func (c *checker) determination(e Exception, d *Determination, approved time.Time) {
	if e != ExceptionSecurityDetermination {
		if d != nil {
			c.add("determination", ErrInconsistent, "given, but the exception is %s, not %s",
				e, ExceptionSecurityDetermination)
		}
		return
	}
	if d == nil {
		c.add("determination", ErrMissing, "required by %s: the finding that the limit is "+
			"necessary and the alternatives considered", e)
		return
	}
	c.text("determination.finding", d.Finding, false)
	ok := c.instant("determination.determined_at", d.DeterminedAt)
	if ok && !approved.IsZero() && d.DeterminedAt.After(approved) {
		c.add("determination.determined_at", ErrInconsistent, "%s is after the approval %s",
			stamp(d.DeterminedAt), stamp(approved))
	}
	c.alternatives(d.Alternatives)
}

// alternatives checks the alternatives a determination considered.
func (c *checker) alternatives(alts []Alternative) {
	if len(alts) == 0 {
		c.add("determination.alternatives", ErrMissing, "at least one less-interfering "+
			"alternative considered, and why it does not address the risk")
	}
	for i, a := range alts {
		field := fmt.Sprintf("determination.alternatives[%d]", i)
		c.text(field+".description", a.Description, false)
		c.text(field+".insufficient", a.Insufficient, false)
	}
}
