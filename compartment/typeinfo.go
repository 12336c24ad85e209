package compartment

import (
	"slices"
	"sync"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// mode says how resources of a type relate to a patient, and so how a
// patient token reaches them.
type mode uint8

const (
	// modeCompartment: the type is in the R4 Patient CompartmentDefinition;
	// a resource belongs to a patient through its compartment parameters.
	modeCompartment mode = iota + 1

	// modeSelf: Patient, which belongs to a patient's compartment through
	// its own ID.
	modeSelf

	// modeLinked: the type is outside the compartment but has reference
	// parameters that can point to a Patient (Device.patient,
	// Task.patient, Linkage.item); a patient token sees a resource only
	// when one of them points to its patient, as if it were in the
	// compartment, or, for an ownerless type (Device), when it has no
	// such element at all.
	modeLinked

	// modeOpen: reference data with no reference to any patient
	// (Practitioner, Organization, Location, Medication, ...), visible to a
	// patient token whose scopes name the type.
	modeOpen

	// modeBinary: Binary, visible through the resource it belongs to.
	modeBinary

	// modeClosed: types that can carry any patient's data in a form this
	// package cannot check (Bundle, Subscription); refused to patient
	// tokens.
	modeClosed
)

// closedTypes are the types refused to patient tokens: a stored Bundle
// holds whole resources of any patient, and a Subscription's criteria can
// name any patient.
var closedTypes = []string{"Bundle", "Subscription"}

// ownerlessTypes are the linked types whose resources may belong to no
// patient at all, and are then visible to patient tokens like reference
// data: a Device without Device.patient is a shared device (a lab
// analyser that Observation.device names, a ward monitor), and hiding it
// from every patient would withhold what their own data points to.
//
// Only Device qualifies. An R4 Device has exactly one element that ties
// it to a person, Device.patient, and no other reference that can carry
// patient data: definition, owner, location and parent point to a
// DeviceDefinition, an Organization, a Location and another Device. So a
// Device without Device.patient is no one's device. Known gap: its
// free text (note, whose author may be a Patient) and its contained
// resources are released with it like the rest of its content; a server
// must not record a patient's data there on a Device that names no
// patient.
//
// The other linked types do not qualify: even when none of their
// membership references names a patient, they can point to another
// patient's data. Task.focus, Contract.subject and Contract.term.asset,
// GuidanceResponse.result and outputParameters point to any resource or
// to plans, and the membership references of MessageHeader (focus),
// VerificationResult (target), PaymentNotice (request, response) and
// Linkage (item) point to any resource themselves. They keep the
// compartment rule.
var ownerlessTypes = []string{"Device"}

// artifactParams are the reference parameters of knowledge artifacts
// (relatedArtifact and ImplementationGuide.resource): they point to
// definitions, not to patients, although their target list is "any".
var artifactParams = []string{
	"composed-of", "depends-on", "derived-from", "predecessor", "successor",
}

// typeInfo is what the Guard knows about a resource type for patient
// tokens.
type typeInfo struct {
	name string
	mode mode

	// members are the definitions through which a resource of the type
	// belongs to a patient: compartment or linking references, or _id for
	// Patient.
	members []*searchparam.Def

	// ownerless, for the types in ownerlessTypes, says that a resource
	// without any element of its membership parameters belongs to no
	// patient and is visible to every patient token that reaches the type.
	ownerless bool

	// indirect, for Provenance, is the target parameter: a Provenance is
	// also visible when one of its targets is.
	indirect *searchparam.Def

	// unsupported, when not empty, says why membership cannot be evaluated;
	// patient tokens are then refused the type.
	unsupported string
}

// typeTable holds the typeInfo of every R4 resource type, built once.
var typeTable = sync.OnceValue(func() map[string]*typeInfo {
	m := make(map[string]*typeInfo)
	for _, t := range searchparam.ResourceTypes() {
		m[t] = newTypeInfo(t)
	}
	return m
})

// lookupType returns the typeInfo of a resource type, or nil for a type
// R4 does not define.
func lookupType(t string) *typeInfo { return typeTable()[t] }

// newTypeInfo classifies one resource type.
func newTypeInfo(t string) *typeInfo {
	ti := &typeInfo{name: t}
	names := searchparam.CompartmentParams(t)
	switch {
	case t == "Patient":
		ti.mode, names = modeSelf, []string{"_id"}
	case t == "Binary":
		ti.mode = modeBinary
	case slices.Contains(closedTypes, t):
		ti.mode = modeClosed
	case names != nil:
		ti.mode = modeCompartment
	default:
		names = linkingParams(t)
		ti.mode = modeLinked
		// One membership parameter only: memberGroup's :missing condition
		// then says "no membership element at all".
		ti.ownerless = slices.Contains(ownerlessTypes, t) && len(names) == 1
		if names == nil {
			ti.mode = modeOpen
		}
	}
	ti.setMembers(names)
	if t == "Provenance" {
		ti.indirect, _ = searchparam.Lookup(t, "target")
	}
	return ti
}

// setMembers looks up the membership definitions; one that cannot be
// evaluated makes the type unavailable to patient tokens.
func (ti *typeInfo) setMembers(names []string) {
	for _, n := range names {
		d, ok := searchparam.Lookup(ti.name, n)
		if !ok || !d.Supported() {
			ti.unsupported = "membership parameter " + n + " cannot be evaluated"
			return
		}
		ti.members = append(ti.members, d)
	}
}

// linkingParams returns the reference parameters of a type outside the
// compartment that can point to a Patient: "patient" alone when the type
// has it, else every such parameter except those of knowledge artifacts.
// It returns nil when there is none.
func linkingParams(t string) []string {
	var names []string
	for _, d := range searchparam.Defs(t) {
		if d.Type != searchparam.Reference || !slices.Contains(d.Targets, "Patient") {
			continue
		}
		if d.Name == "patient" {
			return []string{"patient"}
		}
		if !slices.Contains(artifactParams, d.Name) &&
			!(t == "ImplementationGuide" && d.Name == "resource") {
			names = append(names, d.Name)
		}
	}
	return names
}
