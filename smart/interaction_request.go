package smart

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// maxFormBytes bounds the form body (application/x-www-form-urlencoded)
// that the Guard and ParseRequest read: POST _search sends its parameters
// there, and RFC 6750 section 2.2 lets a client put a token there. A larger
// form body is refused with 413.
const maxFormBytes = 1 << 20

// ParseRequest reads the interaction of r, whose FHIR base path is basePath
// (such as "/fhir"; "" or "/" for a server whose base is the root). It works
// on r.URL.EscapedPath, so that an encoded slash stays visible, and refuses
// paths that are not below basePath. Operations are those the library
// knows.
//
// For a POST with a form body, as POST [type]/_search sends, ParseRequest
// reads the body to find the _type parameter and then replaces r.Body with
// a reader of the same bytes, so that the handler reads what the client
// sent. A form body larger than 1 MiB is refused.
//
// It returns an error matching [ErrBadRequest] when r is not a well-formed
// FHIR interaction below basePath, and another error when basePath itself
// is not a valid base path.
func ParseRequest(r *http.Request, basePath string) (Interaction, error) {
	base, err := cleanBasePath(basePath)
	if err != nil {
		return Interaction{}, err
	}
	rest, ok := belowBase(r.URL.EscapedPath(), base)
	if !ok {
		return Interaction{}, badRequest("the path is not below the FHIR base path")
	}
	in, _, err := parseHTTP(r, rest, nil)
	return in, err
}

// parseHTTP parses the interaction of r, with rest its escaped path below
// the base and reg the registered operations. It also returns the form
// body, if r has one, for the token checks of the Guard.
func parseHTTP(r *http.Request, rest string, reg operations) (Interaction, string, error) {
	cond, err := ifNoneExistHeader(r.Header)
	if err != nil {
		return Interaction{}, "", err
	}
	in, err := parseInteraction(r.Method, rest, r.URL.RawQuery, cond, reg)
	if err != nil {
		return Interaction{}, "", err
	}

	form, err := readForm(r)
	if err != nil {
		return Interaction{}, "", err
	}
	if form != "" && in.filtersTypes() {
		if in.Types, err = typeFilter(form, in.Types); err != nil {
			return Interaction{}, "", err
		}
	}
	return in, form, nil
}

// readForm returns the body of a POST with a form content type, putting
// back into r.Body a reader of the same bytes, or "" for other requests.
func readForm(r *http.Request) (string, error) {
	if r.Method != http.MethodPost || r.Body == nil || r.Body == http.NoBody ||
		!isFormContent(r.Header.Get("Content-Type")) {
		return "", nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil {
		return "", badRequest("the form body could not be read")
	}
	if len(b) > maxFormBytes {
		return "", &RequestError{
			Status: http.StatusRequestEntityTooLarge,
			Reason: "the form body is larger than 1 MiB",
		}
	}
	r.Body = replayedBody{bytes.NewReader(b), r.Body}
	return string(b), nil
}

// replayedBody reads bytes already taken from a request body and closes
// the original body.
type replayedBody struct {
	io.Reader
	io.Closer
}

// isFormContent reports whether a Content-Type header value names
// application/x-www-form-urlencoded, whatever its parameters.
func isFormContent(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/x-www-form-urlencoded")
}

// errBasePath is wrapped by the error for a malformed base path.
var errBasePath = errors.New("smart: base path must be empty, or start with a slash " +
	"and hold non-empty segments without dot segments, percent signs, backslashes, " +
	"control characters, ? or #")

// cleanBasePath returns p without its trailing slash ("" for the root), or
// errBasePath when p is not a plain absolute path.
func cleanBasePath(p string) (string, error) {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return "", nil
	}
	if p[0] != '/' || strings.ContainsAny(p, `%\?#`) || path.Clean(p) != p {
		return "", errBasePath
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] >= 0x7f {
			return "", errBasePath
		}
	}
	return p, nil
}

// belowBase returns the part of the escaped path p below base, and whether
// p is base itself or below it.
func belowBase(p, base string) (string, bool) {
	if !strings.HasPrefix(p, base) {
		return "", false
	}
	rest := p[len(base):]
	if rest == "" || rest[0] == '/' {
		return rest, true
	}
	return "", false
}

// reachesBase reports whether a request whose escaped path is not below
// base could still reach the handler of the FHIR base through a router
// that decodes, cleans or ignores the ASCII case of paths, or drops the
// ";" parameters of path segments as Java servlet containers do:
// "/fhir%2FPatient", "//fhir/Patient", "/x/../fhir/Patient",
// "/fhir\Patient", "/FHIR/Patient", "/fhir;x/Patient" or
// "/x/..;/fhir/Patient" with base "/fhir". The Guard refuses such requests
// instead of letting them past unchecked.
func reachesBase(u *url.URL, base string) bool {
	if base == "" {
		return true
	}
	for _, p := range [...]string{u.Path, u.EscapedPath()} {
		slashed := strings.ReplaceAll(p, `\`, "/")
		if hasBaseFold(p, base) || hasBaseFold(path.Clean("/"+slashed), base) ||
			hasBaseFold(path.Clean("/"+withoutSegmentParams(slashed)), base) {
			return true
		}
	}
	return false
}

// withoutSegmentParams returns p with the parameters of each segment (from
// a ";" to the end of the segment) removed: "/a;x/b;y=1" gives "/a/b".
func withoutSegmentParams(p string) string {
	var b strings.Builder
	for len(p) > 0 {
		semi := strings.IndexByte(p, ';')
		if semi < 0 {
			b.WriteString(p)
			break
		}
		b.WriteString(p[:semi])
		p = p[semi:]
		if slash := strings.IndexByte(p, '/'); slash >= 0 {
			p = p[slash:]
		} else {
			p = ""
		}
	}
	return b.String()
}

// hasBaseFold reports whether p is base or below it, ignoring ASCII case.
func hasBaseFold(p, base string) bool {
	if len(p) < len(base) || !equalFoldASCII(p[:len(base)], base) {
		return false
	}
	return len(p) == len(base) || p[len(base)] == '/'
}

// equalFoldASCII reports whether a and b are equal ignoring ASCII case.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
