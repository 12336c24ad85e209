package synth_test

import (
	"fmt"

	"github.com/fhirguard/fhirguard/examples/internal/synth"
)

// ExampleGenerate generates the default data set and counts what it
// holds.
func ExampleGenerate() {
	rs, err := synth.Generate(synth.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	byType := make(map[string]int)
	for _, r := range rs {
		byType[r.Type]++
	}
	fmt.Println(len(synth.Patients(6)), "patients,", len(byType), "resource types")
	fmt.Println(byType["Patient"], "Patient,", byType["Practitioner"], "Practitioner,",
		byType["Observation"], "Observation")
	// Output:
	// 6 patients, 31 resource types
	// 6 Patient, 3 Practitioner, 225 Observation
}
