package compartment

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"

	"github.com/fhirguard/fhirguard/smart"
)

// Rule is a custom access rule, written in CEL (https://cel.dev), that
// every resource of its types must pass before the [Guard] releases it or
// stores it. Rules narrow what the scopes grant; they never widen it. A
// resource is released only when every rule that applies to its type
// evaluates to true; false withholds it, and an evaluation error (a
// missing field, the cost limit) withholds it too and is reported with
// [audit.KindRuleError], so that a bug in a rule cannot leak.
//
// The expression sees three variables:
//
//   - resource: the resource as a JSON object (map(string, dyn)). Use
//     has() or the helper functions before reading optional fields.
//   - grant: the token's grant, with fields patient, client_id,
//     fhir_user, scopes (list(string): every well-formed scope of the
//     token, as written) and claims (map(string, dyn), the token's
//     claims).
//   - interaction: "read", "vread", "search", "history", "create",
//     "update" or "delete".
//
// and these helper functions:
//
//   - references(value, "Patient/123"): whether value (a Reference, a list,
//     or any part of the resource, searched in depth) holds a reference to
//     that resource, written relative or absolute with Config.BaseURL.
//   - has_coding(value, system, code): whether value (a CodeableConcept,
//     a Coding, or a list of them) holds a coding with that system and
//     code; an empty system matches any.
//   - has_security_label(resource, system, code) and
//     has_tag(resource, system, code): the same test on meta.security and
//     meta.tag.
//
// The package documentation has worked examples.
type Rule struct {
	// Name identifies the rule in audit records. It must be unique.
	Name string

	// Expression is the CEL expression; it must have type bool.
	Expression string

	// Types are the resource types the rule applies to. Empty means every
	// type.
	Types []string
}

// rule is a compiled Rule.
type rule struct {
	name         string
	types        []string
	prog         cel.Program
	usesResource bool
}

// ruleGrant is the grant as CEL rules see it.
type ruleGrant struct {
	Patient  string         `cel:"patient"`
	ClientID string         `cel:"client_id"`
	FHIRUser string         `cel:"fhir_user"`
	Scopes   []string       `cel:"scopes"`
	Claims   map[string]any `cel:"claims"`
}

// newRuleGrant builds the rule view of a grant.
func newRuleGrant(g *smart.Grant) ruleGrant {
	rg := ruleGrant{Patient: g.Patient, ClientID: g.ClientID, FHIRUser: g.FHIRUser, Claims: g.Claims}
	for _, s := range g.Scopes.Resource {
		rg.Scopes = append(rg.Scopes, s.Raw)
	}
	rg.Scopes = append(rg.Scopes, g.Scopes.Other...)
	if rg.Claims == nil {
		rg.Claims = map[string]any{}
	}
	return rg
}

// ruleEnv returns the CEL environment of rules, with the helper functions
// bound to base (Config.BaseURL).
func ruleEnv(base string) (*cel.Env, error) {
	opts := []cel.EnvOption{
		ext.NativeTypes(reflect.TypeFor[ruleGrant](), ext.ParseStructTags(true)),
		cel.Variable("resource", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("grant", cel.ObjectType("compartment.ruleGrant")),
		cel.Variable("interaction", cel.StringType),
		cel.OptionalTypes(),
	}
	return cel.NewEnv(append(opts, helperFunctions(base)...)...)
}

// compileRules compiles and type-checks every rule of the configuration.
func compileRules(rules []Rule, base string, costLimit uint64) ([]*rule, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	env, err := ruleEnv(base)
	if err != nil {
		return nil, fmt.Errorf("compartment: rule environment: %w", err)
	}
	out := make([]*rule, 0, len(rules))
	for i, r := range rules {
		c, err := compileRule(env, r, costLimit)
		if err != nil {
			return nil, fmt.Errorf("compartment: rule %d (%q): %w", i, r.Name, err)
		}
		if slices.ContainsFunc(out, func(o *rule) bool { return o.name == r.Name }) {
			return nil, fmt.Errorf("compartment: rule %d: name %q used twice", i, r.Name)
		}
		out = append(out, c)
	}
	return out, nil
}

// compileRule compiles one rule.
func compileRule(env *cel.Env, r Rule, costLimit uint64) (*rule, error) {
	if r.Name == "" {
		return nil, errors.New("rule has no name")
	}
	for _, t := range r.Types {
		if lookupType(t) == nil {
			return nil, fmt.Errorf("unknown resource type %q", t)
		}
	}
	ast, iss := env.Compile(r.Expression)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("expression has type %s, not bool", ast.OutputType())
	}
	prog, err := env.Program(ast, cel.CostLimit(costLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	uses := usesVariable(ast, "resource")
	return &rule{name: r.Name, types: r.Types, prog: prog, usesResource: uses}, nil
}

// usesVariable reports whether the checked expression refers to variable
// name, so that rules that do not read the resource spare its decoding.
func usesVariable(ast *cel.Ast, name string) bool {
	for _, ref := range ast.NativeRep().ReferenceMap() {
		if ref.Name == name {
			return true
		}
	}
	return false
}

// rulesFor returns the rules that apply to a resource type.
func (g *Guard) rulesFor(typ string) []*rule {
	var out []*rule
	for _, r := range g.rules {
		if len(r.types) == 0 || slices.Contains(r.types, typ) {
			out = append(out, r)
		}
	}
	return out
}

// ruleInput is the input of the rules on one resource: the decoded
// resource is shared by the rules and decoded only when one needs it.
type ruleInput struct {
	json        []byte
	decoded     map[string]any
	decodeErr   error
	grant       ruleGrant
	interaction string
}

// resource decodes the resource once. It refuses JSON that parsers read
// differently, such as a duplicated key (see decodeObject): a rule that
// tested one reading while a client sees the other could leak.
func (in *ruleInput) resource() (map[string]any, error) {
	if in.decoded == nil && in.decodeErr == nil {
		in.decoded, in.decodeErr = decodeObject(in.json)
	}
	return in.decoded, in.decodeErr
}

// eval runs one rule. It returns whether the rule admits the resource, and
// the error that made it deny when it failed.
func (r *rule) eval(ctx context.Context, in *ruleInput) (bool, error) {
	vars := map[string]any{"grant": in.grant, "interaction": in.interaction}
	if r.usesResource {
		res, err := in.resource()
		if err != nil {
			return false, err
		}
		vars["resource"] = res
	} else {
		vars["resource"] = map[string]any{}
	}
	out, _, err := r.prog.ContextEval(ctx, vars)
	if err != nil {
		return false, err
	}
	return out == types.True, nil
}
