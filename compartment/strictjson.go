package compartment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/fhirguard/fhirguard/internal/searchparam"
)

// errStrictJSON is the cause of a resource that decodeObject refuses.
var errStrictJSON = errors.New("compartment: resource JSON cannot be trusted")

// decodeObject decodes a resource's JSON object into a map, as
// encoding/json does, but refuses what parsers read differently: invalid
// UTF-8 (encoding/json would replace it), a key that appears twice in one
// object (encoding/json keeps the last, other parsers the first), nesting
// deeper than searchparam.MaxDepth, and trailing data. The Guard decides
// on the bytes it passes on, so it must read them as every client would;
// the searchparam extractor applies the same rules on the paths it reads.
func decodeObject(data []byte) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: invalid UTF-8", errStrictJSON)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the object", errStrictJSON)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not an object", errStrictJSON)
	}
	return m, nil
}

// decodeValue decodes the next value of d, at nesting depth depth.
func decodeValue(d *json.Decoder, depth int) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errStrictJSON, err)
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		if depth == searchparam.MaxDepth {
			return nil, fmt.Errorf("%w: nested too deeply", errStrictJSON)
		}
	}
	switch tok {
	case json.Delim('{'):
		return decodeMembers(d, depth+1)
	case json.Delim('['):
		return decodeElements(d, depth+1)
	}
	return tok, nil
}

// decodeMembers decodes the members of an object whose '{' was read.
func decodeMembers(d *json.Decoder, depth int) (map[string]any, error) {
	m := make(map[string]any)
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errStrictJSON, err)
		}
		key, _ := tok.(string)
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("%w: duplicated key", errStrictJSON)
		}
		if m[key], err = decodeValue(d, depth); err != nil {
			return nil, err
		}
	}
	return m, closing(d)
}

// decodeElements decodes the elements of an array whose '[' was read.
func decodeElements(d *json.Decoder, depth int) ([]any, error) {
	l := []any{}
	for d.More() {
		v, err := decodeValue(d, depth)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	return l, closing(d)
}

// closing reads the '}' or ']' that ends the object or array being read.
func closing(d *json.Decoder) error {
	if _, err := d.Token(); err != nil {
		return fmt.Errorf("%w: %w", errStrictJSON, err)
	}
	return nil
}
