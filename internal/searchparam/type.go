package searchparam

import "fmt"

// Type is the type of a search parameter, from SearchParameter.type. It
// decides which values a parameter yields and how a condition matches them.
// The zero value is no type.
type Type uint8

// The search parameter types of FHIR R4. This package evaluates all but
// Composite and Special.
const (
	Number    Type = iota + 1 // a decimal or integer
	Date                      // a date, dateTime, instant, Period or Timing
	String                    // a string, HumanName or Address
	Token                     // a code, Coding, CodeableConcept, Identifier, ...
	Reference                 // a Reference, canonical or uri to a resource
	Composite                 // a combination of other parameters
	Quantity                  // a Quantity or one of its specializations
	URI                       // a uri, url, canonical, oid or uuid
	Special                   // a parameter with its own rules, such as near
)

var typeNames = [...]string{
	Number:    "number",
	Date:      "date",
	String:    "string",
	Token:     "token",
	Reference: "reference",
	Composite: "composite",
	Quantity:  "quantity",
	URI:       "uri",
	Special:   "special",
}

// String returns the type's name in FHIR, such as "token".
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}
