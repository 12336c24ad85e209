package smart

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// VerificationKey is a public key that a [JWTAuthenticator] trusts to
// verify token signatures.
type VerificationKey struct {
	// ID is the key ID that tokens signed with the key carry in their kid
	// header. A key with an empty ID verifies tokens whatever their kid,
	// after the keys whose ID matches, configured or published at the
	// JWKS URL; the signature still has to verify.
	ID string

	// Public is an *rsa.PublicKey of at least 2048 bits, or an
	// *ecdsa.PublicKey on P-256, P-384 or P-521.
	Public crypto.PublicKey
}

// keyKind is the kind of key an algorithm needs. Each algorithm verifies
// only with keys of its own kind, which rules out algorithm confusion.
type keyKind uint8

const (
	kindRSA keyKind = iota + 1
	kindP256
	kindP384
	kindP521
	kindHMAC
)

// algKinds maps each algorithm the library accepts to its key kind. "none"
// is absent and can never be allowed.
var algKinds = map[string]keyKind{
	"RS256": kindRSA, "RS384": kindRSA, "RS512": kindRSA,
	"PS256": kindRSA, "PS384": kindRSA, "PS512": kindRSA,
	"ES256": kindP256, "ES384": kindP384, "ES512": kindP521,
	"HS256": kindHMAC, "HS384": kindHMAC, "HS512": kindHMAC,
}

// hmacMinBytes is the shortest secret each HMAC algorithm may use: as long
// as its hash output, as RFC 7518 section 3.2 requires.
var hmacMinBytes = map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}

// algOrder lists the algorithms in the order default allow-lists use.
var algOrder = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "HS256", "HS384", "HS512",
}

// minRSABits is the smallest RSA modulus accepted, from a configuration or
// a JWKS.
const minRSABits = 2048

// kindOf returns the kind of a public key, or an error for a key type,
// curve or size the library does not accept.
func kindOf(pub crypto.PublicKey) (keyKind, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N == nil || k.N.BitLen() < minRSABits {
			return 0, fmt.Errorf("RSA key shorter than %d bits", minRSABits)
		}
		return kindRSA, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return kindP256, nil
		case elliptic.P384():
			return kindP384, nil
		case elliptic.P521():
			return kindP521, nil
		}
		return 0, errors.New("ECDSA key on a curve other than P-256, P-384 or P-521")
	}
	return 0, fmt.Errorf("unsupported key type %T", pub)
}

// staticKey is a configured VerificationKey with its kind.
type staticKey struct {
	id   string
	kind keyKind
	pub  crypto.PublicKey
}

// keySet finds the key that verifies a token: configured public keys
// first, then the HMAC secret, then the JWKS. It is immutable once built.
type keySet struct {
	static []staticKey
	hmac   []byte

	// remote reports that a JWKS URL is configured; jwks is its source,
	// started once the rest of the configuration has been checked.
	remote bool
	jwks   *jwksSource
}

// newKeySet checks the configured keys. The caller starts the JWKS source.
func newKeySet(keys []VerificationKey, hmacSecret []byte, remote bool) (*keySet, error) {
	ks := &keySet{remote: remote}
	for i, k := range keys {
		kind, err := kindOf(k.Public)
		if err != nil {
			return nil, fmt.Errorf("smart: key %d (%q): %w", i, k.ID, err)
		}
		ks.static = append(ks.static, staticKey{id: k.ID, kind: kind, pub: k.Public})
	}
	if hmacSecret != nil && len(hmacSecret) < hmacMinBytes["HS256"] {
		return nil, errors.New("smart: HMAC secret shorter than 32 bytes (RFC 7518 section 3.2)")
	}
	ks.hmac = slices.Clone(hmacSecret)
	return ks, nil
}

// supports reports whether the set holds a key for alg.
func (ks *keySet) supports(alg string) bool {
	kind, ok := algKinds[alg]
	switch {
	case !ok:
		return false
	case kind == kindHMAC:
		return len(ks.hmac) >= hmacMinBytes[alg]
	case ks.remote:
		return true
	}
	return slices.ContainsFunc(ks.static, func(k staticKey) bool { return k.kind == kind })
}

// algorithms returns the allow-list: allowed as configured after checking
// that each has a key, or every algorithm the keys support when allowed is
// empty.
func (ks *keySet) algorithms(allowed []string) ([]string, error) {
	if len(allowed) == 0 {
		return slices.DeleteFunc(slices.Clone(algOrder), func(a string) bool {
			return !ks.supports(a)
		}), nil
	}
	for _, alg := range allowed {
		if _, known := algKinds[alg]; !known {
			return nil, fmt.Errorf("smart: algorithm %q cannot be allowed", alg)
		}
		if !ks.supports(alg) {
			return nil, fmt.Errorf("smart: algorithm %q is allowed but no key for it is configured",
				alg)
		}
	}
	return slices.Clone(allowed), nil
}

// keyfunc returns the jwt.Keyfunc that picks the key for a token. ctx
// bounds a JWKS refresh that an unknown kid may start.
func (ks *keySet) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, newTokenError(reasonMalformed, errors.New("crit header not supported"))
		}
		alg := t.Method.Alg()
		kind := algKinds[alg]
		if kind == kindHMAC {
			return ks.secret(alg)
		}
		kid, hasKID := t.Header["kid"]
		kidText, isText := kid.(string)
		if hasKID && !isText {
			return nil, newTokenError(reasonMalformed, errors.New("kid header is not a string"))
		}
		return ks.lookup(ctx, alg, kind, kidText, hasKID)
	}
}

// secret returns the HMAC secret, refusing an empty one: an HMAC keyed
// with nothing would verify whatever anyone signs with nothing.
func (ks *keySet) secret(alg string) (any, error) {
	if len(ks.hmac) < hmacMinBytes[alg] {
		return nil, newTokenError(reasonUnknownKey, errors.New("no HMAC secret for "+alg))
	}
	return ks.hmac, nil
}

// lookup finds the keys of kind that may verify a token signed with alg:
// the configured keys whose ID is kid, which alone are tried when there
// are any; otherwise the JWKS's keys for kid and then the configured keys
// without ID. A token without kid is tried with every configured key of
// its kind, then every published one. When the JWKS cannot answer, the
// configured keys are still tried; its error is returned only when no key
// at all is left to try.
func (ks *keySet) lookup(ctx context.Context, alg string, kind keyKind, kid string,
	hasKID bool) (any, error) {
	keys, anyID := ks.staticKeys(kind, kid, hasKID)
	var err error
	if ks.jwks != nil && (!hasKID || len(keys) == 0) {
		var remote []jwt.VerificationKey
		remote, err = ks.jwks.lookup(ctx, alg, kind, kid, hasKID)
		keys = append(keys, remote...)
	}
	if !hasKID || len(keys) == 0 {
		keys = append(keys, anyID...)
	}

	switch {
	case len(keys) == 0 && err != nil:
		return nil, err
	case len(keys) == 0:
		return nil, newTokenError(reasonUnknownKey, fmt.Errorf("no %s key for kid %q", alg, kid))
	case len(keys) == 1:
		return keys[0], nil
	}
	return jwt.VerificationKeySet{Keys: keys}, nil
}

// staticKeys returns the configured keys of kind that may verify a token:
// in exact those whose ID is kid (every key of kind for a token without
// kid), and in anyID those without an ID, which verify whatever the kid.
func (ks *keySet) staticKeys(kind keyKind, kid string, hasKID bool) (exact,
	anyID []jwt.VerificationKey) {
	for _, k := range ks.static {
		switch {
		case k.kind != kind:
		case !hasKID || k.id == kid:
			exact = append(exact, k.pub)
		case k.id == "":
			anyID = append(anyID, k.pub)
		}
	}
	return exact, anyID
}
