// Package compartment enforces SMART on FHIR scopes, the FHIR Patient
// compartment and custom rules where a FHIR server reads and writes its
// data: at the storage boundary, whatever path a request takes through
// the server's handlers (search, read, _include, history, $everything, a
// Bundle entry).
//
// A server implements [Repository] around its own store and wraps it once
// with [New]. The [Guard] it gets back is a Repository too; the server's
// handlers use only the Guard, and every resource they obtain from it is
// one the request's token covers. Everything the token does cover comes
// back, complete: withholding data the patient is entitled to is as much
// a defect as leaking data they are not (45 CFR 171, information
// blocking).
//
// Usage:
//
//	guard, err := compartment.New(store, compartment.Config{
//		BaseURL: "https://fhir.example.org/r4",
//		Audit:   audit.Slog(logger),
//	})
//	if err != nil {
//		return err // a bad base URL, a rule that does not type-check
//	}
//	// In a handler, after the smart middleware put the Grant in ctx:
//	q, err := compartment.ParseQuery("Observation", r.URL.Query())
//	if err != nil {
//		compartment.WriteError(w, err) // 400 with an OperationOutcome
//		return
//	}
//	page, err := guard.Search(r.Context(), q)
//
// # Security model
//
// The Guard reads the [smart.Grant] of the request from its context; a
// context without one is refused ([ErrForbidden]). For each resource type
// and interaction, the scopes that cover it give one or more access
// paths, and a resource is visible when one path admits it and every
// applicable [Rule] holds:
//
//   - A patient/ scope reaches the patient's compartment: a resource of a
//     compartment type belongs to the patient through any of its
//     compartment parameters (Observation: subject or performer) pointing
//     to the patient, written relative or absolute with Config.BaseURL;
//     Patient resources by their ID. Config.LinkedPatients adds linked
//     patients. Types outside the compartment that hold a reference to a
//     patient (Device, Task, Contract, Linkage, ...) are treated the same
//     way through those references. Reference data without any patient
//     reference (Practitioner, Organization, Location, Medication, ...) is
//     visible when a scope names the type, unless
//     Config.PatientCompartmentOnly. A Device is reference data too when
//     it has no Device.patient element at all (a shared analyser or
//     monitor): a patient token with a scope on Device sees it, and may
//     create one with c. A Device whose patient element is there in any
//     form (another patient, a contained or identifier-only reference,
//     null, {}) is visible only when it names the patient; an update may
//     not move a shared Device to anyone else. Device alone has this
//     rule: Device.patient is its only tie to a person, while Task,
//     Contract and the other such types can point to another patient's
//     data through other references (Task.focus). Provenance is also
//     visible when one of its targets is visible and may be the patient's
//     data (reference data such as a Practitioner or a shared Device does
//     not count: it is in every patient's view), or when it targets only
//     reference data, all of it visible. Binary is visible when the resource its
//     securityContext names is; without a securityContext, when
//     DocumentReferences point to it and the token may read all of them.
//     Stored Bundles and Subscriptions are refused to patient tokens:
//     they can hold any patient's data in a form the Guard cannot check.
//     Patient tokens may not create or delete Patient resources, nor add
//     to Patient.link.
//   - A user/ or system/ scope reaches what Config.Narrow allows (a
//     practitioner's panel, an organization), or, without Narrow, every
//     resource of the type.
//   - A granular scope (patient/Observation.rs?category=...) restricts its
//     path to resources that meet its conditions, evaluated with the R4
//     definition of each search parameter; scopes on one type combine with
//     OR, and a scope without conditions subsumes the granular ones of its
//     context. A condition the Guard cannot evaluate makes its scope grant
//     nothing, and is reported.
//
// A token holding both patient/ and user/ scopes sees the union: patient/
// scopes stay limited to the compartment, user/ scopes follow Narrow.
//
// Every query the store receives carries [Constraints] that select what
// the token may see, and every resource the store returns is checked
// again, in one pass over its JSON bytes, before it is released: a store
// that misses a constraint leaks nothing (the miss is reported as a
// storage defect). A resource outside the grant is answered exactly like
// a missing one ([ErrNotFound]); a request the grant does not allow,
// decided from the request alone, answers [ErrForbidden]. Paging cursors
// carry no authority: each page is constrained for the token presenting
// it. Counts count only what the token may see. The Guard passes resource
// JSON on exactly as stored; it never re-serializes it.
//
// # What a storage author implements
//
// [Repository] lists the methods and what each must do; [Query],
// [Constraints], [Condition], [Page] and [HistoryQuery] document every
// field. In short: apply the client's parameters and the Guard's
// Constraints to the matches (Constraints are search parameters with FHIR
// R4 semantics, grouped as an AND of OR-groups, each condition limited to
// its resource type, and :missing decided on the element's presence, as
// [Constraints] says); return full resources; add _include and
// _revinclude resources (the Guard checks them and keeps those linked to
// a released match); answer unknown and deleted resources with
// [ErrNotFound]; never trust a query remembered in a page cursor over the
// Query given. The in-memory reference store, package
// compartment/memstore, implements the whole contract and is short
// enough to read.
//
// # Chains, _has, includes and counts
//
// A chained or _has parameter that reaches a type the token sees only in
// part (subject:Patient.name=..., Patient?_has:Observation:...) is
// resolved by the Guard itself: it runs the inner search through its own
// checks and gives the store the references it found. A condition can so
// only test resources the token could itself search; a type without a
// scope answers [ErrForbidden]. A chain that reaches only types the token
// sees whole goes to the store unchanged. Included resources pass the same
// checks as matches and must be linked to a released resource.
// _summary=count and _total=accurate count the matches the Guard would
// release, reading them when the token sees a type only in part, up to
// Config.MaxCount.
//
// # Custom rules
//
// Config.Rules are CEL expressions over resource, grant and interaction
// (see [Rule] for the variables and helper functions). They are compiled
// and type-checked by [New], evaluated with a cost limit, and an
// evaluation error withholds the resource and is reported. Three worked
// examples:
//
// A security-label rule: resources labelled restricted (R) are released
// only to tokens holding a "restricted" scope.
//
//	compartment.Rule{
//		Name: "restricted-label",
//		Expression: `!has_security_label(resource,
//			"http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R")
//			|| "restricted" in grant.scopes`,
//	}
//
// A category rule: social-history Observations go only to apps launched
// for a patient, not to user/ or system/ tokens.
//
//	compartment.Rule{
//		Name:  "social-history-patient-apps-only",
//		Types: []string{"Observation"},
//		Expression: `!has(resource.category) || grant.patient != "" ||
//			!has_coding(resource.category,
//				"http://terminology.hl7.org/CodeSystem/observation-category",
//				"social-history")`,
//	}
//
// A rule on the token's claims: only tokens issued for the tenant "north"
// see anything. It does not read the resource, so the Guard does not
// decode it.
//
//	compartment.Rule{
//		Name:       "tenant",
//		Expression: `grant.claims.?tenant.orValue("") == "north"`,
//	}
//
// # Audit
//
// Every decision that withholds or narrows produces an [audit.Record] for
// Config.Audit: a query narrowed ([audit.KindNarrowed]), resources
// dropped from a response ([audit.KindDropped], with counts and reasons),
// a read answered 404 by policy ([audit.KindHidden]), a refusal
// ([audit.KindForbidden]), a rule that failed ([audit.KindRuleError]), a
// granular scope that cannot be enforced
// ([audit.KindUnenforceableScope]) and a store that returned what its
// constraints exclude ([audit.KindStorageDefect]). Records carry IDs,
// types, counts and reasons, never resource contents or search values.
//
// # Known gaps
//
//   - A Provenance whose targets are the patient's resources but not the
//     patient itself is visible through read and _revinclude, not through
//     a Provenance search, whose constraint names the patient.
//   - Binary resources cannot be searched by patient tokens (the store
//     cannot be told which Binaries are visible); they are read by ID.
//   - A Binary without a securityContext that only resources other than
//     DocumentReference point to (a DiagnosticReport's presentedForm, a
//     Media) is visible to a patient token that may write a
//     DocumentReference pointing to it. Servers should set
//     Binary.securityContext.
//   - Stored Bundles and Subscriptions are refused to patient tokens.
//   - A Device that names no patient is released whole to every patient
//     token with a Device scope, free text (Device.note, whose author may
//     be a Patient) and contained resources included: a server must not
//     record a patient's data there.
//   - Patient resources that link to the patient are in its compartment
//     only through Config.LinkedPatients, not through Patient.link alone.
//   - A deletion entry in a history is shown only to tokens that see the
//     whole type, since its content cannot be checked.
//   - Update as create is refused to tokens that see a type only in part,
//     so that an update never reveals whether another patient's resource
//     exists; such clients create with POST.
//   - An update reads the stored version and then writes, in two calls;
//     a store with versioned updates should check the version did not
//     change in between.
//
// # Specifications
//
// FHIR R4 (4.0.1): RESTful API, Search (http://hl7.org/fhir/R4/search.html),
// the Patient CompartmentDefinition and the SearchParameter definitions;
// SMART App Launch 2.x scopes, including granular scopes; the Common
// Expression Language (https://cel.dev); 45 CFR 164.502(b) (HIPAA minimum
// necessary) and 45 CFR 171 (information blocking).
package compartment
