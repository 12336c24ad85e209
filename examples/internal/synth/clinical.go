package synth

import "time"

// condition generates a Condition of category cat (with its display
// catName); resolved conditions have an abatement date.
func (g *gen) condition(c *patientCtx, v *visit, id, cat, catName, code, name string,
	onset time.Time, resolved bool) {
	system, prof := condCat, "us-core-condition-encounter-diagnosis"
	if cat == "health-concern" {
		system = usCoreCat
	}
	if cat != "encounter-diagnosis" {
		prof = "us-core-condition-problems-health-concerns"
	}
	status := "active"
	if resolved {
		status = "resolved"
	}
	body := obj{
		"meta":               profile(prof),
		"clinicalStatus":     concept(condClin, status, status),
		"verificationStatus": concept(condVer, "confirmed", "Confirmed"),
		"category":           category(system, cat, catName),
		"code":               concept(snomed, code, name),
		"subject":            c.subject(),
		"onsetDateTime":      day(onset),
		"recordedDate":       day(onset),
		"recorder":           c.clinician(),
		"extension": []any{obj{"url": usCoreSD + "us-core-condition-asserted-date",
			"valueDateTime": day(onset)}},
	}
	if resolved {
		body["abatementDateTime"] = day(onset.AddDate(0, 2, 0))
	}
	if v != nil {
		body["encounter"] = ref("Encounter", v.id, "")
	}
	g.addFor(c, v, "Condition", id, body)
}

// problems generates the problem list and a health concern.
func (g *gen) problems(c *patientCtx) {
	g.condition(c, nil, c.rid("prob", 1), "problem-list-item", "Problem List Item",
		"44054006", "Diabetes mellitus type 2", g.ref.AddDate(-6, -2, 0), false)
	g.condition(c, nil, c.rid("prob", 2), "problem-list-item", "Problem List Item",
		"38341003", "Hypertensive disorder", g.ref.AddDate(-4, 0, 0), false)
	g.condition(c, nil, c.rid("prob", 3), "problem-list-item", "Problem List Item",
		"444814009", "Viral sinusitis", g.ref.AddDate(-1, -5, 0), true)
	g.condition(c, nil, c.rid("concern", 1), "health-concern", "Health Concern",
		"73595000", "Stress", g.ref.AddDate(0, -7, 0), false)
}

// observationsOutsideVisits generates the social history, survey and exam
// observations. The survey is performed by the next patient, a caregiver
// who is a patient too.
func (g *gen) observationsOutsideVisits(c *patientCtx) {
	at := g.ref.AddDate(0, -1, 0).Add(10 * time.Hour)
	smoking := c.observation(nil, "social-history", "Social History", "72166-2",
		"Tobacco smoking status", "us-core-smokingstatus", at)
	smoking["valueCodeableConcept"] = concept(snomed, "266919005", "Never smoked tobacco")
	g.addFor(c, nil, "Observation", c.rid("social", 1), smoking)

	orientation := c.observation(nil, "social-history", "Social History", "76690-7",
		"Sexual orientation", "us-core-observation-sexual-orientation", at)
	orientation["valueCodeableConcept"] = concept(snomed, "20430005", "Heterosexual")
	g.addFor(c, nil, "Observation", c.rid("social", 2), orientation)

	survey := c.observation(nil, "survey", "Survey", "55758-7",
		"Patient Health Questionnaire 2 item (PHQ-2) total score",
		"us-core-observation-screening-assessment", at)
	survey["valueInteger"] = g.rng.IntN(7)
	survey["performer"] = []any{ref("Patient", c.next.ID, c.next.Name)}
	survey["derivedFrom"] = []any{ref("QuestionnaireResponse", c.rid("qr", 1), "")}
	g.addByNext(c, "Observation", c.rid("survey", 1), survey)

	exam := c.observation(nil, "exam", "Exam", "8709-8", "Skin Observations",
		"us-core-observation-clinical-result", at)
	exam["valueString"] = "No rash or lesions"
	g.addFor(c, nil, "Observation", c.rid("exam", 1), exam)

	if c.d.female {
		preg := c.observation(nil, "social-history", "Social History", "82810-3",
			"Pregnancy status", "us-core-observation-pregnancystatus", at)
		preg["valueCodeableConcept"] = concept(snomed, "60001007", "Not pregnant")
		g.addFor(c, nil, "Observation", c.rid("social", 3), preg)
	}
}

// allergies generates two allergies.
func (g *gen) allergies(c *patientCtx) {
	for n, a := range []struct{ code, name, status string }{
		{"91936005", "Allergy to penicillin", "active"},
		{"300913006", "Shellfish allergy", "inactive"},
	} {
		g.addFor(c, nil, "AllergyIntolerance", c.rid("allergy", n+1), obj{
			"meta":               profile("us-core-allergyintolerance"),
			"clinicalStatus":     concept(allergyClin, a.status, a.status),
			"verificationStatus": concept(allergyVer, "confirmed", "Confirmed"),
			"code":               concept(snomed, a.code, a.name),
			"patient":            c.subject(),
			"recordedDate":       day(g.ref.AddDate(-3, n, 0)),
			"recorder":           c.clinician(),
			"reaction": []any{obj{"manifestation": []any{
				concept(snomed, "247472004", "Hives")}}},
		})
	}
}

// immunizations generates three immunizations.
func (g *gen) immunizations(c *patientCtx) {
	for n, im := range []struct{ code, name string }{
		{"140", "Influenza, seasonal, injectable, preservative free"},
		{"208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"},
		{"115", "Tdap"},
	} {
		g.addFor(c, nil, "Immunization", c.rid("imm", n+1), obj{
			"meta":               profile("us-core-immunization"),
			"status":             "completed",
			"vaccineCode":        concept(cvx, im.code, im.name),
			"patient":            c.subject(),
			"occurrenceDateTime": day(g.ref.AddDate(-n, -2, 0)),
			"primarySource":      true,
			"location":           ref("Location", locClinic, "Riverside Clinic"),
			"performer":          []any{obj{"actor": c.clinician()}},
		})
	}
}

// procedures generates two procedures.
func (g *gen) procedures(c *patientCtx) {
	for n, p := range []struct{ code, name string }{
		{"73761001", "Colonoscopy"},
		{"80146002", "Excision of appendix"},
	} {
		g.addFor(c, nil, "Procedure", c.rid("proc", n+1), obj{
			"meta":              profile("us-core-procedure"),
			"status":            "completed",
			"code":              concept(snomed, p.code, p.name),
			"subject":           c.subject(),
			"performedDateTime": day(g.ref.AddDate(-2*n-1, 0, 0)),
			"performer":         []any{obj{"actor": c.clinician()}},
			"location":          ref("Location", locClinic, "Riverside Clinic"),
		})
	}
}
