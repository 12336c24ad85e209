// Package searchparam evaluates FHIR R4 search parameters over resource JSON.
//
// It is the foundation that the compartment decorator and the demo store use
// to decide which resources a search condition or a granular SMART scope
// covers. Its tables are generated from the official R4 definitions, its
// FHIRPath support is a small, exact subset, and its evaluator reads the
// resource bytes in one pass without decoding them into maps.
//
// # API overview
//
//   - [Lookup] and [Defs] return the [Def] of a search parameter for a
//     resource type: its [Type], its FHIRPath expression for that type, its
//     reference targets, and whether this package can evaluate it
//     ([Def.Supported]). Lookup also answers the common parameters _id,
//     _lastUpdated, _tag, _profile, _security and _source for every type.
//   - [CompartmentParams] names the parameters through which a resource of a
//     type belongs to a patient's compartment (Observation: subject,
//     performer); [CompartmentTypes] lists the types in the compartment.
//   - [NewExtractor] compiles several definitions of one resource type into
//     an [Extractor]; [Extractor.Extract] validates the resource JSON and
//     hands every [Value] of every definition to a callback in one pass.
//     [Extractor.ExtractPresence] also reports, in the same pass, which
//     definitions have an element at all, even one that yields no value
//     (a Reference with only an identifier, null, an empty object).
//   - [ParseCriterion] parses a search condition such as
//     "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"
//     into a [Criterion]; [Criterion.Match] tests one Value and
//     [Criterion.MatchResource] a whole resource.
//   - [ParseReference] splits a FHIR reference into type and ID, and
//     [ParseReferenceURL] also returns the base of an absolute reference.
//   - [ResourceTypes] lists the R4 resource types.
//
// Usage:
//
//	subject, _ := searchparam.Lookup("Observation", "subject")
//	performer, _ := searchparam.Lookup("Observation", "performer")
//	ex, err := searchparam.NewExtractor(subject, performer)
//	if err != nil {
//		return err // a definition this package cannot evaluate
//	}
//	inCompartment := false
//	err = ex.Extract(resourceJSON, func(def int, v searchparam.Value) {
//		typ, id, ok := searchparam.ParseReference(v.Ref)
//		inCompartment = inCompartment || ok && typ == "Patient" && id == patientID
//	})
//	if err != nil {
//		inCompartment = false // invalid JSON or a duplicated key: fail closed
//	}
//
// # Security model
//
// The caller passes the resource bytes on unchanged, so any disagreement
// between this package's reading of the JSON and a client's reading is a
// potential leak. The scanner therefore rejects everything that is not
// strict RFC 8259 JSON in UTF-8 ([ErrSyntax]; stricter than encoding/json,
// which accepts invalid UTF-8), rejects a key that appears
// twice in an object on a path it evaluates ([ErrDuplicateKey]; parsers
// disagree about which duplicate wins), decodes escaped keys before comparing
// them ("sub\u006aect" is "subject"), and bounds nesting depth
// ([ErrTooDeep]). A definition whose expression uses FHIRPath this package
// does not implement is reported as unsupported and cannot be compiled into
// an Extractor or a Criterion, so it is never evaluated wrongly. An
// unsupported parameter, modifier or prefix in a condition is an error that
// names it ([ErrUnsupported]).
//
// # FHIRPath subset
//
// Paths from the resource root (Observation.subject), unions (a | b),
// .where(resolve() is Patient) on a Reference, .where(field='literal') at the
// end of a path to a ContactPoint, Identifier or Coding
// (telecom.where(system='phone')), one .where(field='literal') in the middle
// of a path (relatedArtifact.where(type='composed-of').resource), (x as T),
// x.as(T) and x.ofType(T) on choice elements, and bare choice elements
// (Observation.effective), which stand for each of their types that the
// parameter's type can use. Element types come from the R4
// StructureDefinitions (data/elements.tsv). Arrays are crossed at any depth;
// an array directly inside an array yields nothing. Anything else makes a
// definition unsupported: of the 1,378 R4 SearchParameter resources, 1,306
// are fully supported; the rest are composite and special parameters,
// parameters without an expression (_text, _content, _query), Range values
// of quantity parameters, Bundle.entry[0] and Patient.deceased.
// [Def.Unsupported] says why.
//
// # Values of each parameter type
//
// A token yields the codings of a CodeableConcept (and its text, for :text),
// a Coding, an Identifier's system and value (and its type codings, for
// :of-type), a ContactPoint's value, and code, string, id, URI and boolean
// primitives. A reference yields Reference.reference with Reference.type, or
// a canonical or URI. A string yields string primitives and each part of a
// HumanName or Address. A date yields the range [low, high) of a date,
// dateTime, instant, Period or Timing event. A uri yields the URI, a
// quantity the value, unit, system and code of a Quantity (or Age, Duration,
// Count, Distance, Money), a number the number.
//
// An element that yields no value still counts for
// [Extractor.ExtractPresence] and for :missing, which holds only for a
// resource without any element on the parameter's path: a Reference with
// only an identifier or a display, null or an empty object is not
// missing. On a path with a where() or resolve() condition, only an
// element with a value that meets the condition counts.
//
// # Known gaps
//
// These are written where they stand in the code too:
//
//   - A date without a time zone is read as UTC.
//   - A code primitive (Observation.status) has no system here, so
//     "system|code" never matches it: search such parameters by code alone.
//   - String search folds case and removes accents (Unicode decomposition),
//     but not other equivalences such as "ß" and "ss".
//   - Quantity search compares units as written: no UCUM conversion. A
//     Quantity's comparator is ignored: "<5" counts as 5.
//   - Number and quantity eq use the search value's precision only, and ap
//     is a fixed margin (a tenth of the value, or of a date range's length).
//   - A relative reference search value matches only relative references,
//     and an absolute one only the same base, since this package does not
//     know the server's base URL.
//   - resolve() does not open contained resources: "#id" counts as the type
//     its Reference.type says.
//   - SampledData yields no quantity values.
//   - Unsupported modifiers: token :in, :not-in, :above, :below; reference
//     :identifier, :above, :below; version-specific reference values.
//   - Duplicated keys are detected on the paths an Extractor evaluates and
//     on resourceType, not in parts of the resource it does not read.
//
// # Values and their lifetime
//
// [Value] strings point into the resource bytes given to Extract (escaped
// strings are decoded into new memory). They stay valid only while those bytes
// are not modified; call [Value.Clone] to keep a value beyond that.
//
// # Specifications
//
// FHIR R4 (4.0.1): Search (http://hl7.org/fhir/R4/search.html), the
// SearchParameter definitions, the Patient CompartmentDefinition, FHIRPath
// (http://hl7.org/fhirpath/N1/) and the JSON representation; RFC 8259 (JSON).
// Where this package departs from them, its documentation says so.
package searchparam
