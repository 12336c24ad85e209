package smarttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
)

// Consent is what the patient does on the consent page, for [Authorize].
// The zero value picks the first patient offered and allows every scope.
type Consent struct {
	// Patient is the ID of the patient to pick. Empty keeps the page's
	// default, the first patient offered.
	Patient string

	// Untick lists scopes to untick; every other requested scope stays
	// ticked. Each must be on the page.
	Untick []string

	// Deny presses Deny instead of Allow.
	Deny bool
}

// ErrConsentPage is matched by the errors of [Authorize] when the server
// answers with something other than a consent page or a redirect, or when
// the page does not offer what the [Consent] asks for.
var ErrConsentPage = errors.New("smarttest: unexpected consent page")

// Authorize plays the patient's browser in an end-to-end test of an app.
// It opens authorizeURL (the authorization request the app built), fills
// in the consent page as c says, submits it, and returns the URL the
// browser is then sent to: the app's redirect URI with code and state, or
// with error and state. It does not follow that redirect.
//
// A nil client means a new client with a cookie jar. A client without a
// jar is used with a new jar, since the consent form is bound to the
// browser by a cookie.
func Authorize(ctx context.Context, client *http.Client, authorizeURL string,
	c Consent) (*url.URL, error) {
	b := newBrowser(client)
	resp, err := b.do(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, err
	}
	if loc, ok := redirectLocation(resp); ok {
		return loc, nil
	}
	form, err := readPage(resp)
	if err != nil {
		return nil, err
	}

	values, err := form.fill(c)
	if err != nil {
		return nil, err
	}
	page, err := url.Parse(authorizeURL) // parsed by do already
	if err != nil {
		return nil, fmt.Errorf("smarttest: authorize URL: %w", err)
	}
	resp, err = b.do(ctx, http.MethodPost, page.ResolveReference(form.action).String(),
		strings.NewReader(values.Encode()))
	if err != nil {
		return nil, err
	}
	if loc, ok := redirectLocation(resp); ok {
		return loc, nil
	}
	return nil, pageFailure(resp)
}

// browser is an HTTP client that keeps cookies and stops at redirects.
type browser struct{ client http.Client }

// newBrowser copies client, adding a jar when it has none.
func newBrowser(client *http.Client) *browser {
	b := &browser{}
	if client != nil {
		b.client = *client
	}
	if b.client.Jar == nil {
		b.client.Jar, _ = cookiejar.New(nil) // cannot fail without options
	}
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return b
}

// do sends one request, as a browser on the page's origin would for a
// form post.
func (b *browser) do(ctx context.Context, method, target string, body io.Reader) (
	*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("smarttest: building request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", req.URL.Scheme+"://"+req.URL.Host)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("smarttest: %s %s: %w", method, req.URL.Redacted(), err)
	}
	return resp, nil
}

// redirectLocation returns the Location of a redirect response, resolved
// against the request URL, and closes the body.
func redirectLocation(resp *http.Response) (*url.URL, bool) {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil, false
	}
	_ = resp.Body.Close()
	loc, err := resp.Location()
	return loc, err == nil
}

// readPage reads a consent page.
func readPage(resp *http.Response) (*pageForm, error) {
	if resp.StatusCode != http.StatusOK {
		return nil, pageFailure(resp)
	}
	defer func() { _ = resp.Body.Close() }()
	return parsePageForm(io.LimitReader(resp.Body, 1<<20))
}

// pageFailure reports an unexpected answer, with the message of an error
// page when there is one.
func pageFailure(resp *http.Response) error {
	defer func() { _ = resp.Body.Close() }()
	msg := pageMessage(io.LimitReader(resp.Body, 1<<20))
	return fmt.Errorf("%w: status %d: %s", ErrConsentPage, resp.StatusCode, msg)
}

// fill returns the values a browser posts after the patient's choices.
func (f *pageForm) fill(c Consent) (url.Values, error) {
	v := url.Values{}
	for _, in := range f.inputs {
		if in.typ == "hidden" {
			v.Add(in.name, in.value)
		}
	}
	if err := f.pick(v, c.Patient); err != nil {
		return nil, err
	}
	if err := f.tick(v, c.Untick); err != nil {
		return nil, err
	}
	v.Set("action", "approve")
	if c.Deny {
		v.Set("action", "deny")
	}
	return v, nil
}

// pick selects a patient radio button, or keeps the checked one.
func (f *pageForm) pick(v url.Values, patient string) error {
	for _, in := range f.inputs {
		if in.typ == "radio" && in.name == "patient" &&
			(in.value == patient || patient == "" && in.checked) {
			v.Set("patient", in.value)
			return nil
		}
	}
	return fmt.Errorf("%w: patient %q is not offered", ErrConsentPage, patient)
}

// tick keeps every checked scope except those to untick.
func (f *pageForm) tick(v url.Values, untick []string) error {
	var offered []string
	for _, in := range f.inputs {
		if in.typ == "checkbox" && in.name == "scope" {
			offered = append(offered, in.value)
			if in.checked && !slices.Contains(untick, in.value) {
				v.Add("scope", in.value)
			}
		}
	}
	for _, sc := range untick {
		if !slices.Contains(offered, sc) {
			return fmt.Errorf("%w: scope %q to untick is not on the page", ErrConsentPage, sc)
		}
	}
	return nil
}
