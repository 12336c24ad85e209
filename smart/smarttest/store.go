package smarttest

import (
	"crypto/rand"
	"sync"
	"time"
)

// pendingRequest is an authorization request waiting for the patient's
// answer on the consent page. It never leaves the server: the page carries
// only its random ID, so the redirect URI, challenge and requested scopes
// cannot be changed by editing the form.
type pendingRequest struct {
	clientID    string
	redirectURI string
	state       string
	challenge   string
	nonce       string
	scopes      []string // requested, distinct, in request order
	browser     string   // the CSRF cookie of the browser that opened it
	expires     time.Time
}

// authCode is an issued authorization code and what it was bound to.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	approval    approval
	expires     time.Time
	used        bool
	grantID     string // the grant created when the code was redeemed
}

// approval is what the patient approved.
type approval struct {
	patient string
	scopes  []string
	nonce   string
}

// store holds the server's mutable state. All methods are safe for
// concurrent use. Expired entries are swept at most once a minute.
type store struct {
	mu        sync.Mutex
	pending   map[string]*pendingRequest
	codes     map[string]*authCode
	grants    map[string]*grant
	refresh   map[string]*refreshRecord
	access    map[string]*accessRecord
	lastSweep time.Time

	// maxPending bounds the consent requests waiting for an answer,
	// since anyone may open the authorization endpoint.
	maxPending int
}

// defaultMaxPending is the maxPending of a new store.
const defaultMaxPending = 10000

func newStore() *store {
	return &store{
		maxPending: defaultMaxPending,
		pending:    make(map[string]*pendingRequest),
		codes:      make(map[string]*authCode),
		grants:     make(map[string]*grant),
		refresh:    make(map[string]*refreshRecord),
		access:     make(map[string]*accessRecord),
	}
}

// addPending stores p and returns its ID. ok is false when maxPending
// requests are already waiting, even after expired ones are swept.
func (s *store) addPending(p *pendingRequest, now time.Time) (id string, ok bool) {
	id = randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()

	s.sweep(now)
	if len(s.pending) >= s.maxPending {
		s.lastSweep = time.Time{} // sweep now, whenever the last sweep was
		s.sweep(now)
	}
	if len(s.pending) >= s.maxPending {
		return "", false
	}
	s.pending[id] = p
	return id, true
}

// takePending removes and returns the pending request id, if it exists and
// has not expired. A pending request is answered once.
func (s *store) takePending(id string, now time.Time) (*pendingRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	p, ok := s.pending[id]
	delete(s.pending, id)
	return p, ok && now.Before(p.expires)
}

// addCode stores c and returns the code.
func (s *store) addCode(c *authCode, now time.Time) string {
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()

	s.sweep(now)
	s.codes[code] = c
	return code
}

// useCode marks a code used and returns a copy of it. ok is false when the
// code is unknown or was used before; a second use also revokes the grant
// created by the first, as RFC 6749 section 4.1.2 advises.
func (s *store) useCode(code string) (c authCode, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	rec, found := s.codes[code]
	if !found {
		return authCode{}, false
	}
	if rec.used {
		s.revokeGrant(rec.grantID)
		return *rec, false
	}
	rec.used = true
	return *rec, true
}

// randomToken returns 256 random bits, base64url-encoded: the form of every
// code, refresh token, pending request ID and CSRF cookie.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes instead
	return b64(b)
}
