// Package fhirjson reads and writes the top level of a FHIR resource's
// JSON without decoding the rest: the store stamps id and meta, and the
// server's handlers set IDs and subset resources (_elements, _summary),
// while every other member keeps the bytes it was written with.
//
// Usage:
//
//	obj, err := fhirjson.Parse(data)
//	if err != nil {
//		return err // not a JSON object, a repeated member, trailing data
//	}
//	obj.SetString("id", "123")
//	data = obj.Encode()
//
// # Security model
//
// Parse refuses a member that appears twice at the top level, since JSON
// parsers disagree about which one wins, and anything after the object.
// Members are compared exactly, with case: "metA" is not "meta". Errors
// name members, never values.
package fhirjson
