package smart

import (
	"context"
	"time"
)

// Grant is what a validated access token allows: who presented it, for which
// client and patient, with which scopes, until when. The middleware puts the
// Grant of every authorized request in its context; read it with
// [FromContext].
//
// A Grant is immutable once built: the library shares one Grant between the
// concurrent requests that present the same token.
type Grant struct {
	// Subject is the token's sub claim: the user at the authorization
	// server. It may be personal data and is never written to audit records.
	Subject string

	// ClientID identifies the OAuth client (the app).
	ClientID string

	// Patient is the FHIR resource ID of the launch patient, without the
	// "Patient/" prefix. A token that carries patient/ scopes always has
	// one; such a token without it is refused.
	Patient string

	// FHIRUser is the fhirUser claim: a reference to the Patient,
	// Practitioner, RelatedPerson or Person resource of the user, as
	// written in the token.
	FHIRUser string

	// Scopes are the token's parsed scopes.
	Scopes Scopes

	// Expiry is when the token stops being valid.
	Expiry time.Time

	// TokenID is the token's jti claim, when it has one.
	TokenID string

	// Issuer is the authorization server that issued the token.
	Issuer string

	// Claims are the token's claims as decoded from JSON (or the
	// introspection response), for rules that need more than the fields
	// above. They must not be modified.
	Claims map[string]any
}

// grantKey is the context key for the Grant of a request. It is unexported
// so that no other package can collide with it or overwrite it.
type grantKey struct{}

// NewContext returns a copy of ctx that carries g.
func NewContext(ctx context.Context, g *Grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

// FromContext returns the Grant carried by ctx, and whether there was one.
func FromContext(ctx context.Context) (*Grant, bool) {
	g, ok := ctx.Value(grantKey{}).(*Grant)
	return g, ok && g != nil
}
