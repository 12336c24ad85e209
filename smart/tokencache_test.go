package smart

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var cacheT0 = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func TestTokenCacheDeadline(t *testing.T) {
	c := newTokenCache(10)
	g := &Grant{Patient: "1"}
	k := hashToken("a")
	c.put(&k, g, cacheT0.Add(time.Minute), cacheT0)

	if got := c.get(&k, cacheT0.Add(59*time.Second)); got != g {
		t.Errorf("before the deadline: got %v, want the grant", got)
	}
	if got := c.get(&k, cacheT0.Add(time.Minute)); got != nil {
		t.Errorf("at the deadline: got %v, want nothing", got)
	}
	other := hashToken("b")
	c.put(&other, g, cacheT0, cacheT0)
	if got := c.get(&other, cacheT0.Add(-time.Second)); got != nil || c.len() != 1 {
		t.Errorf("an entry already past its deadline must not be stored")
	}
}

func TestTokenCacheStaysWithinBound(t *testing.T) {
	for _, size := range []int{1, 7, 63, 64, 100, 1000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c := newTokenCache(size)
			for i := range 5 * size {
				k := hashToken(fmt.Sprint("token-", i))
				c.put(&k, &Grant{}, cacheT0.Add(time.Hour), cacheT0)
			}
			if n := c.len(); n > size || n < size/2 {
				t.Errorf("cache holds %d entries, want at most %d (and not nearly empty)", n, size)
			}
		})
	}
}

func TestTokenCacheEvictsExpiredThenLeastRecentlyUsed(t *testing.T) {
	c := newTokenCache(2)
	a, b, d, e := hashToken("a"), hashToken("b"), hashToken("d"), hashToken("e")
	c.put(&a, &Grant{}, cacheT0.Add(time.Minute), cacheT0)
	c.put(&b, &Grant{}, cacheT0.Add(time.Hour), cacheT0)

	c.put(&d, &Grant{}, cacheT0.Add(time.Hour), cacheT0.Add(2*time.Minute))
	if c.get(&a, cacheT0) != nil || c.get(&b, cacheT0.Add(3*time.Minute)) == nil {
		t.Fatal("the expired entry must go first")
	}

	c.put(&e, &Grant{}, cacheT0.Add(time.Hour), cacheT0.Add(4*time.Minute))
	if c.get(&d, cacheT0.Add(5*time.Minute)) != nil || c.get(&b, cacheT0.Add(5*time.Minute)) == nil {
		t.Fatal("the least recently used entry (d) must go, not the one just read (b)")
	}
}

func TestTokenCacheDisabled(t *testing.T) {
	c := newTokenCache(-1)
	k := hashToken("a")
	c.put(&k, &Grant{}, cacheT0.Add(time.Hour), cacheT0)
	if c.get(&k, cacheT0) != nil {
		t.Fatal("a disabled cache must not return entries")
	}
}

func TestTokenCacheConcurrentUse(t *testing.T) {
	c := newTokenCache(100)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := hashToken(fmt.Sprint(w, "-", i%150))
				if c.get(&k, cacheT0) == nil {
					c.put(&k, &Grant{}, cacheT0.Add(time.Hour), cacheT0)
				}
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 100 {
		t.Errorf("cache holds %d entries, bound is 100", n)
	}
}

// hmacAuthenticator returns an authenticator trusting only testSecret, and
// a token it accepts.
func hmacAuthenticator(t testing.TB, cacheEntries int) (*JWTAuthenticator, func(jti string) string) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	a, err := NewJWTAuthenticator(JWTConfig{
		Issuer: "https://as", Audience: "https://fhir", HMACSecret: secret,
		CacheEntries: cacheEntries, Now: func() time.Time { return cacheT0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(jti string) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss": "https://as", "aud": "https://fhir", "exp": cacheT0.Add(time.Hour).Unix(),
			"jti": jti, "scope": "user/Observation.rs",
		}).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return a, sign
}

func TestJWTCacheHitSkipsVerification(t *testing.T) {
	a, sign := hmacAuthenticator(t, 0)
	token := sign("1")
	first, err := a.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}

	a.keys = &keySet{} // from now on, any verification fails
	if _, err := a.Authenticate(context.Background(), sign("2")); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("a new token must now fail verification; err = %v", err)
	}
	again, err := a.Authenticate(context.Background(), token)
	if err != nil || again != first {
		t.Fatalf("a cache hit must return the same grant without verifying; err = %v", err)
	}
}

func TestJWTWithoutCacheVerifiesEveryTime(t *testing.T) {
	a, sign := hmacAuthenticator(t, -1)
	token := sign("1")
	if _, err := a.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	a.keys = &keySet{}
	if _, err := a.Authenticate(context.Background(), token); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("without a cache the token must be verified again; err = %v", err)
	}
}

func TestJWTCacheHitDoesNotAllocate(t *testing.T) {
	a, sign := hmacAuthenticator(t, 0)
	token := sign("1")
	if _, err := a.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := a.Authenticate(context.Background(), token); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a cache hit allocates %v times, want 0", allocs)
	}
}
