package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const fhirTypeExtension = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"

type structureDefinition struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Abstract   bool   `json:"abstract"`
	Derivation string `json:"derivation"`
	Snapshot   struct {
		Element []elementDefinition `json:"element"`
	} `json:"snapshot"`
}

type elementDefinition struct {
	Path             string `json:"path"`
	ContentReference string `json:"contentReference"`
	Type             []struct {
		Code      string `json:"code"`
		Extension []struct {
			URL      string `json:"url"`
			ValueURL string `json:"valueUrl"`
		} `json:"extension"`
	} `json:"type"`
}

// writeElements extracts, from the R4 StructureDefinitions in dir, the
// elements of every concrete resource type and complex data type with their
// types, and writes them as tab-separated lines to out.
func writeElements(dir, out string) error {
	var b bytes.Buffer
	b.WriteString("# R4 elements: path, then types (or #path of a content reference).\n")
	b.WriteString("# Derived by \"go run ./gen -elements DIR\"; see PROVENANCE.md.\n")
	for _, name := range []string{"profiles-resources.json", "profiles-types.json"} {
		if err := appendElements(&b, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

func appendElements(b *bytes.Buffer, file string) error {
	var bundle struct {
		Entry []struct {
			Resource structureDefinition `json:"resource"`
		} `json:"entry"`
	}
	if err := readJSON(file, &bundle); err != nil {
		return err
	}

	for _, e := range bundle.Entry {
		sd := e.Resource
		if sd.Abstract || sd.Derivation != "specialization" {
			continue
		}
		switch sd.Kind {
		case "resource":
			fmt.Fprintf(b, "%s\tresource\n", sd.ID)
		case "complex-type":
			fmt.Fprintf(b, "%s\ttype\n", sd.ID)
		default:
			continue
		}
		for _, el := range sd.Snapshot.Element {
			if line, ok := elementLine(sd, el); ok {
				b.WriteString(line)
			}
		}
	}
	return nil
}

// elementLine formats one element, leaving out the root, extensions and
// element IDs, which no search parameter reads.
func elementLine(sd structureDefinition, el elementDefinition) (string, bool) {
	segs := strings.Split(el.Path, ".")
	last := segs[len(segs)-1]
	switch {
	case len(segs) == 1, last == "extension", last == "modifierExtension":
		return "", false
	case last == "id" && (sd.Kind != "resource" || len(segs) > 2):
		return "", false
	}

	if el.ContentReference != "" {
		return el.Path + "\t" + el.ContentReference + "\n", true
	}
	var types []string
	for _, t := range el.Type {
		types = append(types, typeCode(t.Code, t.Extension))
	}
	return el.Path + "\t" + strings.Join(types, " ") + "\n", true
}

// typeCode maps the FHIRPath system types of an R4 snapshot to the FHIR
// type that the structuredefinition-fhir-type extension names.
func typeCode(code string, ext []struct {
	URL      string `json:"url"`
	ValueURL string `json:"valueUrl"`
}) string {
	if !strings.HasPrefix(code, "http://hl7.org/fhirpath/System.") {
		return code
	}
	for _, e := range ext {
		if e.URL == fhirTypeExtension {
			return e.ValueURL
		}
	}
	return strings.ToLower(strings.TrimPrefix(code, "http://hl7.org/fhirpath/System."))
}
