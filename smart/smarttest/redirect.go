package smarttest

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
)

// parseRedirectURI checks that s is an absolute http or https URL with a
// host and without a fragment or user information, as RFC 6749 section
// 3.1.2 asks of a redirection endpoint.
func parseRedirectURI(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, errors.New("must be an absolute http or https URL")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, errors.New("must not have a fragment")
	case u.User != nil:
		return nil, errors.New("must not carry user information")
	}
	return u, nil
}

// isLoopback reports whether u names the loopback interface by the
// literal addresses 127.0.0.1 or [::1], or the name localhost, with any
// port and path, in the manner of RFC 8252 section 7.3. Any client may
// use such a redirect URI: only a program on the same machine can
// receive the redirect.
func isLoopback(u *url.URL) bool {
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// redirectAllowed reports whether client may use the redirect URI raw:
// a loopback URI for any client, or a URI registered for the client,
// compared exactly.
func (s *Server) redirectAllowed(clientID, raw string) error {
	u, err := parseRedirectURI(raw)
	if err != nil {
		return err
	}
	if isLoopback(u) {
		return nil
	}
	if c, ok := s.clients[clientID]; ok && slices.Contains(c.RedirectURIs, raw) {
		return nil
	}
	return errors.New("is neither a loopback URI nor registered for the client")
}

// withParams returns the redirect URI raw with params added to its query,
// keeping the query it already has (RFC 6749 section 3.1.2). raw must
// have passed parseRedirectURI.
func withParams(raw string, params url.Values) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Add(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
