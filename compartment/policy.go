package compartment

import (
	"sync"

	"github.com/fhirguard/fhirguard/internal/searchparam"
	"github.com/fhirguard/fhirguard/smart"
)

// pathKind is what one access path requires of a resource besides its
// granular conditions.
type pathKind uint8

const (
	pathOpen   pathKind = iota + 1 // nothing: reference data, user/ without Narrow
	pathMember                     // membership in the patient's compartment
	pathNarrow                     // the Narrow constraints of the grant
	pathBinary                     // Binary visible through the resource it belongs to
)

// accessPath is one way a grant reaches resources of a type: what the
// resource must be (kind), and which granular conditions of one scope it
// must meet (all of them).
type accessPath struct {
	kind     pathKind
	criteria []int // indexes into policy.criteria
}

// granular is one condition of a granular scope: the criterion the Guard
// evaluates and the constraint groups the store applies.
type granular struct {
	crit    *searchparam.Criterion
	groups  Constraints
	missing bool // the value of a :missing condition
	def     int  // index of crit.Def in policy.defs
}

// policy is the compiled answer to "which resources of this type may this
// set of scopes reach with this permission". It depends on the scopes
// only, not on the patient or the request, so the Guard caches it: tokens
// of one app repeat the same scopes. A policy is immutable, except for its
// constraint cache, which its mutex guards.
type policy struct {
	ti   *typeInfo
	perm smart.Permissions

	// paths are the alternatives: a resource is visible when one of them
	// admits it. Empty means no access.
	paths []accessPath

	criteria []granular

	// defs are the definitions extracted in one pass: the membership
	// definitions first (nMembers of them), then the indirect one, then
	// those of the criteria.
	defs      []*searchparam.Def
	nMembers  int
	indirect  int // index in defs of ti.indirect, or -1
	extractor *searchparam.Extractor

	// presence says whether the check needs to know which definitions
	// have an element, not only their values: for an ownerless type's
	// membership (a Device without a patient element is shared) and for
	// :missing conditions.
	presence bool

	// predicate is the CEL program over the path results, when some path
	// has granular conditions.
	predicate *predicate

	// unenforceable lists the granular scopes that grant nothing because
	// a condition cannot be evaluated, with the reason for each.
	unenforceable []scopeProblem

	rules []*rule

	mu     sync.Mutex
	cached map[string]cachedConstraints // by compartmentKey
}

// cachedConstraints are the constraints of a policy for one compartment.
type cachedConstraints struct {
	cs    Constraints
	exact bool
}

// maxCachedCompartments bounds the constraint cache of one policy; when it
// is full it starts over.
const maxCachedCompartments = 256

// cachedConstraints returns the cached constraints for a compartment.
func (p *policy) cachedConstraints(key string) (cachedConstraints, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.cached[key]
	return c, ok
}

// cacheConstraints keeps the constraints for a compartment. The caller
// must not modify cs afterwards.
func (p *policy) cacheConstraints(key string, cs Constraints, exact bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cached == nil {
		p.cached = make(map[string]cachedConstraints)
	}
	if len(p.cached) == maxCachedCompartments {
		clear(p.cached)
	}
	p.cached[key] = cachedConstraints{cs: cs, exact: exact}
}

// scopeProblem is a scope that grants nothing, and why.
type scopeProblem struct {
	scope  string
	reason string
}

// unrestricted reports whether the policy admits every resource of its
// type without looking at it.
func (p *policy) unrestricted() bool {
	return len(p.paths) == 1 && p.paths[0].kind == pathOpen &&
		len(p.paths[0].criteria) == 0 && len(p.rules) == 0
}

// needs reports whether some path is of kind k.
func (p *policy) needs(k pathKind) bool {
	for _, a := range p.paths {
		if a.kind == k {
			return true
		}
	}
	return false
}

// compilePolicy builds the policy of type ti for permission perm from the
// grant's scopes that cover it.
func (g *Guard) compilePolicy(ti *typeInfo, perm smart.Permissions, scopes []smart.Scope,
	hasPatient bool) *policy {
	p := &policy{ti: ti, perm: perm, indirect: -1, rules: g.rulesFor(ti.name)}
	for _, ctx := range []smart.Context{smart.ContextPatient, smart.ContextUser, smart.ContextSystem} {
		kind, ok := g.basePath(ti, ctx, perm, hasPatient)
		if ok {
			p.addContext(kind, scopesIn(scopes, ctx))
		}
	}
	p.simplify()
	p.buildExtractor()
	p.predicate = newPredicate(p)
	return p
}

// scopesIn returns the scopes of context ctx.
func scopesIn(scopes []smart.Scope, ctx smart.Context) []smart.Scope {
	var out []smart.Scope
	for _, s := range scopes {
		if s.Context == ctx {
			out = append(out, s)
		}
	}
	return out
}

// basePath says what scopes of context ctx require of a resource of type
// ti, or false when they cannot reach the type at all.
func (g *Guard) basePath(ti *typeInfo, ctx smart.Context, perm smart.Permissions,
	hasPatient bool) (pathKind, bool) {
	if ctx != smart.ContextPatient {
		if g.cfg.Narrow != nil {
			return pathNarrow, true
		}
		return pathOpen, true
	}
	if !hasPatient || ti.unsupported != "" {
		return 0, false
	}
	switch ti.mode {
	case modeClosed:
		return 0, false
	case modeOpen:
		return pathOpen, !g.cfg.PatientCompartmentOnly
	case modeLinked:
		return pathMember, !g.cfg.PatientCompartmentOnly
	case modeBinary:
		return pathBinary, !perm.Has(smart.PermSearch)
	case modeSelf:
		return pathMember, !perm.Has(smart.PermCreate) && !perm.Has(smart.PermDelete)
	}
	return pathMember, true
}

// addContext adds the paths of the scopes of one context. A scope without
// conditions subsumes the granular ones.
func (p *policy) addContext(kind pathKind, scopes []smart.Scope) {
	if len(scopes) == 0 {
		return
	}
	for _, s := range scopes {
		if !s.Granular() {
			p.paths = append(p.paths, accessPath{kind: kind})
			return
		}
	}
	for _, s := range scopes {
		if idx, ok := p.addGranular(s); ok {
			p.paths = append(p.paths, accessPath{kind: kind, criteria: idx})
		}
	}
}

// simplify keeps a single path when one admits everything.
func (p *policy) simplify() {
	for _, a := range p.paths {
		if a.kind == pathOpen && len(a.criteria) == 0 {
			p.paths = []accessPath{a}
			return
		}
	}
}

// memberDefs returns the definitions the policy's paths need extracted to
// decide membership.
func (p *policy) memberDefs() []*searchparam.Def {
	if !p.needs(pathMember) {
		return nil
	}
	return p.ti.members
}

// buildExtractor compiles the definitions the policy evaluates into one
// single-pass extractor.
func (p *policy) buildExtractor() {
	p.defs = append(p.defs, p.memberDefs()...)
	p.nMembers = len(p.defs)
	if p.ti.indirect != nil && p.needs(pathMember) {
		p.indirect = len(p.defs)
		p.defs = append(p.defs, p.ti.indirect)
	}
	p.presence = p.nMembers > 0 && p.ti.ownerless
	for i := range p.criteria {
		p.criteria[i].def = p.defIndex(p.criteria[i].crit.Def)
		p.presence = p.presence || p.criteria[i].crit.Modifier == "missing"
	}
	if len(p.defs) == 0 {
		return
	}
	ex, err := searchparam.NewExtractor(p.defs...)
	if err != nil {
		// Every definition was checked to be supported; fail closed anyway.
		p.paths = nil
		return
	}
	p.extractor = ex
}

// defIndex returns the index of d in p.defs, adding it if needed.
func (p *policy) defIndex(d *searchparam.Def) int {
	for i, e := range p.defs {
		if e == d {
			return i
		}
	}
	p.defs = append(p.defs, d)
	return len(p.defs) - 1
}
