package fhirjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Member is one member of a JSON object, its value as written.
type Member struct {
	Key   string
	Value json.RawMessage
}

// Object is the ordered members of a JSON object. The zero Object is the
// empty object. An Object is not safe for concurrent modification.
type Object []Member

// ErrInvalid is matched by the errors of [Parse].
var ErrInvalid = errors.New("fhirjson: invalid JSON object")

// Parse reads the members of the JSON object data, in order. The values
// are compacted.
func Parse(data []byte) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not an object", ErrInvalid)
	}
	var out Object
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		key, _ := tok.(string) // object keys are always strings
		if seen[key] {
			return nil, fmt.Errorf("%w: member %q repeated", ErrInvalid, key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out = append(out, Member{key, compact(v)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the object", ErrInvalid)
	}
	return out, nil
}

// compact returns v without insignificant white space; v is valid JSON.
func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return v
	}
	return b.Bytes()
}

// Get returns the value of key, or nil when o has no such member.
func (o Object) Get(key string) json.RawMessage {
	for _, m := range o {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// String returns the value of key when it is a JSON string.
func (o Object) String(key string) (string, bool) {
	var s string
	if v := o.Get(key); v != nil && json.Unmarshal(v, &s) == nil {
		return s, true
	}
	return "", false
}

// Set replaces the value of key, or appends the member when o has none.
func (o *Object) Set(key string, value json.RawMessage) {
	for i, m := range *o {
		if m.Key == key {
			(*o)[i].Value = value
			return
		}
	}
	*o = append(*o, Member{key, value})
}

// SetString sets key to the JSON string s.
func (o *Object) SetString(key, s string) { o.Set(key, Quote(s)) }

// Delete removes key.
func (o *Object) Delete(key string) {
	out := (*o)[:0]
	for _, m := range *o {
		if m.Key != key {
			out = append(out, m)
		}
	}
	*o = out
}

// First moves the members named by keys to the front, in that order;
// missing ones are skipped.
func (o *Object) First(keys ...string) {
	front := make(Object, 0, len(*o))
	for _, k := range keys {
		if v := o.Get(k); v != nil {
			front = append(front, Member{k, v})
		}
	}
	for _, m := range *o {
		if front.Get(m.Key) == nil {
			front = append(front, m)
		}
	}
	*o = front
}

// Encode writes o as a compact JSON object.
func (o Object) Encode() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(Quote(m.Key))
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// Quote returns s as a JSON string, without escaping <, > and &.
func Quote(s string) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
