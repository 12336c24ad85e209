package smart

import "strconv"

// Kind is a FHIR R4 RESTful interaction, as [ParseInteraction] classifies a
// request. Its String method gives the code of the FHIR R4 value set
// http://hl7.org/fhir/ValueSet/type-restful-interaction, except that batch
// and transaction share [KindBatch] and each search and operation level has
// its own kind. The zero Kind is no interaction.
type Kind uint8

// The interactions of the FHIR R4 RESTful API.
const (
	// KindRead is GET [type]/[id].
	KindRead Kind = iota + 1

	// KindVRead is GET [type]/[id]/_history/[vid].
	KindVRead

	// KindUpdate is PUT [type]/[id], or PUT [type]?[criteria] when
	// Conditional is set.
	KindUpdate

	// KindPatch is PATCH [type]/[id], or PATCH [type]?[criteria] when
	// Conditional is set.
	KindPatch

	// KindDelete is DELETE [type]/[id], or DELETE [type]?[criteria] when
	// Conditional is set.
	KindDelete

	// KindCreate is POST [type], with an If-None-Exist header when
	// Conditional is set.
	KindCreate

	// KindSearchType is GET [type]?[parameters] or POST [type]/_search
	// (also accepted by GET, which some servers serve).
	KindSearchType

	// KindSearchSystem is GET [base]?[parameters] or POST [base]/_search
	// (also accepted by GET).
	KindSearchSystem

	// KindSearchCompartment is GET [compartment type]/[id]/[type] or
	// GET [compartment type]/[id]/*, or the same with /_search by POST.
	KindSearchCompartment

	// KindHistoryInstance is GET [type]/[id]/_history.
	KindHistoryInstance

	// KindHistoryType is GET [type]/_history.
	KindHistoryType

	// KindHistorySystem is GET [base]/_history.
	KindHistorySystem

	// KindBatch is POST [base]: a batch or a transaction Bundle. Which of
	// the two is written in the body, which the middleware does not read;
	// the server authorizes each entry with [Authorize].
	KindBatch

	// KindCapabilities is GET [base]/metadata.
	KindCapabilities

	// KindOperationSystem is an operation on the whole server, such as
	// [base]/$export.
	KindOperationSystem

	// KindOperationType is an operation on a resource type, such as
	// [base]/Observation/$lastn.
	KindOperationType

	// KindOperationInstance is an operation on one resource, such as
	// [base]/Patient/123/$everything, or on one version of it.
	KindOperationInstance
)

// kindNames holds the String of each Kind, indexed by the Kind.
var kindNames = [...]string{
	KindRead:              "read",
	KindVRead:             "vread",
	KindUpdate:            "update",
	KindPatch:             "patch",
	KindDelete:            "delete",
	KindCreate:            "create",
	KindSearchType:        "search-type",
	KindSearchSystem:      "search-system",
	KindSearchCompartment: "search-compartment",
	KindHistoryInstance:   "history-instance",
	KindHistoryType:       "history-type",
	KindHistorySystem:     "history-system",
	KindBatch:             "batch",
	KindCapabilities:      "capabilities",
	KindOperationSystem:   "operation-system",
	KindOperationType:     "operation-type",
	KindOperationInstance: "operation-instance",
}

// String returns the interaction's code, such as "read" or "search-type".
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}
