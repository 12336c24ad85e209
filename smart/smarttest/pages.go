package smarttest

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/fhirguard/fhirguard/smart"
)

//go:embed pages.html
var pagesHTML string

// pages holds the consent and error page templates. They are constants of
// the package: parsing them can only fail on a programming error, which
// the tests catch.
var pages = template.Must(template.New("pages").Parse(pagesHTML))

// consentPage is the data of the consent page.
type consentPage struct {
	Action       string
	Request      string
	ClientID     string
	RedirectHost string
	Patients     []Patient
	Scopes       []scopeChoice
}

// scopeChoice is one checkbox of the consent page.
type scopeChoice struct {
	Raw         string
	Description string
}

// renderConsent shows the patient picker and consent page of pending
// request p, whose ID is id.
func (s *Server) renderConsent(w http.ResponseWriter, id string, p *pendingRequest) {
	u, _ := url.Parse(p.redirectURI) // checked by parseAuthorize
	data := consentPage{
		Action:       issuerPath(s.cfg.Issuer) + pathAuthorize,
		Request:      id,
		ClientID:     p.clientID,
		RedirectHost: u.Host,
		Patients:     s.cfg.Patients,
	}
	for _, sc := range p.scopes {
		data.Scopes = append(data.Scopes, scopeChoice{Raw: sc, Description: describeScope(sc)})
	}
	render(w, http.StatusOK, "consent", data)
}

// errorPage shows msg to the person in the browser.
func (s *Server) errorPage(w http.ResponseWriter, status int, msg string) {
	render(w, status, "error", msg)
}

// render executes a page template and sends it with headers that keep the
// page out of caches and frames and let it load nothing from elsewhere.
func render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "smarttest: page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy",
		"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// describeScope says in words what a scope lets the app do.
func describeScope(raw string) string {
	switch raw {
	case "openid":
		return "Confirm who you are."
	case "fhirUser":
		return "Know which record in the FHIR server is you."
	case "launch/patient":
		return "Know which patient you picked."
	case "offline_access":
		return "Keep access while you are not using the app."
	case "online_access":
		return "Keep access while you are using the app."
	}
	parsed := smart.ParseScopes(raw)
	if len(parsed.Resource) == 0 {
		return "A scope this server does not know. It gives the app no data."
	}
	return describeResourceScope(parsed.Resource[0])
}

// describeResourceScope describes a patient/ resource scope.
func describeResourceScope(sc smart.Scope) string {
	var verbs []string
	for _, p := range []struct {
		perm smart.Permissions
		verb string
	}{
		{smart.PermCreate, "create"}, {smart.PermRead, "read"}, {smart.PermUpdate, "update"},
		{smart.PermDelete, "delete"}, {smart.PermSearch, "search"},
	} {
		if sc.Permissions.Has(p.perm) {
			verbs = append(verbs, p.verb)
		}
	}
	what := "your " + sc.Type + " records"
	if sc.Type == "*" {
		what = "all your records"
	}
	d := strings.ToUpper(verbs[0][:1]) + strings.Join(verbs, ", ")[1:] + " " + what
	sep := " where "
	for _, p := range sc.Params {
		d += sep + p.Name + " is " + p.Value
		sep = " and "
	}
	return d + "."
}
