// Package synth generates the demo server's deterministic synthetic data
// set: patients with data in every resource type of the US Core 6.1.0
// server CapabilityStatement, and the Practitioner, PractitionerRole,
// Organization, Location, Medication and other resources they share.
//
// Usage:
//
//	resources, err := synth.Generate(synth.Config{Patients: 6})
//	if err != nil {
//		return err
//	}
//	for _, r := range resources {
//		_, err := store.Update(ctx, r)
//		...
//	}
//
// The same Config always yields the same resources, byte for byte: the
// values that vary (vital signs, lab results, dates within a visit) come
// from a pseudo-random generator seeded by Config.Seed, and every date is
// counted back from Config.Reference, not from the clock.
//
// # What the data holds
//
// Each patient has encounters with vital signs and laboratory results,
// Observations of the categories vital-signs, laboratory, social-history,
// survey and exam, Conditions of the categories problem-list-item,
// encounter-diagnosis and health-concern, and AllergyIntolerance,
// CarePlan, CareTeam, Coverage, Device, DiagnosticReport (laboratory
// and note), DocumentReference, Goal, Immunization, Media,
// MedicationRequest, MedicationDispense, Procedure, QuestionnaireResponse,
// RelatedPerson, ServiceRequest and Specimen resources, with Provenance
// for each visit. Every patient's survey Observation is performed by the
// next patient (a caregiver who is a patient too), and a patient-authored
// DocumentReference of each patient is written by the next one, so that
// the Patient compartment's membership through performer and author is
// exercised: by the R4 CompartmentDefinition, those resources are in both
// patients' compartments.
//
// All names, identifiers and values are invented. Codes are real LOINC,
// SNOMED CT, RxNorm, CVX and HL7 codes, since apps display them.
//
// # Specifications
//
// FHIR R4 (4.0.1) and the US Core 6.1.0 profiles (USCDI v3), whose
// must-support elements the resources carry where the demo needs them.
// The list of resource types comes from the US Core 6.1.0 server
// CapabilityStatement; see testdata/PROVENANCE.md.
package synth
