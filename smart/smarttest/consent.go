package smarttest

import (
	"crypto/subtle"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// csrfCookie names the cookie that binds a consent page to the browser
// that opened it.
const csrfCookie = "smarttest_csrf"

// consentFields are the fields of the consent form that carry one value.
var consentFields = []string{"request", "patient", "action"}

// postConsent serves POST on the authorization endpoint: the patient's answer
// on the consent page. The form carries the ID of the pending request, the
// patient picked, one scope field per ticked scope, and the button
// pressed. The request's redirect URI, state and PKCE challenge stay on the
// server, so no form field can change them.
//
// The answer is refused (403 page) unless it comes from the browser that
// opened the page, as shown by the CSRF cookie set then (SameSite=Lax, so
// other sites cannot post with it), and, when the browser sends an Origin
// header, from the server's own origin.
func (s *Server) postConsent(w http.ResponseWriter, r *http.Request) {
	form, msg := readConsentForm(r)
	if msg != "" {
		s.errorPage(w, http.StatusBadRequest, msg)
		return
	}
	if o := r.Header.Get("Origin"); o != "" && o != s.origin() {
		s.errorPage(w, http.StatusForbidden, "the consent form was posted from another site")
		return
	}
	p, ok := s.store.takePending(form.Get("request"), s.now())
	if !ok {
		s.errorPage(w, http.StatusBadRequest,
			"this consent request is unknown, answered or expired: start again from the app")
		return
	}
	if !sameBrowser(r, p) {
		s.errorPage(w, http.StatusForbidden,
			"the consent must be given in the browser that opened the consent page")
		return
	}
	s.answer(w, form, p)
}

// answer acts on the button the patient pressed.
func (s *Server) answer(w http.ResponseWriter, form url.Values, p *pendingRequest) {
	switch form.Get("action") {
	case "deny":
		redirect(w, withParams(p.redirectURI, url.Values{
			"error":             {"access_denied"},
			"error_description": {"the patient denied the request"},
			"state":             {p.state},
		}))
		return
	case "approve":
	default:
		s.errorPage(w, http.StatusBadRequest, "the form must say approve or deny")
		return
	}

	c, msg := s.approved(form, p)
	if msg != "" {
		s.errorPage(w, http.StatusBadRequest, msg)
		return
	}
	now := s.now()
	code := s.store.addCode(&authCode{clientID: p.clientID, redirectURI: p.redirectURI,
		challenge: p.challenge, approval: c, expires: now.Add(CodeLifetime)}, now)
	redirect(w, withParams(p.redirectURI, url.Values{"code": {code}, "state": {p.state}}))
}

// approved returns what the patient approved: a patient from the picker
// and the ticked scopes, each of which the app must have requested.
func (s *Server) approved(form url.Values, p *pendingRequest) (approval, string) {
	patient := form.Get("patient")
	if _, ok := s.patients[patient]; !ok {
		return approval{}, "pick one of the patients offered"
	}
	scopes := distinct(form["scope"])
	for _, sc := range scopes {
		if !slices.Contains(p.scopes, sc) {
			return approval{}, "scope " + quote(sc) + " was not requested by the app"
		}
	}
	return approval{patient: patient, scopes: scopes, nonce: p.nonce}, ""
}

// readConsentForm reads the consent form from the body of r, refusing a
// form that repeats a single-valued field.
func readConsentForm(r *http.Request) (url.Values, string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, "the consent form must be posted as application/x-www-form-urlencoded"
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxFormBytes))
	if err != nil {
		return nil, "the consent form is unreadable or too large"
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "the consent form is not a valid form"
	}
	for _, name := range consentFields {
		if len(form[name]) > 1 {
			return nil, "the consent form repeats the field " + quote(name)
		}
	}
	return form, ""
}

// browserID returns the CSRF cookie of the browser, setting a new one when
// it has none. The cookie is sent only to the authorization endpoint.
func (s *Server) browserID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && isRandomToken(c.Value) {
		return c.Value
	}
	v := randomToken()
	http.SetCookie(w, &http.Cookie{
		Name:     csrfCookie,
		Value:    v,
		Path:     issuerPath(s.cfg.Issuer) + pathAuthorize,
		HttpOnly: true,
		Secure:   strings.HasPrefix(s.cfg.Issuer, "https:"),
		SameSite: http.SameSiteLaxMode,
	})
	return v
}

// sameBrowser reports whether r carries the CSRF cookie p was opened with.
func sameBrowser(r *http.Request, p *pendingRequest) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(p.browser)) == 1
}

// isRandomToken reports whether v has the form of randomToken's output.
func isRandomToken(v string) bool {
	return len(v) == 43 && strings.Trim(v, unreserved[:62]+"-_") == ""
}

// origin returns the scheme and host of the issuer, as browsers write it
// in an Origin header.
func (s *Server) origin() string {
	u, _ := url.Parse(s.cfg.Issuer) // validated by New
	return u.Scheme + "://" + u.Host
}
