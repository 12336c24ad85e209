package compartment

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"
)

// predicate is the CEL program that decides, from the facts one extraction
// pass established about a resource, whether a policy admits it. Its
// variables are member (the resource is in the patient's compartment),
// narrowed (it meets the Narrow constraints) and c0 ... c63 (granular
// condition i holds, with the search semantics of the parameter's R4
// definition). Two category scopes and a compartment give, for example,
//
//	member && c0 || member && c1
//
// The CEL program never sees the resource itself, so it costs a few
// hundred nanoseconds and cannot fail on the resource's content.
type predicate struct {
	source string
	prog   cel.Program
}

// predicateEnv is the CEL environment of every predicate, built once.
var predicateEnv = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.Variable("member", cel.BoolType),
		cel.Variable("narrowed", cel.BoolType),
	}
	for i := range maxCriteria {
		opts = append(opts, cel.Variable("c"+strconv.Itoa(i), cel.BoolType))
	}
	return cel.NewEnv(opts...)
})

// newPredicate compiles the predicate of a policy whose paths have
// granular conditions, or returns nil when the paths alone decide. A
// predicate that does not compile (which would be a bug) leaves the policy
// without paths: it then grants nothing.
func newPredicate(p *policy) *predicate {
	if len(p.criteria) == 0 || len(p.paths) == 0 {
		return nil
	}
	src := predicateSource(p.paths)
	prog, err := compilePredicate(src)
	if err != nil {
		p.paths = nil
		return nil
	}
	return &predicate{source: src, prog: prog}
}

// compilePredicate compiles and type-checks a predicate's source.
func compilePredicate(src string) (cel.Program, error) {
	env, err := predicateEnv()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("compartment: predicate %q is not boolean", src)
	}
	return env.Program(ast, cel.EvalOptions(cel.OptOptimize))
}

// predicateSource writes the paths as a CEL disjunction.
func predicateSource(paths []accessPath) string {
	terms := make([]string, 0, len(paths))
	for _, a := range paths {
		var parts []string
		switch a.kind {
		case pathMember, pathBinary:
			parts = append(parts, "member")
		case pathNarrow:
			parts = append(parts, "narrowed")
		}
		for _, c := range a.criteria {
			parts = append(parts, "c"+strconv.Itoa(c))
		}
		if len(parts) == 0 {
			parts = append(parts, "true")
		}
		terms = append(terms, strings.Join(parts, " && "))
	}
	return strings.Join(terms, " || ")
}

// eval runs the predicate on the facts in f. Any error denies.
func (pr *predicate) eval(f *facts) bool {
	out, _, err := pr.prog.Eval(f)
	return err == nil && out == types.True
}

// facts are what one extraction pass established about a resource; they
// are the predicate's variables.
type facts struct {
	// member: the resource is in the patient's compartment, or, for an
	// ownerless type (Device), belongs to no patient (then shared too).
	member   bool
	shared   bool
	named    bool // a membership element is there, whoever it names
	narrowed bool
	crit     uint64 // bit i: granular condition i holds
	found    uint64 // bit i: a value matched condition i
	present  uint64 // bit i: the parameter of condition i has an element
}

// ResolveName implements interpreter.Activation.
func (f *facts) ResolveName(name string) (any, bool) {
	switch name {
	case "member":
		return types.Bool(f.member), true
	case "narrowed":
		return types.Bool(f.narrowed), true
	}
	if len(name) < 2 || name[0] != 'c' {
		return nil, false
	}
	i, err := strconv.Atoi(name[1:])
	if err != nil || i < 0 || i >= maxCriteria {
		return nil, false
	}
	return types.Bool(f.crit>>i&1 == 1), true
}

// Parent implements interpreter.Activation.
func (f *facts) Parent() interpreter.Activation { return nil }

// admits decides whether the policy admits a resource with facts f.
func (p *policy) admits(f *facts) bool {
	if p.predicate != nil {
		return p.predicate.eval(f)
	}
	for _, a := range p.paths {
		switch {
		case a.kind == pathOpen,
			(a.kind == pathMember || a.kind == pathBinary) && f.member,
			a.kind == pathNarrow && f.narrowed:
			return true
		}
	}
	return false
}
