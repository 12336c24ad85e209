package synth

import "time"

// numVisits is the number of visits per patient.
const numVisits = 3

// vital is a vital sign: its LOINC code, US Core profile, unit and range.
type vital struct {
	code, name, profile, unit string
	lo, hi                    float64
	decimals                  int
}

// vitals are the vital signs taken at each visit, besides blood pressure.
var vitals = []vital{
	{"8867-4", "Heart rate", "us-core-heart-rate", "/min", 58, 96, 0},
	{"9279-1", "Respiratory rate", "us-core-respiratory-rate", "/min", 12, 20, 0},
	{"8310-5", "Body temperature", "us-core-body-temperature", "Cel", 36.2, 37.6, 1},
	{"29463-7", "Body weight", "us-core-body-weight", "kg", 52, 98, 1},
	{"8302-2", "Body height", "us-core-body-height", "cm", 152, 190, 1},
	{"39156-5", "Body mass index (BMI) [Ratio]", "us-core-bmi", "kg/m2", 19, 32, 1},
	{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
		"us-core-pulse-oximetry", "%", 94, 100, 0},
}

// lab is a laboratory test.
type lab struct {
	code, name, unit string
	lo, hi           float64
	decimals         int
}

// labs are the tests of each visit's laboratory panel.
var labs = []lab{
	{"2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 70, 160, 0},
	{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.8, 8.4, 1},
	{"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.4, 2},
}

// diagnoses are the encounter diagnoses, one per visit.
var diagnoses = []struct{ code, name string }{
	{"195662009", "Acute viral pharyngitis"},
	{"10509002", "Acute bronchitis"},
	{"68566005", "Urinary tract infectious disease"},
}

// visits generates each visit: the Encounter, vital signs, a laboratory
// panel with its report, and the encounter diagnosis.
func (g *gen) visits(c *patientCtx) {
	for k := range numVisits {
		v := visit{id: c.rid("enc", k+1), at: g.visitDay(k)}
		g.encounter(c, &v)
		g.vitalSigns(c, &v, k)
		g.labPanel(c, &v, k)
		dx := diagnoses[k%len(diagnoses)]
		g.condition(c, &v, c.rid("dx", k+1), "encounter-diagnosis", "Encounter Diagnosis",
			dx.code, dx.name, v.at, false)
		c.visits = append(c.visits, v)
	}
}

// encounter generates the Encounter of visit v.
func (g *gen) encounter(c *patientCtx, v *visit) {
	g.addFor(c, v, "Encounter", v.id, obj{
		"meta": profile("us-core-encounter"),
		"identifier": []any{obj{"system": "http://riverside.example.org/encounters",
			"value": v.id}},
		"status":  "finished",
		"class":   coding(actCode, "AMB", "ambulatory"),
		"type":    []any{concept(snomed, "185349003", "Encounter for check up")},
		"subject": c.subject(),
		"participant": []any{obj{
			"type":       []any{concept(tho("v3-ParticipationType"), "PPRF", "primary performer")},
			"individual": c.clinician(),
		}},
		"period":     obj{"start": instant(v.at), "end": instant(v.at.Add(30 * time.Minute))},
		"reasonCode": []any{concept(snomed, "185349003", "Encounter for check up")},
		"hospitalization": obj{"dischargeDisposition": concept(
			tho("discharge-disposition"), "home", "Home")},
		"location":        []any{obj{"location": ref("Location", locClinic, "Riverside Clinic")}},
		"serviceProvider": ref("Organization", orgClinic, "Riverside Community Health"),
	})
}

// observation returns the common members of an Observation of the
// patient at visit v (nil for none).
func (c *patientCtx) observation(v *visit, cat, catName, code, name, prof string,
	at time.Time) obj {
	o := obj{
		"meta":              profile(prof),
		"status":            "final",
		"category":          category(obsCategory, cat, catName),
		"code":              concept(loinc, code, name),
		"subject":           c.subject(),
		"effectiveDateTime": instant(at),
		"performer":         []any{c.clinician()},
	}
	if v != nil {
		o["encounter"] = ref("Encounter", v.id, "")
	}
	return o
}

// vitalSigns generates the vital signs of visit v.
func (g *gen) vitalSigns(c *patientCtx, v *visit, k int) {
	at := v.at.Add(5 * time.Minute)
	for n, vs := range vitals {
		o := c.observation(v, "vital-signs", "Vital Signs", vs.code, vs.name, vs.profile, at)
		o["valueQuantity"] = quantity(g.between(vs.lo, vs.hi, vs.decimals), vs.unit)
		g.addFor(c, v, "Observation", c.rid("vs", k*10+n+1), o)
	}
	bp := c.observation(v, "vital-signs", "Vital Signs", "85354-9", "Blood pressure panel",
		"us-core-blood-pressure", at)
	bp["component"] = []any{
		obj{"code": concept(loinc, "8480-6", "Systolic blood pressure"),
			"valueQuantity": quantity(g.between(104, 148, 0), "mm[Hg]")},
		obj{"code": concept(loinc, "8462-4", "Diastolic blood pressure"),
			"valueQuantity": quantity(g.between(62, 94, 0), "mm[Hg]")},
	}
	g.addFor(c, v, "Observation", c.rid("vs", k*10+len(vitals)+1), bp)
}

// labPanel generates the laboratory results of visit v, the Specimen
// they were measured on, and the DiagnosticReport that reports them.
func (g *gen) labPanel(c *patientCtx, v *visit, k int) {
	at := v.at.Add(2 * time.Hour)
	specimen := c.rid("spec", k+1)
	g.addFor(c, v, "Specimen", specimen, obj{
		"meta": profile("us-core-specimen"),
		"identifier": []any{obj{"system": "http://lakeside.example.org/specimens",
			"value": specimen}},
		"status":     "available",
		"type":       concept(snomed, "119297000", "Blood specimen"),
		"subject":    c.subject(),
		"collection": obj{"collectedDateTime": instant(v.at.Add(20 * time.Minute))},
	})
	var results []any
	for n, l := range labs {
		id := c.rid("lab", k*10+n+1)
		o := c.observation(v, "laboratory", "Laboratory", l.code, l.name,
			"us-core-observation-lab", at)
		o["valueQuantity"] = quantity(g.between(l.lo, l.hi, l.decimals), l.unit)
		o["specimen"] = ref("Specimen", specimen, "")
		o["performer"] = []any{ref("Organization", orgLab, "Lakeside Laboratory")}
		g.addFor(c, v, "Observation", id, o)
		results = append(results, ref("Observation", id, ""))
	}
	g.addFor(c, v, "DiagnosticReport", c.rid("dr", k+1), obj{
		"meta":     profile("us-core-diagnosticreport-lab"),
		"status":   "final",
		"category": category(diagSection, "LAB", "Laboratory"),
		"code": concept(loinc, "24323-8",
			"Comprehensive metabolic 2000 panel - Serum or Plasma"),
		"subject":           c.subject(),
		"encounter":         ref("Encounter", v.id, ""),
		"effectiveDateTime": instant(at),
		"issued":            instant(at.Add(time.Hour)),
		"performer":         []any{ref("Organization", orgLab, "Lakeside Laboratory")},
		"specimen":          []any{ref("Specimen", specimen, "")},
		"result":            results,
	})
}
