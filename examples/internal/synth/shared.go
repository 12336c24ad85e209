package synth

// The shared resources' IDs, which patients' resources reference.
const (
	orgClinic = "org-riverside"
	orgPayer  = "org-northwind"
	orgLab    = "org-lakeside-lab"
	locClinic = "loc-riverside-clinic"
	locLab    = "loc-lakeside-lab"
	endpoint  = "ep-riverside-direct"
	service   = "hs-primary-care"
	phq2      = "q-phq2"
)

// practitioner is a shared Practitioner with the role they hold.
type practitioner struct {
	id, family, given, npi, role, specialty, specialtyCode string
}

// practitioners are the clinicians of the clinic.
var practitioners = []practitioner{
	{"pr-park", "Park", "Helen", "1234567893", "role-park", "Family Medicine", "207Q00000X"},
	{"pr-reyes", "Reyes", "Samuel", "1245319599", "role-reyes", "Internal Medicine", "207R00000X"},
	{"pr-fischer", "Fischer", "Lena", "1144221847", "role-fischer", "Registered Nurse",
		"163W00000X"},
}

// medication is a shared Medication.
type medication struct {
	id, rxnorm, name string
}

// medications are the drugs the clinic prescribes.
var medications = []medication{
	{"med-metformin", "861007", "metformin hydrochloride 500 MG Oral Tablet"},
	{"med-lisinopril", "314076", "lisinopril 10 MG Oral Tablet"},
	{"med-atorvastatin", "617312", "atorvastatin 20 MG Oral Tablet"},
	{"med-albuterol", "745752", "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"},
}

// shared generates the resources every patient's data refers to.
func (g *gen) shared() {
	g.organizations()
	g.locations()
	for _, p := range practitioners {
		g.practitioner(p)
	}
	for _, m := range medications {
		g.add("Medication", m.id, obj{
			"meta":   profile("us-core-medication"),
			"code":   concept(rxnorm, m.rxnorm, m.name),
			"status": "active",
		})
	}
	g.add("Endpoint", endpoint, obj{
		"status": "active",
		"connectionType": coding(tho("endpoint-connection-type"), "direct-project",
			"Direct Project"),
		"name":                 "Riverside Clinic Direct address",
		"managingOrganization": ref("Organization", orgClinic, "Riverside Community Health"),
		"payloadType":          []any{concept(tho("endpoint-payload-type"), "any", "Any")},
		"address":              "mailto:records@direct.riverside.example.org",
	})
	g.add("HealthcareService", service, obj{
		"active":     true,
		"providedBy": ref("Organization", orgClinic, "Riverside Community Health"),
		"location":   []any{ref("Location", locClinic, "Riverside Clinic")},
		"name":       "Primary care",
		"type":       []any{concept(snomed, "394814009", "General practice")},
		"endpoint":   []any{ref("Endpoint", endpoint, "")},
	})
	g.questionnaire()
	g.valueSet()
}

// organizations generates the clinic, the health plan and the laboratory.
func (g *gen) organizations() {
	for _, o := range []struct{ id, name, typ, typName, city string }{
		{orgClinic, "Riverside Community Health", "prov", "Healthcare Provider", "Riverside"},
		{orgPayer, "Northwind Health Plan", "pay", "Payer", "Northwind"},
		{orgLab, "Lakeside Laboratory", "prov", "Healthcare Provider", "Lakeside"},
	} {
		g.add("Organization", o.id, obj{
			"meta":   profile("us-core-organization"),
			"active": true,
			"type": []any{concept(tho("organization-type"),
				o.typ, o.typName)},
			"name":       o.name,
			"identifier": []any{obj{"system": npiSystem, "value": "1" + o.id[4:7] + "000004"}},
			"telecom":    []any{obj{"system": "phone", "value": "555-0100", "use": "work"}},
			"address": []any{obj{"line": []any{"1 Main Street"}, "city": o.city,
				"state": "MA", "postalCode": "01001", "country": "US"}},
		})
	}
}

// locations generates the clinic's and the laboratory's sites.
func (g *gen) locations() {
	for _, l := range []struct{ id, name, org, city string }{
		{locClinic, "Riverside Clinic", orgClinic, "Riverside"},
		{locLab, "Lakeside Laboratory draw station", orgLab, "Lakeside"},
	} {
		g.add("Location", l.id, obj{
			"meta":    profile("us-core-location"),
			"status":  "active",
			"name":    l.name,
			"telecom": []any{obj{"system": "phone", "value": "555-0101"}},
			"address": obj{"line": []any{"1 Main Street"}, "city": l.city, "state": "MA",
				"postalCode": "01001", "country": "US"},
			"managingOrganization": ref("Organization", l.org, ""),
		})
	}
}

// practitioner generates a Practitioner and their PractitionerRole.
func (g *gen) practitioner(p practitioner) {
	g.add("Practitioner", p.id, obj{
		"meta":       profile("us-core-practitioner"),
		"active":     true,
		"identifier": []any{obj{"system": npiSystem, "value": p.npi}},
		"name":       []any{obj{"family": p.family, "given": []any{p.given}}},
		"telecom": []any{obj{"system": "email",
			"value": p.given + "." + p.family + "@riverside.example.org"}},
	})
	g.add("PractitionerRole", p.role, obj{
		"meta":         profile("us-core-practitionerrole"),
		"active":       true,
		"practitioner": ref("Practitioner", p.id, p.given+" "+p.family),
		"organization": ref("Organization", orgClinic, "Riverside Community Health"),
		"location":     []any{ref("Location", locClinic, "Riverside Clinic")},
		"code":         []any{concept(nucc, p.specialtyCode, p.specialty)},
		"specialty":    []any{concept(nucc, p.specialtyCode, p.specialty)},
		"telecom":      []any{obj{"system": "phone", "value": "555-0102"}},
		"endpoint":     []any{ref("Endpoint", endpoint, "")},
	})
}

// questionnaire generates the PHQ-2 questionnaire.
func (g *gen) questionnaire() {
	item := func(linkID, code, text string) obj {
		return obj{"linkId": linkID, "code": []any{coding(loinc, code, text)}, "text": text,
			"type": "choice"}
	}
	g.add("Questionnaire", phq2, obj{
		"meta":   profile("us-core-questionnaire"),
		"url":    "http://riverside.example.org/Questionnaire/phq-2",
		"status": "active",
		"title":  "Patient Health Questionnaire-2 (PHQ-2)",
		"code":   []any{coding(loinc, "55757-9", "Patient Health Questionnaire 2 item (PHQ-2)")},
		"item": []any{
			item("q1", "44250-9", "Little interest or pleasure in doing things"),
			item("q2", "44255-8", "Feeling down, depressed, or hopeless"),
		},
	})
}

// valueSet generates a small value set of the smoking status codes used.
func (g *gen) valueSet() {
	g.add("ValueSet", "vs-smoking-status", obj{
		"url":    "http://riverside.example.org/ValueSet/smoking-status",
		"name":   "SmokingStatus",
		"title":  "Smoking status codes used at Riverside",
		"status": "active",
		"compose": obj{"include": []any{obj{"system": snomed, "concept": []any{
			obj{"code": "266919005", "display": "Never smoked tobacco"},
			obj{"code": "8517006", "display": "Ex-smoker"},
			obj{"code": "77176002", "display": "Smoker"},
		}}}},
	})
}
