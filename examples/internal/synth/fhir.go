package synth

import (
	"html"
	"time"
)

// obj is a JSON object under construction.
type obj = map[string]any

// Code systems.
const (
	loinc       = "http://loinc.org"
	snomed      = "http://snomed.info/sct"
	rxnorm      = "http://www.nlm.nih.gov/research/umls/rxnorm"
	cvx         = "http://hl7.org/fhir/sid/cvx"
	ucum        = "http://unitsofmeasure.org"
	obsCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	condCat     = "http://terminology.hl7.org/CodeSystem/condition-category"
	usCoreCat   = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
	condClin    = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	condVer     = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	allergyClin = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	allergyVer  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	actCode     = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	v2Ident     = "http://terminology.hl7.org/CodeSystem/v2-0203"
	diagSection = "http://terminology.hl7.org/CodeSystem/v2-0074"
	provAgent   = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	mrnSystem   = "urn:oid:2.16.840.1.113883.3.4.5.6.7"
	npiSystem   = "http://hl7.org/fhir/sid/us-npi"
	usCoreSD    = "http://hl7.org/fhir/us/core/StructureDefinition/"
	usCoreCS    = "http://hl7.org/fhir/us/core/CodeSystem/"
	nucc        = "http://nucc.org/provider-taxonomy"
)

// tho returns the URL of an HL7 terminology code system.
func tho(name string) string { return "http://terminology.hl7.org/CodeSystem/" + name }

// ref returns a Reference to typ/id with a display text.
func ref(typ, id, display string) obj {
	r := obj{"reference": typ + "/" + id}
	if display != "" {
		r["display"] = display
	}
	return r
}

// coding returns a Coding.
func coding(system, code, display string) obj {
	return obj{"system": system, "code": code, "display": display}
}

// concept returns a CodeableConcept with one coding and the display as
// text.
func concept(system, code, display string) obj {
	return obj{"coding": []any{coding(system, code, display)}, "text": display}
}

// category returns a one-element category list.
func category(system, code, display string) []any {
	return []any{obj{"coding": []any{coding(system, code, display)}}}
}

// quantity returns a UCUM Quantity.
func quantity(value float64, unit string) obj {
	return obj{"value": value, "unit": unit, "system": ucum, "code": unit}
}

// profile returns meta with one US Core profile.
func profile(name string) obj {
	return obj{"profile": []any{usCoreSD + name}}
}

// day formats a date.
func day(t time.Time) string { return t.Format("2006-01-02") }

// instant formats a dateTime with seconds and zone.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// narrative returns a generated narrative holding a short summary.
func narrative(summary string) obj {
	return obj{"status": "generated",
		"div": `<div xmlns="http://www.w3.org/1999/xhtml">` + html.EscapeString(summary) + `</div>`}
}
