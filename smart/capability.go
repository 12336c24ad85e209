package smart

// oauthURIsExtension is the URL of the SMART extension that lists the OAuth
// endpoints in a CapabilityStatement.
const oauthURIsExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

// SecurityComponent is the CapabilityStatement.rest.security element that
// declares SMART on FHIR: the SMART-on-FHIR service code and the oauth-uris
// extension listing the endpoints. It marshals to FHIR JSON.
type SecurityComponent struct {
	Extension []Extension       `json:"extension,omitempty"`
	Service   []CodeableConcept `json:"service"`
	CORS      bool              `json:"cors"`
}

// Extension is a FHIR extension with a URI value or nested extensions, as
// SecurityComponent needs.
type Extension struct {
	URL       string      `json:"url"`
	ValueURI  string      `json:"valueUri,omitempty"`
	Extension []Extension `json:"extension,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// SecurityComponent returns the CapabilityStatement.rest.security element
// matching c, for a server's metadata endpoint. The oauth-uris extension
// lists each endpoint c sets among authorize, token, register, manage,
// introspect and revoke.
func (c *Configuration) SecurityComponent() SecurityComponent {
	var uris []Extension
	add := func(name, uri string) {
		if uri != "" {
			uris = append(uris, Extension{URL: name, ValueURI: uri})
		}
	}
	add("authorize", c.AuthorizationEndpoint)
	add("token", c.TokenEndpoint)
	add("register", c.RegistrationEndpoint)
	add("manage", c.ManagementEndpoint)
	add("introspect", c.IntrospectionEndpoint)
	add("revoke", c.RevocationEndpoint)

	return SecurityComponent{
		Extension: []Extension{{URL: oauthURIsExtension, Extension: uris}},
		Service: []CodeableConcept{{
			Coding: []Coding{{
				System:  "http://terminology.hl7.org/CodeSystem/restful-security-service",
				Code:    "SMART-on-FHIR",
				Display: "SMART-on-FHIR",
			}},
			Text: "OAuth 2.0 using the SMART App Launch profile",
		}},
		CORS: true,
	}
}
