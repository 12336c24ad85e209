package smart

import "context"

// interactionKey is the context key for the Interaction of a request. It is
// unexported so that no other package can collide with it.
type interactionKey struct{}

// requestContext is the context the Guard gives an authorized request. It
// carries the Grant and the Interaction in one allocation, answering the
// keys of [FromContext] and [InteractionFromContext] itself and passing
// every other key, and cancellation, to its parent.
type requestContext struct {
	context.Context
	grant *Grant
	in    Interaction
}

// newRequestContext returns a child of parent carrying grant, which may be
// nil for a public interaction, and in.
func newRequestContext(parent context.Context, grant *Grant, in Interaction) context.Context {
	return &requestContext{Context: parent, grant: grant, in: in}
}

// Value returns the request's Grant or Interaction for their keys, and the
// parent's value for any other key.
func (c *requestContext) Value(key any) any {
	switch key.(type) {
	case interactionKey:
		return &c.in
	case grantKey:
		if c.grant != nil {
			return c.grant
		}
	}
	return c.Context.Value(key)
}

// InteractionFromContext returns the Interaction the [Guard] parsed for the
// request whose context is ctx, and whether there was one. A handler behind
// the Guard finds it for every request the Guard let through below the FHIR
// base, except the SMART discovery document and CORS preflight requests.
func InteractionFromContext(ctx context.Context) (Interaction, bool) {
	in, ok := ctx.Value(interactionKey{}).(*Interaction)
	if !ok || in == nil {
		return Interaction{}, false
	}
	return *in, true
}
