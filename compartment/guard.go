package compartment

import (
	"errors"
	"strconv"
	"sync"

	"github.com/fhirguard/fhirguard/smart"
)

// maxScopeSets bounds the policy cache: the number of distinct scope sets
// whose policies are kept. Grants repeat (one app asks for the same
// scopes every time), so a few hundred sets cover a deployment; past the
// bound, policies of new sets are compiled per request.
const maxScopeSets = 1024

// Guard is the decorator that enforces SMART scopes, the Patient
// compartment and custom rules on a [Repository]. It implements
// Repository itself: the server hands its handlers the Guard instead of
// its store, and every resource they obtain has passed the checks.
//
// The Guard reads the request's [smart.Grant] from the context
// ([smart.FromContext]). A context without a Grant is refused with
// [ErrForbidden]: the Guard fails closed.
//
// Build a Guard with [New]; the zero value is not usable. A Guard is safe
// for concurrent use, and its methods are safe to call from many
// requests at once.
type Guard struct {
	repo  Repository
	cfg   Config
	rules []*rule

	mu   sync.Mutex
	sets map[string]*scopeSet // by scopeKey
}

// scopeSet caches the policies of one set of scopes, by type and
// permission.
type scopeSet struct {
	mu       sync.Mutex
	policies map[policyKey]*policy
}

// policyKey identifies a policy within a scope set.
type policyKey struct {
	typ  string
	perm smart.Permissions
}

// New returns a Guard that enforces cfg on repo. It validates the
// configuration and compiles and type-checks every rule, returning an
// error that says which field or rule is wrong (with the position in the
// expression for a rule).
func New(repo Repository, cfg Config) (*Guard, error) {
	if repo == nil {
		return nil, errors.New("compartment: New needs a Repository")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rules, err := compileRules(cfg.Rules, cfg.BaseURL, cfg.RuleCostLimit)
	if err != nil {
		return nil, err
	}
	if _, err := predicateEnv(); err != nil {
		return nil, err
	}
	return &Guard{repo: repo, cfg: cfg, rules: rules, sets: make(map[string]*scopeSet)}, nil
}

// scopeSet returns the policy cache of a grant's scopes, or a fresh one
// that is not kept when the cache is full.
func (g *Guard) scopeSet(gr *smart.Grant) *scopeSet {
	key := scopeKey(gr)
	g.mu.Lock()
	defer g.mu.Unlock()
	set, ok := g.sets[key]
	if !ok {
		set = &scopeSet{policies: make(map[policyKey]*policy)}
		if len(g.sets) < maxScopeSets {
			g.sets[key] = set
		}
	}
	return set
}

// scopeKey identifies the scopes of a grant, and whether it has a
// patient: the inputs a policy depends on. It is built from what each
// scope grants (context, type, permissions, conditions), not from its Raw
// text, which a server that builds Grants itself may leave empty; strings
// are length-prefixed so that no two scope sets share a key.
func scopeKey(gr *smart.Grant) string {
	n := 1
	for _, s := range gr.Scopes.Resource {
		n += len(s.Raw) + 8
	}
	b := make([]byte, 0, n)
	if gr.Patient != "" {
		b = append(b, 'p')
	}
	for _, s := range gr.Scopes.Resource {
		b = append(b, ' ', byte(s.Context), byte(s.Permissions))
		b = appendField(b, s.Type)
		for _, prm := range s.Params {
			b = appendField(appendField(b, prm.Name), prm.Value)
		}
	}
	return string(b)
}

// appendField appends s to b with its length first.
func appendField(b []byte, s string) []byte {
	b = append(strconv.AppendInt(b, int64(len(s)), 10), ':')
	return append(b, s...)
}

// policy returns the compiled policy of type ti for permission perm under
// grant gr, from the scope set's cache when it was compiled before.
func (g *Guard) policy(set *scopeSet, ti *typeInfo, perm smart.Permissions,
	gr *smart.Grant) *policy {
	key := policyKey{ti.name, perm}
	set.mu.Lock()
	p, ok := set.policies[key]
	set.mu.Unlock()
	if ok {
		return p
	}

	var scopes []smart.Scope
	for _, s := range gr.Scopes.Resource {
		if s.Covers(ti.name, perm) {
			scopes = append(scopes, s)
		}
	}
	p = g.compilePolicy(ti, perm, scopes, gr.Patient != "")
	set.mu.Lock()
	set.policies[key] = p
	set.mu.Unlock()
	return p
}
