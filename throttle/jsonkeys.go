package throttle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// maxDepth bounds the nesting of a JSON justification, which needs four.
const maxDepth = 16

// checkJSON checks, before decoding, what encoding/json lets pass: a
// field given twice (the decoder would keep the last, while a reader sees
// the first), including twice in different letter cases, which the
// decoder matches to one field; nesting beyond maxDepth; and data after
// the object.
func checkJSON(data []byte) error {
	if len(data) > maxFile {
		return errTooLarge
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walkJSON(dec, "", 0); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the justification object")
	}
	return nil
}

// walkJSON reads one JSON value from dec, checking the keys of every
// object in it. path names the value in errors.
func walkJSON(dec *json.Decoder, path string, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%snested deeper than %d levels", path, maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, path, depth)
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkJSON(dec, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	}
	return err
}

// walkObject reads the members of an object whose '{' was just read.
func walkObject(dec *json.Decoder, path string, depth int) error {
	seen := make(map[string]bool)
	if path != "" {
		path += "."
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[fold(key)] {
			return fmt.Errorf("field %q given more than once", path+key)
		}
		seen[fold(key)] = true
		if err := walkJSON(dec, path+key, depth+1); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// fold maps a key to the form under which encoding/json matches field
// names without regard to case.
func fold(key string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, key)
}
