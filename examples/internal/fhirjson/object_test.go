package fhirjson_test

import (
	"errors"
	"testing"

	"github.com/fhirguard/fhirguard/examples/internal/fhirjson"
)

func TestParseAndEncode(t *testing.T) {
	obj, err := fhirjson.Parse([]byte(` { "b" : [1, 2], "resourceType":"Patient", "id":"x",
		"text": {"div": "<a & b>"} } `))
	if err != nil {
		t.Fatal(err)
	}
	obj.SetString("id", "y")
	obj.Set("meta", []byte(`{"versionId":"1"}`))
	obj.First("resourceType", "id", "meta")
	obj.Delete("b")
	want := `{"resourceType":"Patient","id":"y","meta":{"versionId":"1"},"text":{"div":"<a & b>"}}`
	if got := string(obj.Encode()); got != want {
		t.Errorf("Encode = %s\nwant %s", got, want)
	}
	if s, ok := obj.String("resourceType"); !ok || s != "Patient" {
		t.Errorf("String = %q, %v", s, ok)
	}
	if _, ok := obj.String("meta"); ok {
		t.Error("String of an object succeeded")
	}
}

func TestParseRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"array":     `[]`,
		"repeated":  `{"a":1,"a":2}`,
		"trailing":  `{"a":1} x`,
		"two":       `{} {}`,
		"truncated": `{"a":`,
		"bad value": `{"a":tru}`,
		"empty":     ``,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := fhirjson.Parse([]byte(in)); !errors.Is(err, fhirjson.ErrInvalid) {
				t.Errorf("Parse(%q) = %v, want ErrInvalid", in, err)
			}
		})
	}
}

func TestCaseMatters(t *testing.T) {
	obj, err := fhirjson.Parse([]byte(`{"metA":1,"meta":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(obj.Get("meta")) != "2" || string(obj.Get("metA")) != "1" {
		t.Errorf("members %s", obj.Encode())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Patient","id":"1"}`, `{"a":{"a":[]}}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := fhirjson.Parse(data)
		if err != nil {
			return
		}
		again, err := fhirjson.Parse(obj.Encode())
		if err != nil || string(again.Encode()) != string(obj.Encode()) {
			t.Fatalf("re-parsing %s: %v", obj.Encode(), err)
		}
	})
}
