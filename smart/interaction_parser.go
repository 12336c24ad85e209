package smart

import (
	"net/http"
	"strings"
)

// methodSet is a set of the HTTP methods FHIR uses.
type methodSet uint8

const (
	methodGet methodSet = 1 << iota
	methodHead
	methodPost
	methodPut
	methodPatch
	methodDelete

	methodsRead     = methodGet | methodHead
	methodsQuery    = methodsRead | methodPost
	methodsInstance = methodsRead | methodPut | methodPatch | methodDelete
	methodsType     = methodsQuery | methodPut | methodPatch | methodDelete
)

// methodNames lists the methods in the order of their bits.
var methodNames = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost,
	http.MethodPut, http.MethodPatch, http.MethodDelete,
}

// methodOf returns the set holding method, or the empty set for a method
// FHIR does not use. Methods are case-sensitive.
func methodOf(method string) methodSet {
	for i, name := range methodNames {
		if method == name {
			return 1 << i
		}
	}
	return 0
}

// String lists the methods of s for an Allow header, such as "GET, HEAD".
func (s methodSet) String() string {
	var names []string
	for i, name := range methodNames {
		if s&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// parser classifies the decoded path segments of one request.
type parser struct {
	method methodSet
	query  string
	cond   createCondition
	reg    operations
}

// classify returns the interaction that segs, at most maxSegments of them,
// address with p.method.
func (p *parser) classify(segs []string) (Interaction, error) {
	switch len(segs) {
	case 0:
		return p.atBase()
	case 1:
		return p.atSystem(segs[0])
	case 2:
		return p.atType(segs[0], segs[1])
	}
	return p.atInstance(segs)
}

// allow returns in, or a 405 RequestError when p.method is not in allowed.
func (p *parser) allow(in Interaction, allowed methodSet) (Interaction, error) {
	if p.method&allowed == 0 {
		return Interaction{}, &RequestError{
			Status: http.StatusMethodNotAllowed,
			Reason: "the method is not allowed on this path",
			Allow:  allowed.String(),
		}
	}
	return in, nil
}

// atBase classifies [base]: system search or batch/transaction.
func (p *parser) atBase() (Interaction, error) {
	if p.method == methodPost {
		return Interaction{Kind: KindBatch}, nil
	}
	return p.allow(Interaction{Kind: KindSearchSystem}, methodsQuery)
}

// atSystem classifies [base]/[seg].
func (p *parser) atSystem(seg string) (Interaction, error) {
	switch {
	case seg == "metadata":
		return p.allow(Interaction{Kind: KindCapabilities}, methodsRead)
	case seg == "_search":
		return p.allow(Interaction{Kind: KindSearchSystem}, methodsQuery)
	case seg == "_history":
		return p.allow(Interaction{Kind: KindHistorySystem}, methodsRead)
	case seg[0] == '$':
		return p.operation(Interaction{Kind: KindOperationSystem}, seg, 1)
	}
	typ, err := resourceType(seg, 1)
	if err != nil {
		return Interaction{}, err
	}
	return p.onType(typ)
}

// onType classifies [base]/[type]: search, create, and the conditional
// update, patch and delete.
func (p *parser) onType(typ string) (Interaction, error) {
	in := Interaction{Type: typ}
	switch p.method {
	case methodGet, methodHead:
		in.Kind = KindSearchType
		return in, nil
	case methodPost:
		in.Kind, in.Conditional, in.Criteria = KindCreate, p.cond.present, p.cond.value
		return in, nil
	case methodPut:
		in.Kind = KindUpdate
	case methodPatch:
		in.Kind = KindPatch
	case methodDelete:
		in.Kind = KindDelete
	default:
		return p.allow(in, methodsType)
	}

	if p.query == "" {
		return Interaction{}, badRequest("a conditional update, patch or delete " +
			"needs search criteria in the query")
	}
	in.Conditional, in.Criteria = true, p.query
	return in, nil
}

// atType classifies [base]/[type]/[seg].
func (p *parser) atType(typSeg, seg string) (Interaction, error) {
	typ, err := resourceType(typSeg, 1)
	if err != nil {
		return Interaction{}, err
	}
	switch {
	case seg == "_search":
		return p.allow(Interaction{Kind: KindSearchType, Type: typ}, methodsQuery)
	case seg == "_history":
		return p.allow(Interaction{Kind: KindHistoryType, Type: typ}, methodsRead)
	case seg[0] == '$':
		return p.operation(Interaction{Kind: KindOperationType, Type: typ}, seg, 2)
	}
	id, err := resourceID(seg, 2)
	if err != nil {
		return Interaction{}, err
	}
	return p.onInstance(Interaction{Type: typ, ID: id})
}

// onInstance classifies [base]/[type]/[id]: read, update, patch, delete.
func (p *parser) onInstance(in Interaction) (Interaction, error) {
	switch p.method {
	case methodGet, methodHead:
		in.Kind = KindRead
	case methodPut:
		in.Kind = KindUpdate
	case methodPatch:
		in.Kind = KindPatch
	case methodDelete:
		in.Kind = KindDelete
	}
	return p.allow(in, methodsInstance)
}

// atInstance classifies paths of three to maxSegments segments, all below
// [base]/[type]/[id].
func (p *parser) atInstance(segs []string) (Interaction, error) {
	typ, err := resourceType(segs[0], 1)
	if err != nil {
		return Interaction{}, err
	}
	id, err := resourceID(segs[1], 2)
	if err != nil {
		return Interaction{}, err
	}

	in := Interaction{Type: typ, ID: id}
	switch third := segs[2]; {
	case third == "_history":
		return p.history(in, segs[3:])
	case third[0] == '$' && len(segs) == 3:
		in.Kind = KindOperationInstance
		return p.operation(in, third, 3)
	case third[0] == '$':
		return Interaction{}, segmentError(4, "follows an operation name")
	case third[0] == '_':
		return Interaction{}, segmentError(3, "is not a FHIR path keyword")
	}
	return p.compartment(in, segs[2:])
}

// history classifies [base]/[type]/[id]/_history/... with rest the
// segments after _history: instance history, vread, or an operation on a
// version.
func (p *parser) history(in Interaction, rest []string) (Interaction, error) {
	if len(rest) == 0 {
		in.Kind = KindHistoryInstance
		return p.allow(in, methodsRead)
	}
	vid, err := resourceID(rest[0], 4)
	if err != nil {
		return Interaction{}, err
	}
	in.Version = vid
	if len(rest) == 1 {
		in.Kind = KindVRead
		return p.allow(in, methodsRead)
	}
	if rest[1][0] != '$' {
		return Interaction{}, segmentError(5, "is not an operation")
	}
	in.Kind = KindOperationInstance
	return p.operation(in, rest[1], 5)
}

// compartment classifies [base]/[type]/[id]/[searched type or *], and the
// same followed by /_search; rest starts at the searched type.
func (p *parser) compartment(owner Interaction, rest []string) (Interaction, error) {
	searched := rest[0]
	if searched != "*" {
		if _, err := resourceType(searched, 3); err != nil {
			return Interaction{}, err
		}
	}
	in := Interaction{
		Kind:        KindSearchCompartment,
		Type:        searched,
		Compartment: Compartment{Type: owner.Type, ID: owner.ID},
	}
	switch {
	case len(rest) == 1:
		return p.allow(in, methodsRead)
	case len(rest) == 2 && rest[1] == "_search":
		return p.allow(in, methodsQuery)
	}
	return Interaction{}, badRequest("a compartment search path ends with the searched " +
		"type or with _search")
}

// operation completes in, an operation at the level in.Kind, from its path
// segment seg ("$name", the pos-th segment) and looks up its requirement.
// An operation nobody registered is not a parse error: Authorize refuses it.
func (p *parser) operation(in Interaction, seg string, pos int) (Interaction, error) {
	name := seg[1:]
	if !isOperationName(name) {
		return Interaction{}, segmentError(pos, "is not a valid operation name")
	}
	in.Operation = name
	in.op = lookupOperation(p.reg, in.Kind, in.Type, name)
	return p.allow(in, methodsQuery)
}

// resourceType returns seg, the pos-th path segment, when it is a resource
// type, and a 400 RequestError otherwise.
func resourceType(seg string, pos int) (string, error) {
	if seg[0] == '_' {
		return "", segmentError(pos, "is not a FHIR path keyword")
	}
	if !isResourceType(seg) {
		return "", segmentError(pos, "is not a valid resource type")
	}
	return seg, nil
}

// resourceID returns seg, the pos-th path segment, when it is a FHIR id,
// and a 400 RequestError otherwise.
func resourceID(seg string, pos int) (string, error) {
	if seg[0] == '_' {
		return "", segmentError(pos, "is not a FHIR path keyword")
	}
	if !isResourceID(seg) {
		return "", segmentError(pos, "is not a valid resource ID")
	}
	return seg, nil
}
