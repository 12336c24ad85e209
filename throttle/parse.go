package throttle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFile is the largest justification file accepted, in bytes.
const maxFile = 1 << 20

// ParseJSON reads a justification from JSON. It refuses, with an error
// matching [ErrFormat] that names the field, any unknown field (so a
// "reason" or a "vendor_limits" cannot slip in unnoticed), any field given
// twice, a value outside an enumeration, and anything after the object. It
// does not validate the record: [New] does.
func ParseJSON(data []byte) (Justification, error) {
	var j Justification
	if err := checkJSON(data); err != nil {
		return Justification{}, formatError("json", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Justification{}, formatError("json", err)
	}
	return j, nil
}

// ParseYAML reads a justification from YAML, with the field names of the
// JSON form. Like [ParseJSON] it refuses unknown or repeated fields and
// values outside an enumeration, with an error matching [ErrFormat], and it
// refuses a file of more than one document. It does not validate the
// record: [New] does.
func ParseYAML(data []byte) (Justification, error) {
	var j Justification
	if len(data) > maxFile {
		return Justification{}, formatError("yaml", errTooLarge)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&j); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("empty document")
		}
		return Justification{}, formatError("yaml", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Justification{}, formatError("yaml", errors.New("more than one document"))
	}
	return j, nil
}

// LoadFile reads a justification from a file of at most 1 MiB, as JSON
// when its name ends in ".json" and as YAML when it ends in ".yaml" or
// ".yml". Like the parsers, it does not validate the record.
func LoadFile(name string) (Justification, error) {
	parse := map[string]func([]byte) (Justification, error){
		".json": ParseJSON, ".yaml": ParseYAML, ".yml": ParseYAML,
	}[strings.ToLower(filepath.Ext(name))]
	if parse == nil {
		return Justification{}, fmt.Errorf("%w: %s: want a .json, .yaml or .yml file",
			ErrFormat, name)
	}
	f, err := os.Open(name)
	if err != nil {
		return Justification{}, fmt.Errorf("throttle: load justification: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return Justification{}, fmt.Errorf("throttle: load justification: %w", err)
	}
	return parse(data)
}

// errTooLarge reports a file over maxFile.
var errTooLarge = fmt.Errorf("larger than %d bytes", maxFile)

// formatError wraps a parser's error so that it matches ErrFormat.
func formatError(format string, err error) error {
	return fmt.Errorf("%w (%s): %w", ErrFormat, format, err)
}
