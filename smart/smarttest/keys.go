package smarttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithm is a JWS signature algorithm the server signs tokens with. The
// zero value, accepted wherever an Algorithm is optional, means [RS256].
type Algorithm string

// The algorithms the server signs with. Its JWKS publishes one key for each.
const (
	// RS256 is RSASSA-PKCS1-v1_5 with SHA-256, the algorithm every SMART
	// client and resource server supports. It is the default.
	RS256 Algorithm = "RS256"

	// ES256 is ECDSA on P-256 with SHA-256.
	ES256 Algorithm = "ES256"
)

// signingKey is one private key with its JWS algorithm and key ID.
type signingKey struct {
	alg    Algorithm
	method jwt.SigningMethod
	key    crypto.Signer
	kid    string
	jwk    map[string]string
}

// keySet holds the server's two signing keys.
type keySet struct {
	rsa signingKey
	ec  signingKey
}

// newKeySet wraps the configured keys, generating those that are nil.
func newKeySet(rk *rsa.PrivateKey, ek *ecdsa.PrivateKey) (*keySet, error) {
	var err error
	if rk == nil {
		if rk, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("smarttest: generating RSA key: %w", err)
		}
	}
	if ek == nil {
		if ek, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, fmt.Errorf("smarttest: generating ECDSA key: %w", err)
		}
	}
	ecJWK, err := ecPublicJWK(&ek.PublicKey)
	if err != nil {
		return nil, err
	}
	return &keySet{
		rsa: newSigningKey(RS256, jwt.SigningMethodRS256, rk, rsaPublicJWK(&rk.PublicKey)),
		ec:  newSigningKey(ES256, jwt.SigningMethodES256, ek, ecJWK),
	}, nil
}

// newSigningKey names a key by its RFC 7638 thumbprint and completes its
// public JWK.
func newSigningKey(alg Algorithm, m jwt.SigningMethod, k crypto.Signer,
	jwk map[string]string) signingKey {
	kid := thumbprint(jwk)
	jwk["kid"], jwk["alg"], jwk["use"] = kid, string(alg), "sig"
	return signingKey{alg: alg, method: m, key: k, kid: kid, jwk: jwk}
}

// rsaPublicJWK returns the required members of the JWK of an RSA public key.
func rsaPublicJWK(k *rsa.PublicKey) map[string]string {
	return map[string]string{
		"kty": "RSA",
		"n":   b64(k.N.Bytes()),
		"e":   b64(big.NewInt(int64(k.E)).Bytes()),
	}
}

// ecPublicJWK returns the required members of the JWK of a P-256 public key.
func ecPublicJWK(k *ecdsa.PublicKey) (map[string]string, error) {
	point, err := k.Bytes() // 0x04 || X || Y, each 32 bytes
	if err != nil || len(point) != 65 {
		return nil, fmt.Errorf("smarttest: encoding ECDSA public key: %v", err)
	}
	return map[string]string{
		"kty": "EC",
		"crv": "P-256",
		"x":   b64(point[1:33]),
		"y":   b64(point[33:]),
	}, nil
}

// thumbprint computes the RFC 7638 JWK thumbprint of the required members
// in jwk. encoding/json sorts map keys, which is the order RFC 7638 asks.
func thumbprint(jwk map[string]string) string {
	b, _ := json.Marshal(jwk) // a map of strings always marshals
	sum := sha256.Sum256(b)
	return b64(sum[:])
}

// b64 is unpadded base64url, the encoding of JOSE.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// byAlgorithm returns the key that signs with alg; "" means RS256.
func (ks *keySet) byAlgorithm(alg Algorithm) (*signingKey, error) {
	switch alg {
	case RS256, "":
		return &ks.rsa, nil
	case ES256:
		return &ks.ec, nil
	}
	return nil, fmt.Errorf("smarttest: algorithm %q is not RS256 or ES256", alg)
}

// verificationKey is a jwt.Keyfunc: it returns the public key named by the
// token's kid, provided the token's alg matches that key.
func (ks *keySet) verificationKey(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	for _, k := range []*signingKey{&ks.rsa, &ks.ec} {
		if k.kid == kid && t.Method == k.method {
			return k.key.Public(), nil
		}
	}
	return nil, fmt.Errorf("smarttest: no key %q for %s", kid, t.Method.Alg())
}

// publicKeys maps each key ID to its public key.
func (ks *keySet) publicKeys() map[string]crypto.PublicKey {
	return map[string]crypto.PublicKey{
		ks.rsa.kid: ks.rsa.key.Public(),
		ks.ec.kid:  ks.ec.key.Public(),
	}
}

// jwks returns the JSON Web Key Set document of the public keys.
func (ks *keySet) jwks() []byte {
	doc := map[string][]map[string]string{"keys": {ks.rsa.jwk, ks.ec.jwk}}
	b, _ := json.MarshalIndent(doc, "", "  ") // maps of strings always marshal
	return b
}

// sign signs claims with k, naming it in the kid header.
func (k *signingKey) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(k.method, claims)
	t.Header["kid"] = k.kid
	s, err := t.SignedString(k.key)
	if err != nil {
		return "", fmt.Errorf("smarttest: signing token: %w", err)
	}
	return s, nil
}
