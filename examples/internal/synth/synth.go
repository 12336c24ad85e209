package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
)

// Config says what to generate. The zero Config generates the default
// data set.
type Config struct {
	// Patients is the number of patients, from 1 to 100. Zero means 6.
	Patients int

	// Seed seeds the values that vary. Zero means 1.
	Seed uint64

	// Reference is the day the data is dated back from: the last visit
	// is a few days before it. Zero means 2025-06-02.
	Reference time.Time
}

// Patient is a generated patient as a picker shows it.
type Patient struct {
	// ID is the Patient resource's ID.
	ID string

	// Name is the patient's full name.
	Name string
}

// MaxPatients bounds Config.Patients.
const MaxPatients = 100

// Generate returns the data set cfg describes: the shared resources
// first, then each patient's, every one with its ID set.
func Generate(cfg Config) ([]compartment.Resource, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &gen{rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		ref: cfg.Reference}
	g.shared()
	people := Patients(cfg.Patients)
	for i, p := range people {
		g.patient(i, p, people[(i+1)%len(people)])
	}
	if g.err != nil {
		return nil, g.err
	}
	return g.out, nil
}

// Patients returns the first n generated patients, as Generate names
// them.
func Patients(n int) []Patient {
	out := make([]Patient, 0, n)
	for i := range n {
		d := demographicsOf(i)
		out = append(out, Patient{ID: fmt.Sprintf("p%d", i+1), Name: d.given + " " + d.family})
	}
	return out
}

// withDefaults checks c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.Patients < 0 || c.Patients > MaxPatients {
		return c, fmt.Errorf("synth: Patients must be between 1 and %d", MaxPatients)
	}
	if c.Patients == 0 {
		c.Patients = 6
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Reference.IsZero() {
		c.Reference = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	}
	return c, nil
}

// gen accumulates generated resources.
type gen struct {
	rng *rand.Rand
	ref time.Time
	out []compartment.Resource
	err error
}

// add encodes one resource.
func (g *gen) add(typ, id string, body obj) {
	body["resourceType"], body["id"] = typ, id
	data, err := json.Marshal(body)
	if err != nil {
		g.err = errors.Join(g.err, fmt.Errorf("synth: encoding %s/%s: %w", typ, id, err))
		return
	}
	g.out = append(g.out, compartment.Resource{Type: typ, ID: id, JSON: data})
}

// between returns a value in [lo, hi) rounded to decimals places.
func (g *gen) between(lo, hi float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round((lo+g.rng.Float64()*(hi-lo))*p) / p
}

// visitDay returns the day of visit k (0 the most recent) at a time of
// day that varies.
func (g *gen) visitDay(k int) time.Time {
	d := g.ref.AddDate(0, 0, -3-120*k)
	return d.Add(time.Duration(8+g.rng.IntN(9))*time.Hour + time.Duration(g.rng.IntN(4)*15)*
		time.Minute)
}
