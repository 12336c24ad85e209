package throttle

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/fhirguard/fhirguard/smart"
)

// maxForwarded bounds how many X-Forwarded-For entries are examined; a
// longer chain of trusted proxies is treated as malformed.
const maxForwarded = 32

// key returns the bucket key of r: the OAuth client of its grant, or else
// its client's IP address. It reports false when r has neither, such as a
// request over a Unix socket without a grant; such a request is let
// through, since a shared key would throttle every client on that socket
// together.
func (l *Limiter) key(r *http.Request) (string, bool) {
	if g, ok := smart.FromContext(r.Context()); ok && g.ClientID != "" {
		return "client:" + g.ClientID, true
	}
	addr, ok := l.clientAddr(r)
	if !ok {
		return "", false
	}
	return "addr:" + addr.String(), true
}

// clientAddr returns the client's IP address, following
// Config.TrustedProxies.
//
// Known gaps. Only X-Forwarded-For is read; the standard Forwarded header
// (RFC 7239) is ignored, so behind a proxy that sends only Forwarded every
// client shares the proxy's key until it authenticates. An IPv6 client is
// keyed by its full address, so one that rotates through the addresses of
// its /64 network gets a bucket for each: it is limited less, never more.
func (l *Limiter) clientAddr(r *http.Request) (netip.Addr, bool) {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok || !l.trusted(peer) {
		return peer, ok
	}
	header := r.Header.Values("X-Forwarded-For")
	if addr, ok := forwardedFor(strings.Join(header, ","), l.trusted); ok {
		return addr, true
	}
	return peer, true
}

// trusted reports whether a lies in one of the trusted proxy prefixes.
func (l *Limiter) trusted(a netip.Addr) bool {
	for _, p := range l.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor returns the right-most address of an X-Forwarded-For list
// that trusted does not accept. It reports false, so that the caller falls
// back to the peer, when the list is empty, holds an entry that is not an
// IP address before such an address is found, is longer than maxForwarded,
// or holds only trusted addresses.
func forwardedFor(list string, trusted func(netip.Addr) bool) (netip.Addr, bool) {
	for n := 0; n < maxForwarded && list != ""; n++ {
		entry := list
		if i := strings.LastIndexByte(list, ','); i >= 0 {
			entry, list = list[i+1:], list[:i]
		} else {
			list = ""
		}
		addr, ok := parseAddr(strings.TrimSpace(entry))
		if !ok {
			return netip.Addr{}, false
		}
		if !trusted(addr) {
			return addr, true
		}
	}
	return netip.Addr{}, false
}

// parseAddr reads an IP address, with or without a port, as a peer address
// or an X-Forwarded-For entry may be written. The address is returned
// without IPv4-in-IPv6 mapping or zone, so that one client has one key.
func parseAddr(s string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}
