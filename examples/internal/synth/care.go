package synth

import "time"

// care generates the care plan, care team, goal and the answers to the
// PHQ-2 questionnaire, which the next patient filled in as caregiver.
func (g *gen) care(c *patientCtx) {
	start := g.ref.AddDate(0, -6, 0)
	g.addFor(c, nil, "CarePlan", c.rid("careplan", 1), obj{
		"meta":   profile("us-core-careplan"),
		"text":   narrative("Diabetes and blood pressure management plan"),
		"status": "active",
		"intent": "plan",
		"category": category(usCoreCS+"careplan-category", "assess-plan",
			"Assessment and Plan of Treatment"),
		"subject": c.subject(),
		"period":  obj{"start": day(start)},
		"author":  c.clinician(),
		"goal":    []any{ref("Goal", c.rid("goal", 1), "")},
		"addresses": []any{ref("Condition", c.rid("prob", 1), ""),
			ref("Condition", c.rid("prob", 2), "")},
	})
	g.addFor(c, nil, "CareTeam", c.rid("careteam", 1), obj{
		"meta":    profile("us-core-careteam"),
		"status":  "active",
		"name":    "Primary care team",
		"subject": c.subject(),
		"participant": []any{
			g.member(c.clinician(), "446050000", "Primary care physician"),
			g.member(ref("Practitioner", practitioners[2].id, "Lena Fischer"), "224535009",
				"Registered nurse"),
			g.member(ref("Organization", orgClinic, "Riverside Community Health"), "394730007",
				"Healthcare related organization"),
			g.member(c.subject(), "116154003", "Patient"),
			g.member(ref("RelatedPerson", c.rid("related", 1), ""), "133932002", "Caregiver"),
		},
		"managingOrganization": []any{ref("Organization", orgClinic, "")},
	})
	g.addFor(c, nil, "Goal", c.rid("goal", 1), obj{
		"meta":            profile("us-core-goal"),
		"lifecycleStatus": "active",
		"description":     obj{"text": "Hemoglobin A1c below 7 percent"},
		"subject":         c.subject(),
		"startDate":       day(start),
		"target":          []any{obj{"dueDate": day(g.ref.AddDate(0, 6, 0))}},
		"expressedBy":     c.clinician(),
	})
	g.questionnaireResponse(c, start.Add(30*24*time.Hour))
}

// member returns a CareTeam participant with a role.
func (g *gen) member(who obj, code, name string) obj {
	return obj{"role": []any{concept(snomed, code, name)}, "member": who}
}

// answers are the PHQ-2 answer displays, by score.
var answers = []string{"Not at all", "Several days", "More than half the days",
	"Nearly every day"}

// questionnaireResponse generates the PHQ-2 answers, authored by the next
// patient.
func (g *gen) questionnaireResponse(c *patientCtx, at time.Time) {
	answer := func(linkID, text string, score int) obj {
		return obj{"linkId": linkID, "text": text, "answer": []any{obj{"valueCoding": coding(
			loinc, []string{"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"}[score],
			answers[score])}}}
	}
	g.addByNext(c, "QuestionnaireResponse", c.rid("qr", 1), obj{
		"meta":          profile("us-core-questionnaireresponse"),
		"questionnaire": "http://riverside.example.org/Questionnaire/phq-2",
		"status":        "completed",
		"subject":       c.subject(),
		"authored":      instant(at),
		"author":        ref("Patient", c.next.ID, c.next.Name),
		"item": []any{
			answer("q1", "Little interest or pleasure in doing things", g.rng.IntN(4)),
			answer("q2", "Feeling down, depressed, or hopeless", g.rng.IntN(4)),
		},
	})
}

// administrative generates the coverage, an implanted device and the
// caregiver as a RelatedPerson.
func (g *gen) administrative(c *patientCtx) {
	g.addFor(c, nil, "Coverage", c.rid("coverage", 1), obj{
		"meta":   profile("us-core-coverage"),
		"status": "active",
		"type":   concept("urn:oid:2.16.840.1.113883.3.221.5", "5", "Private Health Insurance"),
		"identifier": []any{obj{"type": concept(v2Ident, "MB", "Member Number"),
			"system": "http://northwind.example.org/members", "value": "NW-" + c.id}},
		"subscriberId": "NW-" + c.id,
		"beneficiary":  c.subject(),
		"relationship": concept(tho("subscriber-relationship"), "self", "Self"),
		"period":       obj{"start": day(g.ref.AddDate(-2, 0, 0))},
		"payor":        []any{ref("Organization", orgPayer, "Northwind Health Plan")},
		"class": []any{obj{"type": concept(tho("coverage-class"), "group", "Group"),
			"value": "G-100", "name": "Riverside employees"}},
	})
	g.addFor(c, nil, "Device", c.rid("device", 1), obj{
		"meta": profile("us-core-implantable-device"),
		"udiCarrier": []any{obj{"deviceIdentifier": "09504000059118",
			"carrierHRF": "(01)09504000059118(17)141120(10)7654321D(21)" + c.id}},
		"status":             "active",
		"distinctIdentifier": "7654321D",
		"type":               concept(snomed, "705643001", "Coronary artery stent"),
		"patient":            c.subject(),
		"expirationDate":     "2034-11-20",
	})
	g.addFor(c, nil, "RelatedPerson", c.rid("related", 1), obj{
		"meta":    profile("us-core-relatedperson"),
		"active":  true,
		"patient": c.subject(),
		"relationship": []any{concept(tho("v3-RoleCode"),
			"FRND", "friend")},
		"name":    []any{obj{"family": c.next.Name, "text": c.next.Name}},
		"telecom": []any{obj{"system": "phone", "value": "555-0199"}},
	})
}

// provenance generates one Provenance per visit, naming what was
// recorded at it, one for the rest of the patient's record, and one for
// each resource the next patient wrote, naming that patient as author.
func (g *gen) provenance(c *patientCtx) {
	for n, v := range c.visits {
		g.provenanceOf(c.rid("prov", n+1), v.refs, c.clinician(), v.at.Add(4*time.Hour))
	}
	g.provenanceOf(c.rid("prov", len(c.visits)+1), c.others, c.clinician(),
		g.ref.AddDate(0, 0, -1))
	for n, target := range c.byNext {
		g.provenanceOf(c.rid("prov", len(c.visits)+2+n), []string{target},
			ref("Patient", c.next.ID, c.next.Name), g.ref.AddDate(0, 0, -1))
	}
}

// provenanceOf generates a Provenance for targets written by author.
func (g *gen) provenanceOf(id string, targets []string, author obj, at time.Time) {
	refs := make([]any, 0, len(targets))
	for _, t := range targets {
		refs = append(refs, obj{"reference": t})
	}
	agent := func(code, name string, who obj) obj {
		return obj{"type": concept(provAgent, code, name), "who": who,
			"onBehalfOf": ref("Organization", orgClinic, "")}
	}
	g.add("Provenance", id, obj{
		"meta":     profile("us-core-provenance"),
		"target":   refs,
		"recorded": instant(at),
		"agent": []any{
			agent("author", "Author", author),
			obj{"type": concept(usCoreCS+"us-core-provenance-participant-type",
				"transmitter", "Transmitter"), "who": ref("Organization", orgClinic, "")},
		},
	})
}
