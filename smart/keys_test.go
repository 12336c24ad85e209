package smart_test

import (
	"context"
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
	"github.com/golang-jwt/jwt/v5"
)

// tokSmallRSAKey returns a 1024-bit RSA public key (its modulus need not
// factor: the constructor refuses it by size alone).
func tokSmallRSAKey(t *testing.T) *rsa.PublicKey {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), 1023)
	return &rsa.PublicKey{N: n.Add(n, big.NewInt(1)), E: 65537}
}

func TestStaticKeySelection(t *testing.T) {
	k := tokKeys(t)
	a := smart.VerificationKey{ID: "a", Public: &k.rsaA.PublicKey}
	b := smart.VerificationKey{ID: "b", Public: &k.rsaB.PublicKey}
	bNoID := smart.VerificationKey{Public: &k.rsaB.PublicKey}
	bAsA := smart.VerificationKey{ID: "a", Public: &k.rsaB.PublicKey}
	signA := func(kid string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodRS256, k.rsaA, kid, tokClaims(nil))
		}
	}
	signB := func(kid string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return tokSign(t, jwt.SigningMethodRS256, k.rsaB, kid, tokClaims(nil))
		}
	}
	cases := []struct {
		name  string
		keys  []smart.VerificationKey
		token func(t *testing.T) string
		ok    bool
	}{
		{"key without ID verifies any kid",
			[]smart.VerificationKey{{Public: &k.rsaA.PublicKey}}, signA("rotated-7"), true},
		{"key without ID verifies a token without kid",
			[]smart.VerificationKey{{Public: &k.rsaA.PublicKey}}, signA(""), true},
		{"token without kid tries every key of its kind",
			[]smart.VerificationKey{b, a},
			signA(""), true},
		{"token without kid signed by no configured key",
			[]smart.VerificationKey{a}, signB(""), false},
		{"matching kid is preferred to a key without ID",
			[]smart.VerificationKey{bNoID, a},
			signA("a"), true},
		{"matching kid excludes the key without ID",
			[]smart.VerificationKey{bNoID, a},
			signB("a"), false},
		{"unknown kid falls back to the key without ID",
			[]smart.VerificationKey{bNoID, a},
			signB("z"), true},
		{"two keys under one kid",
			[]smart.VerificationKey{bAsA, a},
			signA("a"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := tokConfig(t)
			cfg.Keys = c.keys
			_, err := tokAuthenticator(t, cfg).Authenticate(context.Background(), c.token(t))
			if (err == nil) != c.ok {
				t.Errorf("err = %v, want accepted = %v", err, c.ok)
			}
		})
	}
}

func TestHMACOnlyAuthenticator(t *testing.T) {
	cfg := tokConfig(t)
	cfg.Keys, cfg.HMACSecret = nil, tokSecret
	a := tokAuthenticator(t, cfg)

	good := tokSign(t, jwt.SigningMethodHS256, tokSecret, "", tokClaims(nil))
	if _, err := a.Authenticate(context.Background(), good); err != nil {
		t.Fatalf("HS256 with the secret: %v", err)
	}
	other := []byte("another secret of thirty-two by")
	forged := tokSign(t, jwt.SigningMethodHS256, other, "", tokClaims(nil))
	tokCheckRejected(t, a, forged, "bad_signature", nil)
	hs512 := tokSign(t, jwt.SigningMethodHS512, tokSecret, "", tokClaims(nil))
	tokCheckRejected(t, a, hs512, "bad_signature", nil) // 32 bytes are too short for HS512
	rs := tokRS256(t, nil)
	tokCheckRejected(t, a, rs, "bad_signature", nil)
}
