package demo

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/smarttest"
)

// The clients registered with the embedded authorization server.
const (
	// resourceServerID is the demo's own client, which introspects tokens.
	resourceServerID = "fhirguard-demo-resource-server"

	// appClientID is the demo app of /app/launch.
	appClientID = "fhirguard-demo-app"
)

// auth is how the demo checks tokens and describes its authorization
// server.
type auth struct {
	authenticator smart.Authenticator
	discovery     smart.Configuration
	embedded      *smarttest.Server // nil with an external server
}

// embeddedAuth starts the in-process authorization server at /auth and
// checks its tokens by RFC 7662 introspection, made in process and never
// cached, so that a revoked token is refused at once. (A signature check
// alone would accept a revoked JWT until it expires.) Introspection is
// asked for the FHIR base as audience: the server's refresh tokens, which
// introspect as active but carry no audience, are refused as access
// tokens.
func embeddedAuth(origin string, patients []synth.Patient) (*auth, error) {
	secret := randomHex(32)
	picker := make([]smarttest.Patient, len(patients))
	for i, p := range patients {
		picker[i] = smarttest.Patient{ID: p.ID, Name: p.Name}
	}
	srv, err := smarttest.New(smarttest.Config{
		Issuer:      origin + "/auth",
		FHIRBaseURL: origin + "/fhir",
		Patients:    picker,
		Clients: []smarttest.Client{
			{ID: resourceServerID, Secret: secret},
			{ID: appClientID, RedirectURIs: []string{origin + "/app/callback"}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("demo: starting the authorization server: %w", err)
	}
	in, err := smart.NewIntrospector(smart.IntrospectionConfig{
		Endpoint:     srv.Configuration().IntrospectionEndpoint,
		ClientID:     resourceServerID,
		ClientSecret: secret,
		Audience:     origin + "/fhir",
		CacheEntries: -1,
		HTTPClient:   inProcessClient(srv),
	})
	if err != nil {
		return nil, fmt.Errorf("demo: configuring introspection: %w", err)
	}
	return &auth{authenticator: in, discovery: srv.Configuration(), embedded: srv}, nil
}

// externalAuth trusts the authorization server e describes.
func externalAuth(e *ExternalAuth, fhirBase string) (*auth, error) {
	aud := e.Audience
	if aud == "" {
		aud = fhirBase
	}
	claims := smart.ClaimMapping{Patient: e.PatientClaim}
	var a smart.Authenticator
	var err error
	if e.IntrospectionURL != "" {
		a, err = smart.NewIntrospector(smart.IntrospectionConfig{Endpoint: e.IntrospectionURL,
			ClientID: e.IntrospectionClientID, ClientSecret: e.IntrospectionSecret,
			Audience: e.Audience, Claims: claims})
	} else {
		a, err = smart.NewJWTAuthenticator(smart.JWTConfig{Issuer: e.Issuer, Audience: aud,
			JWKSURL: e.JWKSURL, HMACSecret: e.HMACSecret, Claims: claims, Leeway: 30 * time.Second})
	}
	if err != nil {
		return nil, fmt.Errorf("demo: trusting the external authorization server: %w", err)
	}
	return &auth{authenticator: a, discovery: smart.Configuration{
		Issuer:                 e.Issuer,
		JWKSURI:                e.JWKSURL,
		AuthorizationEndpoint:  e.AuthorizeURL,
		TokenEndpoint:          e.TokenURL,
		IntrospectionEndpoint:  e.IntrospectionURL,
		GrantTypesSupported:    []string{"authorization_code"},
		ResponseTypesSupported: []string{"code"},
		Capabilities: []string{"launch-standalone", "client-public",
			"context-standalone-patient", "permission-patient", "permission-v1",
			"permission-v2"},
		CodeChallengeMethodsSupported: []string{"S256"},
	}}, nil
}

// inProcessClient returns an HTTP client that hands every request to h
// in the same process, without a network round trip: the demo calls its
// own authorization server this way.
func inProcessClient(h http.Handler) *http.Client {
	return &http.Client{Transport: handlerTransport{h}}
}

// handlerTransport is an http.RoundTripper that serves requests with a
// handler.
type handlerTransport struct{ h http.Handler }

// RoundTrip serves r with the handler and returns its response.
func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
