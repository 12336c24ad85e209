package smart

import (
	"errors"
	"fmt"
)

// Operation registers a FHIR operation with the [Guard], stating what a
// token must grant to invoke it. The Guard refuses with 403 every operation
// that is neither built in nor registered: an operation may read any type or
// write data, and its name does not say which, so an unknown one is never
// let through on the strength of unrelated scopes.
//
// A registration for a name, level and type that the library already knows
// replaces the built-in requirement. The built-in operations are listed in
// the package documentation.
type Operation struct {
	// Name is the operation's name without the leading "$", such as
	// "lastn".
	Name string

	// Kind is the level the operation is invoked at: KindOperationSystem,
	// KindOperationType or KindOperationInstance. Register an operation
	// once per level it supports.
	Kind Kind

	// Type is the resource type the operation is defined on at type and
	// instance level, such as "Observation", or "*" for every type. It
	// must be empty at system level.
	Type string

	// Permissions are the SMART permission letters the token must grant.
	// At type and instance level they are needed on the resource type in
	// the path. At system level they are needed on every type the request
	// names in _type, or, without _type, on some type, as for a system-wide
	// search. Permissions must be zero exactly when NoStoredData is set.
	Permissions Permissions

	// NoStoredData declares that the operation reads and writes no stored
	// data (it works only on what the request carries, like $validate at
	// type level), so that any valid token may invoke it.
	NoStoredData bool
}

// opMode says how an operation's requirement is derived from a request.
type opMode uint8

const (
	// opUnknown is the zero mode: an operation nobody registered.
	opUnknown opMode = iota

	// opPathType needs the rule's permissions on the type in the path.
	opPathType

	// opSystemWide needs the permissions as a system-wide search does: on
	// each _type, or on some type.
	opSystemWide

	// opExport needs the rule's permissions on the type in the path and
	// search as a system-wide search does, as bulk data export does.
	opExport

	// opNoData needs a valid token and no scope.
	opNoData

	// opPublic needs no token.
	opPublic
)

// opRule is the requirement of one operation at one level.
type opRule struct {
	mode opMode
	perm Permissions
}

// opKey identifies an operation: its level, the type it is defined on
// (empty at system level, "*" for every type) and its name.
type opKey struct {
	kind Kind
	typ  string
	name string
}

// operations maps operations to their rules.
type operations map[opKey]opRule

// builtinOperations are the FHIR R4 and Bulk Data operations whose
// requirement the library knows. Each states the least a token needs to
// reach the same data through plain interactions; the compartment layer
// then filters what comes back type by type.
var builtinOperations = operations{
	// $everything reads a patient's (or an encounter's) record.
	{KindOperationInstance, "Patient", "everything"}:   {opPathType, PermRead},
	{KindOperationType, "Patient", "everything"}:       {opPathType, PermSearch},
	{KindOperationInstance, "Encounter", "everything"}: {opPathType, PermRead},

	// $export is a bulk search; a Group export also reads the Group.
	{KindOperationSystem, "", "export"}:        {opSystemWide, PermSearch},
	{KindOperationType, "Patient", "export"}:   {opExport, PermSearch},
	{KindOperationInstance, "Group", "export"}: {opExport, PermRead},

	// $validate at type level checks the resource in the request only.
	{KindOperationType, "*", "validate"}:     {opNoData, 0},
	{KindOperationInstance, "*", "validate"}: {opPathType, PermRead},

	// $meta lists the tags and profiles in use; $meta-add and
	// $meta-delete change one resource's.
	{KindOperationSystem, "", "meta"}:           {opSystemWide, PermSearch},
	{KindOperationType, "*", "meta"}:            {opPathType, PermSearch},
	{KindOperationInstance, "*", "meta"}:        {opPathType, PermRead},
	{KindOperationInstance, "*", "meta-add"}:    {opPathType, PermUpdate},
	{KindOperationInstance, "*", "meta-delete"}: {opPathType, PermUpdate},

	// Searches under another name.
	{KindOperationType, "Observation", "lastn"}: {opPathType, PermSearch},
	{KindOperationType, "Observation", "stats"}: {opPathType, PermSearch},
	{KindOperationType, "Patient", "match"}:     {opPathType, PermSearch},

	// $document assembles a document from a Composition.
	{KindOperationInstance, "Composition", "document"}: {opPathType, PermRead},

	// Terminology operations read the code system, value set or concept
	// map they name, by ID or by canonical URL.
	{KindOperationType, "CodeSystem", "lookup"}:            {opPathType, PermRead},
	{KindOperationInstance, "CodeSystem", "lookup"}:        {opPathType, PermRead},
	{KindOperationType, "CodeSystem", "validate-code"}:     {opPathType, PermRead},
	{KindOperationInstance, "CodeSystem", "validate-code"}: {opPathType, PermRead},
	{KindOperationType, "CodeSystem", "subsumes"}:          {opPathType, PermRead},
	{KindOperationInstance, "CodeSystem", "subsumes"}:      {opPathType, PermRead},
	{KindOperationType, "ValueSet", "expand"}:              {opPathType, PermRead},
	{KindOperationInstance, "ValueSet", "expand"}:          {opPathType, PermRead},
	{KindOperationType, "ValueSet", "validate-code"}:       {opPathType, PermRead},
	{KindOperationInstance, "ValueSet", "validate-code"}:   {opPathType, PermRead},
	{KindOperationType, "ConceptMap", "translate"}:         {opPathType, PermRead},
	{KindOperationInstance, "ConceptMap", "translate"}:     {opPathType, PermRead},

	// $convert changes the format of the resource in the request;
	// $versions lists the FHIR versions served, like metadata.
	{KindOperationSystem, "", "convert"}:  {opNoData, 0},
	{KindOperationSystem, "", "versions"}: {opPublic, 0},
}

// lookupOperation returns the rule for operation name at level kind on
// type typ: from the server's registrations reg (which may be nil), then
// from the built-in table. It returns the zero rule (opUnknown) when
// neither knows the operation.
func lookupOperation(reg operations, kind Kind, typ, name string) opRule {
	if r, ok := reg.find(kind, typ, name); ok {
		return r
	}
	r, _ := builtinOperations.find(kind, typ, name)
	return r
}

// find returns the rule registered in ops for the type, or else for every
// type ("*"), and whether there was one.
func (ops operations) find(kind Kind, typ, name string) (opRule, bool) {
	if kind == KindOperationSystem {
		r, ok := ops[opKey{kind, "", name}]
		return r, ok
	}
	if r, ok := ops[opKey{kind, typ, name}]; ok {
		return r, true
	}
	r, ok := ops[opKey{kind, "*", name}]
	return r, ok
}

// errOperation is wrapped by every error about a registered Operation.
var errOperation = errors.New("smart: invalid operation registration")

// newOperations validates ops and returns them as a registry, or an error
// naming each problem.
func newOperations(ops []Operation) (operations, error) {
	reg := make(operations, len(ops))
	var errs []error
	for i, op := range ops {
		key, rule, err := op.rule()
		if err == nil {
			if _, dup := reg[key]; dup {
				err = errors.New("registered twice")
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: Operations[%d] ($%s): %v",
				errOperation, i, op.Name, err))
			continue
		}
		reg[key] = rule
	}
	return reg, errors.Join(errs...)
}

// rule checks op and returns its registry key and rule.
func (op Operation) rule() (opKey, opRule, error) {
	key := opKey{op.Kind, op.Type, op.Name}
	if !isOperationName(op.Name) {
		return key, opRule{}, errors.New("name must be letters, digits, '-' or '_', " +
			"starting with a letter, without the leading $")
	}
	if err := op.checkLevel(); err != nil {
		return key, opRule{}, err
	}
	switch {
	case op.NoStoredData && op.Permissions != 0:
		return key, opRule{}, errors.New("with NoStoredData set, permissions must be zero")
	case op.NoStoredData:
		return key, opRule{opNoData, 0}, nil
	case op.Permissions == 0:
		return key, opRule{}, errors.New("permissions are required unless NoStoredData is set")
	case op.Permissions&^PermAll != 0:
		return key, opRule{}, errors.New("permissions hold unknown bits")
	case op.Kind == KindOperationSystem:
		return key, opRule{opSystemWide, op.Permissions}, nil
	}
	return key, opRule{opPathType, op.Permissions}, nil
}

// checkLevel checks op's Kind and Type against each other.
func (op Operation) checkLevel() error {
	switch op.Kind {
	case KindOperationSystem:
		if op.Type != "" {
			return errors.New("the type must be empty at system level")
		}
		return nil
	case KindOperationType, KindOperationInstance:
		if op.Type != "*" && !isResourceType(op.Type) {
			return errors.New("the type must be a resource type such as Observation, or *")
		}
		return nil
	}
	return errors.New("the kind must be KindOperationSystem, KindOperationType " +
		"or KindOperationInstance")
}
