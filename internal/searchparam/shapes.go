package searchparam

// shape is how the values of an element are read: one per pair of
// parameter type and FHIR data type.
type shape uint8

const (
	shapeNone            shape = iota
	shapeReference             // Reference object
	shapeRefString             // canonical or uri read as a reference
	shapeCoding                // Coding object
	shapeCodeableConcept       // CodeableConcept object
	shapeIdentifier            // Identifier object
	shapeContactPoint          // ContactPoint object
	shapeCode                  // code, string, id, uri or boolean as a token
	shapeString                // string or markdown
	shapeHumanName             // HumanName object
	shapeAddress               // Address object
	shapeDate                  // date, dateTime or instant
	shapePeriod                // Period object
	shapeTiming                // Timing object: its events
	shapeURI                   // uri, url, canonical, oid or uuid
	shapeQuantity              // Quantity and its specializations
	shapeMoney                 // Money object
	shapeNumber                // decimal or integer
)

// shapeFields lists, per shape of an object, the members it reads.
var shapeFields = [...][]string{
	shapeReference:       {"reference", "type"},
	shapeCoding:          codingFields,
	shapeCodeableConcept: {"coding", "text"},
	shapeIdentifier:      {"system", "value", "type"},
	shapeContactPoint:    {"value"},
	shapeHumanName:       {"family", "given", "prefix", "suffix", "text"},
	shapeAddress:         {"line", "city", "district", "state", "postalCode", "country", "text"},
	shapePeriod:          {"start", "end"},
	shapeTiming:          {"event"},
	shapeQuantity:        {"value", "unit", "system", "code"},
	shapeMoney:           {"value", "currency"},
	shapeNumber:          nil,
}

var codingFields = []string{"system", "code", "display"}

// shapeOf returns the shape for a parameter type and a FHIR type that
// compile has found compatible.
func shapeOf(pt Type, fhirType string) shape {
	switch pt {
	case Reference:
		if fhirType == "Reference" {
			return shapeReference
		}
		return shapeRefString
	case Token:
		return tokenShape(fhirType)
	case String:
		return stringShape(fhirType)
	case Date:
		return dateShape(fhirType)
	case URI:
		return shapeURI
	case Quantity:
		if fhirType == "Money" {
			return shapeMoney
		}
		return shapeQuantity
	case Number:
		return shapeNumber
	}
	return shapeNone
}

func tokenShape(fhirType string) shape {
	switch fhirType {
	case "Coding":
		return shapeCoding
	case "CodeableConcept":
		return shapeCodeableConcept
	case "Identifier":
		return shapeIdentifier
	case "ContactPoint":
		return shapeContactPoint
	}
	return shapeCode
}

func stringShape(fhirType string) shape {
	switch fhirType {
	case "HumanName":
		return shapeHumanName
	case "Address":
		return shapeAddress
	}
	return shapeString
}

func dateShape(fhirType string) shape {
	switch fhirType {
	case "Period":
		return shapePeriod
	case "Timing":
		return shapeTiming
	}
	return shapeDate
}
