package throttle_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/throttle"
)

// TestDocumentedJustification checks that the justification printed in the
// package documentation is, byte for byte, testdata/justification.yaml,
// and that New accepts it inside its window.
func TestDocumentedJustification(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, found := strings.Cut(string(doc), "// # A complete justification\n")
	if !found {
		t.Fatal("doc.go has no section \"A complete justification\"")
	}
	var block strings.Builder
	inBlock := false
	for line := range strings.Lines(after) {
		code, isCode := strings.CutPrefix(line, "//\t")
		if !isCode && inBlock {
			break
		}
		if isCode {
			inBlock = true
			block.WriteString(code)
		}
	}
	file, err := os.ReadFile("testdata/justification.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if block.String() != string(file) {
		t.Fatalf("doc.go shows:\n%s\ntestdata/justification.yaml holds:\n%s", block.String(), file)
	}
	j, err := throttle.ParseYAML(file)
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, inWindow)
	cfg := throttle.Config{Now: func() time.Time { return now }}
	if _, err := throttle.New(j, cfg); err != nil {
		t.Fatalf("the documented justification is refused: %v", err)
	}
}
