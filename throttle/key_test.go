package throttle

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/fhirguard/fhirguard/smart"
)

func TestKey(t *testing.T) {
	proxies := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"),
	}
	cases := []struct {
		name     string
		remote   string
		xff      []string
		clientID string
		want     string
	}{
		{"grant wins over address", "192.0.2.1:1", nil, "app-1", "client:app-1"},
		{"grant wins over header", "10.0.0.1:1", []string{"198.51.100.1"}, "app-1", "client:app-1"},
		{"no grant: peer", "192.0.2.1:1234", nil, "", "addr:192.0.2.1"},
		{"bare peer address", "192.0.2.1", nil, "", "addr:192.0.2.1"},
		{"IPv6 peer", "[2001:db8::1]:443", nil, "", "addr:2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:192.0.2.1]:443", nil, "", "addr:192.0.2.1"},
		{"zoned peer", "[fe80::1%eth0]:443", nil, "", "addr:fe80::1"},
		{"spoofed header, untrusted peer", "192.0.2.1:1", []string{"198.51.100.1"}, "",
			"addr:192.0.2.1"},
		{"trusted proxy", "10.0.0.1:1", []string{"198.51.100.1"}, "", "addr:198.51.100.1"},
		{"right-most untrusted wins", "10.0.0.1:1", []string{"203.0.113.9, 198.51.100.1, 10.2.2.2"},
			"", "addr:198.51.100.1"},
		{"client-forged left entries ignored", "10.0.0.1:1",
			[]string{"1.1.1.1", "203.0.113.9,198.51.100.1"}, "", "addr:198.51.100.1"},
		{"several headers in order", "10.0.0.1:1", []string{"198.51.100.1", "10.0.0.2"}, "",
			"addr:198.51.100.1"},
		{"entry with port", "10.0.0.1:1", []string{"198.51.100.1:5555"}, "", "addr:198.51.100.1"},
		{"bracketed IPv6 entry", "10.0.0.1:1", []string{"[2001:db8::7]:80"}, "", "addr:2001:db8::7"},
		{"garbage falls back to peer", "10.0.0.1:1", []string{"not-an-ip"}, "", "addr:10.0.0.1"},
		{"garbage after client", "10.0.0.1:1", []string{"198.51.100.1, unknown"}, "",
			"addr:10.0.0.1"},
		{"empty header falls back", "10.0.0.1:1", []string{""}, "", "addr:10.0.0.1"},
		{"only trusted falls back", "10.0.0.1:1", []string{"10.9.9.9, fd00::1"}, "", "addr:10.0.0.1"},
		{"too long a chain falls back", "10.0.0.1:1",
			[]string{"198.51.100.1," + strings.Repeat("10.0.0.3,", 40) + "10.0.0.3"}, "",
			"addr:10.0.0.1"},
		{"empty client ID: address", "192.0.2.1:1", nil, "-", "addr:192.0.2.1"},
	}
	l := &Limiter{settings: settings{proxies: proxies}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/Patient", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			switch tc.clientID {
			case "":
			case "-":
				r = r.WithContext(smart.NewContext(r.Context(), &smart.Grant{}))
			default:
				r = r.WithContext(smart.NewContext(r.Context(), &smart.Grant{ClientID: tc.clientID}))
			}
			if got, ok := l.key(r); !ok || got != tc.want {
				t.Errorf("key = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

func TestKeyUnreadableAddress(t *testing.T) {
	l := &Limiter{}
	for _, remote := range []string{"", "@", "/run/fhir.sock"} {
		r := httptest.NewRequest("GET", "/Patient", nil)
		r.RemoteAddr = remote
		if key, ok := l.key(r); ok {
			t.Errorf("RemoteAddr %q gave key %q; want none (let through)", remote, key)
		}
	}
}

func FuzzForwardedFor(f *testing.F) {
	for _, seed := range []string{"198.51.100.1", "203.0.113.9, 198.51.100.1, 10.2.2.2",
		"[2001:db8::7]:80", "unknown", ",,,", "10.0.0.1, fd00::1", "::ffff:10.1.1.1",
		"1.2.3.4%eth0", strings.Repeat("10.0.0.3,", 40)} {
		f.Add(seed)
	}
	trusted := netip.MustParsePrefix("10.0.0.0/8")
	f.Fuzz(func(t *testing.T, list string) {
		addr, ok := forwardedFor(list, trusted.Contains)
		if !ok {
			return
		}
		if !addr.IsValid() || trusted.Contains(addr) || addr.Zone() != "" || addr.Is4In6() {
			t.Fatalf("forwardedFor(%q) = %v: not a plain untrusted address", list, addr)
		}
		// The address chosen is one of the entries, and every entry to
		// its right is a trusted address.
		entries := strings.Split(list, ",")
		for i := len(entries) - 1; i >= 0; i-- {
			a, ok := parseAddr(strings.TrimSpace(entries[i]))
			if !ok {
				t.Fatalf("forwardedFor(%q) skipped the malformed entry %q", list, entries[i])
			}
			if a == addr {
				return
			}
			if !trusted.Contains(a) {
				t.Fatalf("forwardedFor(%q) = %v, but %v is further right", list, addr, a)
			}
		}
		t.Fatalf("forwardedFor(%q) = %v, which is not in the list", list, addr)
	})
}
