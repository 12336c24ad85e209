package smart

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxSegments is the most path segments a FHIR R4 interaction has:
// [type]/[id]/_history/[vid]/$[operation].
const maxSegments = 5

// maxNameLength bounds resource types and operation names, as FHIR bounds
// IDs to 64 characters.
const maxNameLength = 64

// maxTypes bounds the distinct types that the _type parameters of one
// request may name: well above the 145 resource types of FHIR R4, and low
// enough that a query of a megabyte of made-up names cannot make the
// de-duplication take minutes.
const maxTypes = 256

// splitPath splits an escaped path below the FHIR base into its segments,
// percent-decoded, into segs, and returns how many there are. One leading
// slash is ignored. It refuses, with a 400 RequestError, what could make
// the server see a different path than the one authorized: empty segments
// (a double or trailing slash), dot segments, encoded or raw backslashes,
// encoded slashes, control characters, bad percent-encoding, and more than
// maxSegments segments.
func splitPath(path string, segs *[maxSegments]string) (int, error) {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return 0, nil
	}
	n := 0
	for {
		seg, rest, more := strings.Cut(path, "/")
		if n == maxSegments {
			return 0, badRequest("the path has more segments than any FHIR interaction")
		}
		s, err := decodeSegment(seg, n+1)
		if err != nil {
			return 0, err
		}
		segs[n] = s
		n++
		if !more {
			return n, nil
		}
		path = rest
	}
}

// decodeSegment percent-decodes one path segment, the pos-th, and checks
// it as splitPath describes.
func decodeSegment(seg string, pos int) (string, error) {
	if seg == "" {
		return "", segmentError(pos, "is empty (a double or trailing slash)")
	}
	if strings.IndexByte(seg, '\\') >= 0 {
		return "", segmentError(pos, "holds a backslash")
	}
	if strings.IndexByte(seg, '%') >= 0 {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", segmentError(pos, "has a malformed percent-encoding")
		}
		if strings.ContainsAny(dec, `/\`) {
			return "", segmentError(pos, "holds an encoded slash or backslash")
		}
		seg = dec
	}
	if seg == "." || seg == ".." {
		return "", segmentError(pos, "is a dot segment")
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < 0x20 || seg[i] == 0x7f {
			return "", segmentError(pos, "holds a control character")
		}
	}
	return seg, nil
}

// segmentError returns a 400 RequestError about the pos-th path segment.
func segmentError(pos int, problem string) *RequestError {
	return badRequest("path segment " + strconv.Itoa(pos) + " " + problem)
}

// isResourceType reports whether s has the form of a FHIR resource type:
// an upper-case ASCII letter, then at least one more ASCII letter. Whether
// the server knows the type is for the server to say.
func isResourceType(s string) bool {
	if len(s) < 2 || len(s) > maxNameLength || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isASCIILetter(s[i]) {
			return false
		}
	}
	return true
}

// isResourceID reports whether s is a FHIR id: 1 to 64 ASCII letters,
// digits, '-' and '.', and not a dot segment.
func isResourceID(s string) bool {
	if len(s) == 0 || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !isASCIIDigit(c) && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// isOperationName reports whether s is an operation name without its "$":
// an ASCII letter, then ASCII letters, digits, '-' or '_'.
func isOperationName(s string) bool {
	if len(s) == 0 || len(s) > maxNameLength || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !isASCIIDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// eachQueryParam calls fn with the percent-decoded name and the raw value
// of each name=value pair of a raw query or form body, until fn returns
// false. Pairs are separated by '&' and also by ';', which some servers
// accept, so that a parameter hidden behind a ';' is still seen. Pairs
// whose name cannot be decoded are skipped, as net/url skips them, so that
// they mean nothing to the server either.
func eachQueryParam(raw string, fn func(name, value string) bool) {
	for raw != "" {
		pair := raw
		if i := strings.IndexAny(raw, "&;"); i >= 0 {
			pair, raw = raw[:i], raw[i+1:]
		} else {
			raw = ""
		}
		name, value, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(name)
		if err != nil || name == "" {
			continue
		}
		if !fn(name, value) {
			return
		}
	}
}

// typeFilter appends to types the resource types named by the _type
// parameters of a raw query or form body, each once. Several _type
// parameters add up. A _type that is empty, badly encoded or names
// something that is not a resource type, and more than maxTypes distinct
// types in all, are refused with a 400 RequestError.
func typeFilter(raw string, types []string) ([]string, error) {
	var err error
	eachQueryParam(raw, func(name, value string) bool {
		if name != "_type" {
			return true
		}
		types, err = appendTypes(types, value)
		return err == nil
	})
	return types, err
}

// appendTypes appends the comma-separated types of one raw _type value.
func appendTypes(types []string, value string) ([]string, error) {
	v, err := url.QueryUnescape(value)
	if err != nil {
		return types, badRequest("a _type parameter has a malformed percent-encoding")
	}
	for t := range strings.SplitSeq(v, ",") {
		if !isResourceType(t) {
			return types, badRequest("a _type parameter names something that is not a resource type")
		}
		if slices.Contains(types, t) {
			continue
		}
		if len(types) == maxTypes {
			return types, badRequest("_type names more resource types than a server can have")
		}
		types = append(types, t)
	}
	return types, nil
}
