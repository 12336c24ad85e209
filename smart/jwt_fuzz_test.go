package smart_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// FuzzJWTAuthenticate feeds arbitrary strings to a JWTAuthenticator. It must
// never panic, must refuse with a *TokenError and no grant, and must accept
// only tokens whose signature verifies with a test key when checked with the
// standard library alone.
func FuzzJWTAuthenticate(f *testing.F) {
	k := tokKeys(f)
	valid := tokSign(f, jwt.SigningMethodRS256, k.rsaA, "rsa-a", tokClaims(nil))
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		tokSign(f, jwt.SigningMethodES256, k.ecA, "ec-a", tokClaims(nil)),
		tokSign(f, jwt.SigningMethodPS384, k.rsaA, "", tokClaims(map[string]any{"patient": "x.1"})),
		valid[:len(valid)/2],
		valid[:len(valid)-1],
		parts[0] + "." + parts[1] + ".",
		tokPart(`{"alg":"none"}`) + "." + parts[1] + ".",
		tokPart(`{"x":"`+strings.Repeat("a", 5000)+`"}`) + "." + parts[1] + "." + parts[2],
		tokPart(`{"alg":"HS256","kid":"rsa-a"}`) + "." + parts[1] + "." + parts[2],
		"..", ".", "", "a.b.c", "e30.e30.e30",
	} {
		f.Add(seed)
	}
	a, err := smart.NewJWTAuthenticator(tokConfig(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.Close() })

	f.Fuzz(func(t *testing.T, token string) {
		g, err := a.Authenticate(context.Background(), token)
		if err != nil {
			var te *smart.TokenError
			if g != nil || !errors.As(err, &te) || !errors.Is(err, smart.ErrInvalidToken) {
				t.Fatalf("refusal = (%v, %v), want no grant and a *TokenError", g, err)
			}
			return
		}
		if !tokIndependentlyVerified(token, k) {
			t.Fatalf("accepted a token that no test key signed: %q", token)
		}
		if g.Scopes.HasContext(smart.ContextPatient) && g.Patient == "" {
			t.Fatalf("granted patient scopes without a patient: %q", token)
		}
	})
}

// tokIndependentlyVerified checks a token's signature against the test keys
// "a" with crypto/rsa and crypto/ecdsa directly, without golang-jwt.
func tokIndependentlyVerified(token string, k tokKeySet) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	raw, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	sig, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	var header struct{ Alg string }
	if err1 != nil || err2 != nil || json.Unmarshal(raw, &header) != nil {
		return false
	}
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	if len(header.Alg) != 5 {
		return false
	}
	h, ok := hashes[header.Alg[2:]]
	if !ok {
		return false
	}
	d := h.New()
	d.Write([]byte(parts[0] + "." + parts[1]))
	digest := d.Sum(nil)

	switch header.Alg[:2] {
	case "RS":
		return rsa.VerifyPKCS1v15(&k.rsaA.PublicKey, h, digest, sig) == nil
	case "PS":
		return rsa.VerifyPSS(&k.rsaA.PublicKey, h, digest, sig, nil) == nil
	case "ES":
		if header.Alg != "ES256" || len(sig) != 64 {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(&k.ecA.PublicKey, digest, r, s)
	}
	return false
}
