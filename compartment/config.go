package compartment

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
)

// Config configures a [Guard]. The zero Config is valid: patient tokens
// see their compartment and the reference data their scopes name, user/
// and system/ tokens see what their scopes name, nothing is audited, and
// no custom rule applies.
type Config struct {
	// Audit receives a record for every decision that withholds or narrows
	// (see the package documentation). Nil discards records.
	Audit audit.Hook

	// Now returns the current time for audit records. Nil means time.Now.
	Now func() time.Time

	// BaseURL is the absolute base URL of this FHIR server, such as
	// "https://fhir.example.org/r4". References written as absolute URLs
	// with this base count as references to this server's resources; with
	// BaseURL empty, only relative references do, so a resource that names
	// its patient by absolute URL is then outside the compartment. New
	// refuses a base with a query, a fragment, empty or dot segments, or
	// one of the characters , | $ and \, which FHIR search values would
	// read differently.
	BaseURL string

	// LinkedPatients, when set, returns the IDs of the Patient resources
	// that are the same person as patientID (Patient.link, an MPI): their
	// compartments are added to the patient's. It is called once per
	// request of a patient token. An error fails the request (the caller
	// receives it wrapped); it never widens access. It must not trust data
	// that a patient app can write. The Guard refuses patient tokens any
	// addition to Patient.link, so a resolver may read Patient.link from
	// the store; other resources a patient app may create, such as Person,
	// must not serve as links.
	LinkedPatients func(ctx context.Context, patientID string) ([]string, error)

	// Narrow, when set, narrows user/ and system/ scopes: it returns the
	// constraints a resource of resourceType must meet for the grant (a
	// practitioner's panel, an organization), or nil for none. Conditions
	// with an empty Type get resourceType. The Guard adds them to queries
	// and checks them on every resource, like the compartment for patient
	// tokens. An error fails the request.
	Narrow func(ctx context.Context, g *smart.Grant, resourceType string) (Constraints, error)

	// PatientCompartmentOnly refuses patient tokens every type outside the
	// Patient compartment, such as Practitioner, Organization, Location
	// and Medication, which they may otherwise read when a scope names
	// the type (US Core apps need them to display the patient's data).
	PatientCompartmentOnly bool

	// Rules are custom rules in CEL that every resource must pass, in
	// addition to the scopes (see [Rule]).
	Rules []Rule

	// RuleCostLimit bounds the cost of one rule evaluation, in CEL cost
	// units. A rule that exceeds it denies and is reported. Zero means
	// 10,000, enough for rules that walk a resource's codings.
	RuleCostLimit uint64

	// MaxResolve bounds the resources that a chained or _has parameter may
	// select when the Guard resolves it (see [Guard.Search]). A query that
	// exceeds it is refused with ErrInvalid. Zero means 10,000.
	MaxResolve int

	// MaxCount bounds the resources the Guard reads to count matches
	// itself, when the store's count could include resources the token may
	// not see. Past it the total is reported as unknown. Zero means
	// 10,000.
	MaxCount int
}

// Defaults for the zero fields of Config.
const (
	defaultRuleCostLimit = 10_000
	defaultMaxResolve    = 10_000
	defaultMaxCount      = 10_000
)

// withDefaults returns c with its zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RuleCostLimit == 0 {
		c.RuleCostLimit = defaultRuleCostLimit
	}
	if c.MaxResolve == 0 {
		c.MaxResolve = defaultMaxResolve
	}
	if c.MaxCount == 0 {
		c.MaxCount = defaultMaxCount
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	c.Rules = append([]Rule(nil), c.Rules...)
	return c
}

// validate checks the fields of c that can be wrong.
func (c Config) validate() error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" || !referenceBase(c.BaseURL) {
			return fmt.Errorf("compartment: BaseURL must be an absolute http or https URL "+
				"without query, fragment, empty segments or the characters ,|$\\, not %q",
				c.BaseURL)
		}
	}
	if c.MaxResolve < 0 || c.MaxCount < 0 {
		return fmt.Errorf("compartment: MaxResolve and MaxCount must not be negative")
	}
	return nil
}

// referenceBase reports whether references written with base are read
// back with that base, and whether base can stand in a search value and a
// Condition without escaping: otherwise absolute references to this
// server would silently never match.
func referenceBase(base string) bool {
	b, _, _, ok := searchparam.ParseReferenceURL(base + "/Patient/x")
	return ok && b == base && !strings.ContainsAny(base, `,|$\`)
}
