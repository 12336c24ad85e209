package demo

import (
	"fmt"
	"strings"

	"github.com/fhirguard/fhirguard/examples/internal/synth"
)

// cliVerifier is the PKCE verifier of the shell example. It is printed
// for anyone to read, which is harmless: PKCE protects a code in flight,
// and the example's code goes from the server to the same shell.
const cliVerifier = "fhirguard-demo-shell-example-verifier-0123456789"

// Banner returns what the demo prints when it starts: the FHIR base, the
// launch URL, the patients, and a shell example that obtains a token by a
// standalone launch with PKCE (the consent page answered with curl) and
// calls the API with it.
func (s *Server) Banner() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fhirguard demo server (synthetic data; plain HTTP for loopback use only:"+
		" SMART requires TLS in production)\n\n")
	fmt.Fprintf(&b, "  FHIR base:       %s\n", s.FHIRBase)
	fmt.Fprintf(&b, "  SMART discovery: %s/.well-known/smart-configuration\n", s.FHIRBase)
	if s.LaunchURL == "" {
		fmt.Fprintf(&b, "  Tokens from:     %s\n", s.auth.discovery.Issuer)
		return b.String()
	}
	fmt.Fprintf(&b, "  Launch an app:   %s\n", s.LaunchURL)
	fmt.Fprintf(&b, "                   (open it in a browser: pick a patient, untick scopes,"+
		" approve)\n")
	fmt.Fprintf(&b, "  Patients:        %s\n", patientList(s.patients))
	fmt.Fprintf(&b, "\nObtain a token from a shell (standalone launch with PKCE) and call the"+
		" API:\n\n%s\n", s.ShellExample())
	return b.String()
}

// ShellExample returns the shell commands of the banner: with curl and
// sed, they open the authorization endpoint, answer the consent page for
// the first patient, redeem the code with the PKCE verifier, and search
// the patient's vital signs with the access token.
func (s *Server) ShellExample() string {
	p := s.patients[0].ID
	o := s.origin
	return strings.Join([]string{
		"O=" + o + "; R=http://127.0.0.1:9/callback; J=$(mktemp)",
		`F=$(curl -s -c "$J" "$O/auth/authorize?response_type=code&client_id=demo-shell` +
			`&redirect_uri=$R&scope=launch/patient+patient/*.rs&state=s1&aud=$O/fhir` +
			`&code_challenge=` + challenge(cliVerifier) + `&code_challenge_method=S256"` +
			` | sed -n 's/.*name="request" value="\([^"]*\)".*/\1/p')`,
		`C=$(curl -s -b "$J" -o /dev/null -w '%{redirect_url}' "$O/auth/authorize"` +
			` -d "request=$F&patient=` + p + `&scope=launch/patient&scope=patient/*.rs` +
			`&action=approve" | sed 's/.*[?&]code=\([^&]*\).*/\1/')`,
		`T=$(curl -s "$O/auth/token" -d "grant_type=authorization_code&code=$C` +
			`&redirect_uri=$R&client_id=demo-shell&code_verifier=` + cliVerifier + `"` +
			` | sed 's/.*"access_token":"\([^"]*\)".*/\1/')`,
		`curl -s -H "Authorization: Bearer $T" "$O/fhir/Observation?patient=` + p +
			`&category=vital-signs&_count=2"`,
	}, "\n") + "\n"
}

// patientList formats the first patients of the picker.
func patientList(ps []synth.Patient) string {
	var parts []string
	for i, p := range ps {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		parts = append(parts, p.ID+" "+p.Name)
	}
	return strings.Join(parts, ", ")
}
