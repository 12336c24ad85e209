package throttle

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/fhirguard/fhirguard/smart/audit"
)

// ErrConfig is matched by the error [New] returns for an invalid [Config].
var ErrConfig = errors.New("throttle: invalid config")

// Config adjusts how a [Limiter] runs. It holds no limit of its own: the
// limit, the same for every key, comes from the [Justification], and there
// is deliberately no way to set a different one for a client, a class of
// clients or a vendor, nor to choose how requests are keyed. The zero value
// is a valid configuration: the wall clock, no audit records, the
// in-process store with [DefaultMaxKeys] keys, and no trusted proxy.
type Config struct {
	// Now returns the current time. Nil means time.Now. Tests set it to
	// fixed instants.
	Now func() time.Time

	// Audit receives a record for every limited request, for the end of
	// the window and for store outages. Nil discards them.
	Audit audit.Hook

	// Store keeps the token buckets. Nil means the in-process store,
	// bounded by MaxKeys. A Store shared between replicas, such as the
	// Redis store in package redisstore, gives the fleet one budget.
	Store Store

	// MaxKeys bounds the number of keys the in-process store tracks. Zero
	// means DefaultMaxKeys. When the table is full and nothing can be
	// evicted, requests from new keys pass unlimited and the event is
	// reported; a full table never denies a request. MaxKeys must be zero
	// when Store is set.
	MaxKeys int

	// TrustedProxies lists the reverse proxies whose X-Forwarded-For
	// header is believed. Before authentication a request is keyed by its
	// client's IP address: the address of the immediate peer
	// (http.Request.RemoteAddr), unless that peer lies in one of these
	// prefixes. Then the key is the right-most address of
	// X-Forwarded-For (all such headers, in order) that is not itself a
	// trusted proxy. The rule fails closed: when the peer is not trusted,
	// or the header is absent, malformed or holds only trusted addresses,
	// the peer's address is the key, so a client can never choose its own
	// key by sending the header. Nil trusts no proxy.
	TrustedProxies []netip.Prefix
}

// settings is a validated Config with its defaults filled in.
type settings struct {
	now     func() time.Time
	hook    audit.Hook
	store   Store // nil for the in-process store
	maxKeys int
	proxies []netip.Prefix
}

// settle validates cfg and fills in its defaults.
func (cfg Config) settle() (settings, error) {
	s := settings{now: cfg.Now, hook: cfg.Audit, store: cfg.Store}
	if s.now == nil {
		s.now = time.Now
	}
	switch {
	case cfg.MaxKeys < 0:
		return s, fmt.Errorf("%w: MaxKeys %d is negative", ErrConfig, cfg.MaxKeys)
	case cfg.MaxKeys > 0 && cfg.Store != nil:
		return s, fmt.Errorf("%w: MaxKeys applies to the in-process store only; "+
			"leave it zero when Store is set", ErrConfig)
	}
	s.maxKeys = cmp.Or(cfg.MaxKeys, DefaultMaxKeys)
	for i, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return s, fmt.Errorf("%w: TrustedProxies[%d] is not a valid prefix", ErrConfig, i)
		}
		s.proxies = append(s.proxies, unmapPrefix(p))
	}
	return s, nil
}

// unmapPrefix turns an IPv4-mapped IPv6 prefix into its IPv4 form, since
// addresses are compared unmapped.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked()
}
