package smarttest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// pageForm is the form of a consent page, as a browser sees it.
type pageForm struct {
	action *url.URL
	inputs []pageInput
}

// pageInput is one input element of a form.
type pageInput struct {
	typ, name, value string
	checked          bool
}

// parsePageForm reads the first form of an HTML page: its action and its
// input elements. The consent page is well-formed markup, so the lenient
// HTML mode of encoding/xml reads it.
func parsePageForm(r io.Reader) (*pageForm, error) {
	d := htmlDecoder(r)
	var f *pageForm
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConsentPage, err)
		}
		el, ok := tok.(xml.StartElement)
		switch {
		case !ok:
		case el.Name.Local == "form" && f == nil:
			if f, err = newPageForm(attr(el, "action")); err != nil {
				return nil, err
			}
		case el.Name.Local == "input" && f != nil:
			_, checked := lookupAttr(el, "checked")
			f.inputs = append(f.inputs, pageInput{typ: attr(el, "type"),
				name: attr(el, "name"), value: attr(el, "value"), checked: checked})
		}
	}
	if f == nil {
		return nil, fmt.Errorf("%w: no form on the page", ErrConsentPage)
	}
	return f, nil
}

// newPageForm starts a form with the given action.
func newPageForm(action string) (*pageForm, error) {
	u, err := url.Parse(action)
	if err != nil {
		return nil, fmt.Errorf("%w: form action %q: %w", ErrConsentPage, action, err)
	}
	return &pageForm{action: u}, nil
}

// pageMessage returns the text of the element with id "message" of an
// error page, or a note that there is none.
func pageMessage(r io.Reader) string {
	d := htmlDecoder(r)
	depth := 0
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "(no message on the page)"
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 0 || attr(t, "id") == "message" {
				depth++
			}
		case xml.EndElement:
			if depth > 0 {
				if depth--; depth == 0 {
					return strings.TrimSpace(b.String())
				}
			}
		case xml.CharData:
			if depth > 0 {
				b.Write(t)
			}
		}
	}
}

// htmlDecoder returns an XML decoder in its lenient HTML mode.
func htmlDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	return d
}

// attr returns an attribute of el, or "".
func attr(el xml.StartElement, name string) string {
	v, _ := lookupAttr(el, name)
	return v
}

// lookupAttr returns an attribute of el and whether it is present.
func lookupAttr(el xml.StartElement, name string) (string, bool) {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}
