package fhirjson_test

import (
	"fmt"

	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
)

// ExampleParse sets a resource's id and puts resourceType and id first,
// leaving the other members as written.
func ExampleParse() {
	obj, err := fhirjson.Parse([]byte(`{"gender":"female", "id":"x", "resourceType":"Patient"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	obj.SetString("id", "p1")
	obj.First("resourceType", "id")
	fmt.Println(string(obj.Encode()))
	// Output:
	// {"resourceType":"Patient","id":"p1","gender":"female"}
}
