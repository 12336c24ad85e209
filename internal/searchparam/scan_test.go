package searchparam_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// subjectExtractor evaluates Observation subject and category.
func subjectExtractor(t testing.TB) *searchparam.Extractor {
	t.Helper()
	subject, _ := searchparam.Lookup("Observation", "subject")
	category, _ := searchparam.Lookup("Observation", "category")
	ex, err := searchparam.NewExtractor(subject, category)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func TestExtractRejectsInvalidJSON(t *testing.T) {
	const ok = `{"resourceType":"Observation","subject":{"reference":"Patient/A"}}`
	tests := map[string]string{
		"empty":                  ``,
		"white space only":       "  \n",
		"truncated":              ok[:len(ok)-1],
		"trailing comma":         `{"resourceType":"Observation",}`,
		"trailing data":          ok + `{}`,
		"trailing garbage":       ok + ` x`,
		"single quotes":          `{'resourceType':"Observation"}`,
		"unquoted key":           `{resourceType:"Observation"}`,
		"missing colon":          `{"resourceType" "Observation"}`,
		"missing comma":          `{"resourceType":"Observation" "id":"1"}`,
		"leading zero":           `{"resourceType":"Observation","valueInteger":01}`,
		"bare minus":             `{"resourceType":"Observation","x":-}`,
		"dot without digits":     `{"resourceType":"Observation","x":1.}`,
		"exponent without digit": `{"resourceType":"Observation","x":1e}`,
		"plus sign":              `{"resourceType":"Observation","x":+1}`,
		"NaN":                    `{"resourceType":"Observation","x":NaN}`,
		"bad literal":            `{"resourceType":"Observation","x":tru}`,
		"literal suffix":         `{"resourceType":"Observation","x":truex}`,
		"control character":      "{\"resourceType\":\"Observation\",\"id\":\"a\tb\"}",
		"bad escape":             `{"resourceType":"Observation","id":"a\qb"}`,
		"short unicode escape":   `{"resourceType":"Observation","id":"\u12"}`,
		"invalid UTF-8":          "{\"resourceType\":\"Observation\",\"id\":\"\xff\"}",
		"invalid UTF-8 in key":   "{\"resourceType\":\"Observation\",\"\xc3\":1}",
		"unterminated string":    `{"resourceType":"Observation","id":"abc`,
		"unclosed array":         `{"resourceType":"Observation","performer":[{"reference":"a"}}`,
		"mismatched bracket":     `{"resourceType":"Observation","performer":[1}`,
		"comment":                `{"resourceType":"Observation"/* x */}`,
		"byte order mark":        "\ufeff" + ok,
		"form feed":              "{\f\"resourceType\":\"Observation\"}",
		"NUL after document":     ok + "\x00",
		"bad in skipped value":   `{"resourceType":"Observation","text":{"div":[1,,2]}}`,
		"bad in subject":         `{"resourceType":"Observation","subject":{"reference":"A",}}`,
		"bad after wrong type":   `{"resourceType":"Patient","x":[}`,
		"bad after duplicate":    `{"resourceType":"Observation","subject":{},"subject":{},"x":}`,
		"non-object invalid":     `[1,]`,
	}
	ex := subjectExtractor(t)
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			// encoding/json accepts invalid UTF-8; RFC 8259 section 8.1 and
			// this package do not.
			if json.Valid([]byte(doc)) && utf8.ValidString(doc) {
				t.Fatalf("test case is valid JSON")
			}
			err := ex.Extract([]byte(doc), func(int, searchparam.Value) {})
			if !errors.Is(err, searchparam.ErrSyntax) {
				t.Errorf("err = %v, want ErrSyntax", err)
			}
		})
	}
}

func TestExtractRejectsUntrustedStructure(t *testing.T) {
	tests := []struct {
		name, doc string
		want      error
	}{
		{"duplicate subject", `{"resourceType":"Observation","subject":{"reference":"Patient/B"},` +
			`"subject":{"reference":"Patient/A"}}`, searchparam.ErrDuplicateKey},
		{"duplicate reference", `{"resourceType":"Observation",` +
			`"subject":{"reference":"Patient/B","reference":"Patient/A"}}`,
			searchparam.ErrDuplicateKey},
		{"duplicate escaped key", `{"resourceType":"Observation",` +
			`"subject":{"reference":"Patient/B"},` +
			`"sub\u006aect":{"reference":"Patient/A"}}`, searchparam.ErrDuplicateKey},
		{"duplicate coding",
			`{"resourceType":"Observation","category":[{"coding":[],"coding":[]}]}`,
			searchparam.ErrDuplicateKey},
		{"duplicate code",
			`{"resourceType":"Observation","category":[{"coding":[{"code":"a","code":"b"}]}]}`,
			searchparam.ErrDuplicateKey},
		{"duplicate resourceType", `{"resourceType":"Observation","resourceType":"Patient"}`,
			searchparam.ErrDuplicateKey},
		{"duplicate where() field", `{"resourceType":"Library","relatedArtifact":` +
			`[{"type":"depends-on","resource":"x","type":"composed-of"}]}`, searchparam.ErrDuplicateKey},
		{"wrong resourceType", `{"resourceType":"Patient","subject":{"reference":"Patient/A"}}`,
			searchparam.ErrResourceType},
		{"escaped wrong resourceType", `{"resourceType":"Observ\u0061tionX"}`,
			searchparam.ErrResourceType},
		{"no resourceType", `{"subject":{"reference":"Patient/A"}}`, searchparam.ErrResourceType},
		{"resourceType not a string", `{"resourceType":1}`, searchparam.ErrResourceType},
		{"array document", `[{"resourceType":"Observation"}]`, searchparam.ErrResourceType},
		{"string document", `"Observation"`, searchparam.ErrResourceType},
		{"deep nesting", `{"resourceType":"Observation","x":` + strings.Repeat("[", 100000) +
			strings.Repeat("]", 100000) + `}`, searchparam.ErrTooDeep},
		{"deep nesting on a path", `{"resourceType":"Observation","subject":` +
			strings.Repeat(`{"reference":`, 300) + `1` + strings.Repeat(`}`, 300) + `}`, nil},
		{"deep objects", `{"resourceType":"Observation","x":` + strings.Repeat(`{"a":`, 100000) +
			`1` + strings.Repeat(`}`, 100000) + `}`, searchparam.ErrTooDeep},
	}
	ex := subjectExtractor(t)
	composedOf, _ := searchparam.Lookup("Library", "composed-of")
	library, err := searchparam.NewExtractor(composedOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := ex
			if strings.Contains(tt.doc, "Library") {
				ex = library
			}
			err := ex.Extract([]byte(tt.doc), func(int, searchparam.Value) {})
			if tt.want == nil {
				if err == nil {
					return
				}
				tt.want = searchparam.ErrTooDeep
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if errors.Is(err, searchparam.ErrSyntax) {
				t.Errorf("valid JSON reported as a syntax error: %v", err)
			}
		})
	}
}

func TestExtractDecodesEscapes(t *testing.T) {
	doc := `{"resource\u0054ype":"Observation",` +
		`"sub\u006aect":{"\u0072eference":"Patient\/A\u0042"},` +
		`"category":{"coding":{"system":"http:\/\/x","code":"caf\u00e9 \ud83d\ude00 \ud800"}}}`
	var got []string
	err := subjectExtractor(t).Extract([]byte(doc), func(_ int, v searchparam.Value) {
		got = append(got, v.Ref+v.System+"|"+v.Code)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Patient/AB|", "http://x|café 😀 \ufffd"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExtractIgnoresValuesOfOtherKinds(t *testing.T) {
	doc := `{"resourceType":"Observation","subject":"Patient/A",` +
		`"category":[null,1,"x",[{"coding":[]}]],` +
		`"performer":{"reference":7}}`
	n := 0
	err := subjectExtractor(t).Extract([]byte(doc), func(int, searchparam.Value) { n++ })
	if err != nil || n != 0 {
		t.Errorf("err %v, %d values; want none", err, n)
	}
}
