package synth

import (
	"fmt"
	"time"
)

// demographics are a patient's fixed attributes.
type demographics struct {
	given, family, gender, birth, city string
	female                             bool
}

// people are the named patients; later ones are numbered.
var people = []demographics{
	{"Amy", "Shaw", "female", "1987-02-20", "Riverside", true},
	{"Ben", "Okafor", "male", "1959-08-11", "Northwind", false},
	{"Carmen", "Díaz", "female", "1994-05-02", "Lakeside", true},
	{"Dmitri", "Volkov", "male", "1972-12-30", "Riverside", false},
	{"Esi", "Mensah", "female", "2008-07-15", "Northwind", true},
	{"Farid", "Haddad", "male", "1948-03-09", "Lakeside", false},
}

// demographicsOf returns patient i's attributes.
func demographicsOf(i int) demographics {
	if i < len(people) {
		return people[i]
	}
	d := people[i%len(people)]
	d.given = fmt.Sprintf("%s%d", d.given, i+1)
	return d
}

// patientCtx is what a patient's generators share.
type patientCtx struct {
	id, name string
	d        demographics
	next     Patient // the next patient: a caregiver who is a patient too
	clin     practitioner
	visits   []visit
	others   []string // references of resources outside visits, for Provenance
	byNext   []string // references of resources the next patient wrote
}

// visit is one ambulatory encounter.
type visit struct {
	id   string
	at   time.Time
	refs []string // references of the resources recorded at the visit
}

// patient generates patient i and their data. next is the patient who
// performs or authors some of this patient's resources.
func (g *gen) patient(i int, p, next Patient) {
	c := &patientCtx{id: p.ID, name: p.Name, d: demographicsOf(i), next: next,
		clin: practitioners[i%2]}
	g.patientResource(c)
	g.visits(c)
	g.problems(c)
	g.observationsOutsideVisits(c)
	g.allergies(c)
	g.immunizations(c)
	g.medications(c)
	g.procedures(c)
	g.orders(c)
	g.documents(c)
	g.care(c)
	g.administrative(c)
	g.provenance(c)
}

// patientResource generates the Patient.
func (g *gen) patientResource(c *patientCtx) {
	ext := func(url, system, code, display string) obj {
		return obj{"url": usCoreSD + url, "extension": []any{
			obj{"url": "ombCategory", "valueCoding": coding(system, code, display)},
			obj{"url": "text", "valueString": display},
		}}
	}
	race := "urn:oid:2.16.840.1.113883.6.238"
	g.addFor(c, nil, "Patient", c.id, obj{
		"meta": profile("us-core-patient"),
		"text": narrative(c.name),
		"extension": []any{
			ext("us-core-race", race, "2106-3", "White"),
			ext("us-core-ethnicity", race, "2186-5", "Not Hispanic or Latino"),
			obj{"url": usCoreSD + "us-core-birthsex", "valueCode": c.d.gender[:1]},
		},
		"identifier": []any{obj{
			"type":   concept(v2Ident, "MR", "Medical record number"),
			"system": mrnSystem, "value": "MRN-" + c.id,
		}},
		"active":    true,
		"name":      []any{obj{"use": "official", "family": c.d.family, "given": []any{c.d.given}}},
		"telecom":   []any{obj{"system": "phone", "value": "555-01" + c.id[1:], "use": "home"}},
		"gender":    c.d.gender,
		"birthDate": c.d.birth,
		"address": []any{obj{"use": "home", "line": []any{"12 Elm Street"}, "city": c.d.city,
			"state": "MA", "postalCode": "01002", "country": "US"}},
		"communication": []any{obj{"language": concept("urn:ietf:bcp:47", "en-US", "English"),
			"preferred": true}},
		"generalPractitioner":  []any{c.clinician()},
		"managingOrganization": ref("Organization", orgClinic, "Riverside Community Health"),
	})
}

// subject returns the reference to the patient.
func (c *patientCtx) subject() obj { return ref("Patient", c.id, c.name) }

// clinician returns the reference to the patient's clinician.
func (c *patientCtx) clinician() obj {
	return ref("Practitioner", c.clin.id, c.clin.given+" "+c.clin.family)
}

// rid returns the ID of the patient's n-th resource of a kind.
func (c *patientCtx) rid(kind string, n int) string {
	return fmt.Sprintf("%s-%s-%d", c.id, kind, n)
}

// record notes a reference for the Provenance of visit v, or of the
// patient's other data when v is nil.
func (c *patientCtx) record(v *visit, typ, id string) {
	if v != nil {
		v.refs = append(v.refs, typ+"/"+id)
		return
	}
	c.others = append(c.others, typ+"/"+id)
}

// addFor adds a resource of the patient and records it for Provenance.
func (g *gen) addFor(c *patientCtx, v *visit, typ, id string, body obj) {
	g.add(typ, id, body)
	c.record(v, typ, id)
}

// addByNext adds a resource of the patient that the next patient
// performed or wrote; it gets a Provenance of its own, naming that
// patient as author, so that no Provenance mixes it with the rest of the
// patient's record.
func (g *gen) addByNext(c *patientCtx, typ, id string, body obj) {
	g.add(typ, id, body)
	c.byNext = append(c.byNext, typ+"/"+id)
}
