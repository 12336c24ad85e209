package synth

import (
	"encoding/base64"
	"time"
)

// medications generates three prescriptions, two of shared Medication
// resources and one coded inline, and the dispenses of the first two.
func (g *gen) medications(c *patientCtx) {
	v := &c.visits[0]
	for n, m := range []struct {
		med            *medication
		rxnorm, name   string
		status, dosage string
	}{
		{&medications[0], "", "", "active", "Take one tablet by mouth twice daily with meals"},
		{&medications[1], "", "", "active", "Take one tablet by mouth every morning"},
		{nil, "1049221", "acetaminophen 325 MG Oral Tablet", "completed",
			"Take two tablets every six hours as needed for pain"},
	} {
		id := c.rid("medrx", n+1)
		body := obj{
			"meta":   profile("us-core-medicationrequest"),
			"status": m.status,
			"intent": "order",
			"category": category(tho("medicationrequest-category"), "outpatient",
				"Outpatient"),
			"subject":           c.subject(),
			"encounter":         ref("Encounter", v.id, ""),
			"authoredOn":        instant(v.at),
			"requester":         c.clinician(),
			"reasonReference":   []any{ref("Condition", c.rid("prob", n%2+1), "")},
			"dosageInstruction": []any{obj{"text": m.dosage}},
		}
		if m.med != nil {
			body["medicationReference"] = ref("Medication", m.med.id, m.med.name)
		} else {
			body["medicationCodeableConcept"] = concept(rxnorm, m.rxnorm, m.name)
		}
		g.addFor(c, v, "MedicationRequest", id, body)
		if m.med != nil {
			g.dispense(c, v, n+1, id, m.med)
		}
	}
}

// dispense generates the dispense of prescription rx.
func (g *gen) dispense(c *patientCtx, v *visit, n int, rx string, m *medication) {
	g.addFor(c, v, "MedicationDispense", c.rid("meddisp", n), obj{
		"meta":                    profile("us-core-medicationdispense"),
		"status":                  "completed",
		"medicationReference":     ref("Medication", m.id, m.name),
		"subject":                 c.subject(),
		"authorizingPrescription": []any{ref("MedicationRequest", rx, "")},
		"type":                    concept(tho("v3-ActCode"), "FF", "First Fill"),
		"quantity":                obj{"value": 60, "unit": "tablet"},
		"whenHandedOver":          instant(v.at.Add(26 * time.Hour)),
		"performer": []any{obj{"actor": ref("Organization", orgClinic,
			"Riverside Community Health")}},
		"dosageInstruction": []any{obj{"text": "As prescribed"}},
		"substitution":      obj{"wasSubstituted": false},
	})
}

// orders generates a laboratory order and a referral.
func (g *gen) orders(c *patientCtx) {
	for n, o := range []struct{ cat, catName, code, name, status string }{
		{"108252007", "Laboratory procedure", "4548-4", "Hemoglobin A1c", "active"},
		{"3457005", "Patient referral", "306206005", "Referral to service", "completed"},
	} {
		system := snomed
		if n == 0 {
			system = loinc
		}
		g.addFor(c, nil, "ServiceRequest", c.rid("sr", n+1), obj{
			"meta":               profile("us-core-servicerequest"),
			"status":             o.status,
			"intent":             "order",
			"category":           category(snomed, o.cat, o.catName),
			"code":               concept(system, o.code, o.name),
			"subject":            c.subject(),
			"authoredOn":         instant(c.visits[0].at),
			"requester":          c.clinician(),
			"occurrenceDateTime": day(g.ref.AddDate(0, 1, 0)),
		})
	}
}

// documents generates a progress note, a note the next patient wrote
// about this one (a caregiver's note), a radiology report with its text,
// and a photograph.
func (g *gen) documents(c *patientCtx) {
	v := &c.visits[0]
	note := func(id, typ, typName string, author obj, text string) obj {
		return obj{
			"meta": profile("us-core-documentreference"),
			"identifier": []any{obj{"system": "urn:ietf:rfc:3986",
				"value": "urn:uuid:00000000-0000-4000-8000-" + pad12(id)}},
			"status":   "current",
			"type":     concept(loinc, typ, typName),
			"category": category(usCoreCat, "clinical-note", "Clinical Note"),
			"subject":  c.subject(),
			"date":     instant(v.at.Add(time.Hour)),
			"author":   []any{author},
			"content": []any{obj{"attachment": obj{
				"contentType": "text/plain",
				"data":        base64.StdEncoding.EncodeToString([]byte(text)),
			}, "format": coding("http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
				"urn:ihe:iti:xds:2017:mimeTypeSufficient", "mimeType Sufficient")}},
			"context": obj{"encounter": []any{ref("Encounter", v.id, "")},
				"period": obj{"start": instant(v.at)}},
		}
	}
	g.addFor(c, v, "DocumentReference", c.rid("doc", 1), note(c.rid("doc", 1), "11506-3",
		"Progress note", c.clinician(),
		"Routine check up. No acute complaints. Continue current medications."))
	g.addByNext(c, "DocumentReference", c.rid("doc", 2), note(c.rid("doc", 2), "51855-5",
		"Patient Note", ref("Patient", c.next.ID, c.next.Name),
		"Caregiver note: sleeping better this month, walks every day."))

	g.addFor(c, v, "DiagnosticReport", c.rid("dr", numVisits+1), obj{
		"meta":              profile("us-core-diagnosticreport-note"),
		"status":            "final",
		"category":          category(loinc, "LP29684-5", "Radiology"),
		"code":              concept(loinc, "36643-5", "Chest X-ray 2 Views"),
		"subject":           c.subject(),
		"encounter":         ref("Encounter", v.id, ""),
		"effectiveDateTime": instant(v.at.Add(45 * time.Minute)),
		"issued":            instant(v.at.Add(3 * time.Hour)),
		"performer":         []any{c.clinician()},
		"presentedForm": []any{obj{"contentType": "text/plain",
			"data": base64.StdEncoding.EncodeToString(
				[]byte("No acute cardiopulmonary process."))}},
	})
	g.addFor(c, v, "Media", c.rid("media", 1), obj{
		"status":          "completed",
		"type":            concept(tho("media-type"), "image", "Image"),
		"subject":         c.subject(),
		"encounter":       ref("Encounter", v.id, ""),
		"createdDateTime": instant(v.at.Add(10 * time.Minute)),
		"operator":        c.clinician(),
		"content": obj{"contentType": "image/png", "data": onePixelPNG,
			"title": "Skin photograph"},
	})
}

// onePixelPNG is a transparent 1x1 PNG image, base64-encoded.
const onePixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB" +
	"0C8AAAAASUVORK5CYII="

// pad12 returns the last 12 hexadecimal digits of a name's bytes, for a
// stable UUID.
func pad12(s string) string {
	const hex = "0123456789abcdef"
	out := []byte("000000000000")
	for i := 0; i < len(s); i++ {
		j := i % 12
		out[j] = hex[(int(out[j])+int(s[i]))%16]
	}
	return string(out)
}
