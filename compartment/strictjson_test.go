package compartment

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		name, data string
		ok         bool
	}{
		{"object", `{"a":[1,"x",{"b":null}],"c":true}`, true},
		{"empty object", ` {} `, true},
		{"duplicated key", `{"a":1,"a":2}`, false},
		{"duplicated escaped key", `{"meta":1,"\u006deta":2}`, false},
		{"duplicated nested key", `{"a":[{"b":1,"b":1}]}`, false},
		{"keys differing in case", `{"meta":1,"Meta":2}`, true},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", false},
		{"not an object", `[1]`, false},
		{"trailing data", `{} {}`, false},
		{"syntax error", `{"a":}`, false},
		{"truncated", `{"a":[1,`, false},
		{"too deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), false},
		{"deep but allowed", `{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
			true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := decodeObject([]byte(tc.data))
			if (err == nil) != tc.ok {
				t.Fatalf("decodeObject: %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, errStrictJSON) {
				t.Errorf("error %v does not match errStrictJSON", err)
			}
			if err == nil && m == nil {
				t.Error("nil map without error")
			}
		})
	}
}

// FuzzDecodeObject checks decodeObject against encoding/json: what it
// accepts, encoding/json decodes to the same value, and it refuses only
// what encoding/json refuses or reads ambiguously.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Binary","securityContext":{"reference":"DocumentReference/1"}}`,
		`{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, "{\"a\":\"\xff\"}", `{"a":[1.5e3,-0,true,null]}`,
		`{"a":{"b":{"c":[[[]]]}}}`, `[]`, `{}x`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeObject(data)
		var want map[string]any
		stdErr := json.Unmarshal(data, &want)
		if err == nil {
			if stdErr != nil || !reflect.DeepEqual(m, want) {
				t.Fatalf("decodeObject accepted %q as %v; encoding/json: %v, %v", data, m, want,
					stdErr)
			}
		}
	})
}
