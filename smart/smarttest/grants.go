package smarttest

import "time"

// grant is one authorization: a redeemed code and the tokens that descend
// from it. Revoking it invalidates all of them.
type grant struct {
	clientID string
	approval approval
	revoked  bool
	lastExp  time.Time // the latest expiry of any token of the grant
}

// refreshRecord is one refresh token. A token is rotated when used; using
// a rotated token again revokes its grant (the token was stolen or
// replayed).
type refreshRecord struct {
	grantID string
	expires time.Time
	rotated bool
}

// accessRecord is one access token, by jti.
type accessRecord struct {
	grantID string // empty for minted tokens
	expires time.Time
	revoked bool
}

// addGrant stores a new grant created from code and returns its ID. The
// grant lives until the last of its tokens expires.
func (s *store) addGrant(g *grant, code string, now time.Time) string {
	id := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()

	g.lastExp = now.Add(time.Minute) // kept until its first tokens are added
	s.grants[id] = g
	if c, ok := s.codes[code]; ok {
		c.grantID = id
	}
	return id
}

// addAccess records an access token so that it can be revoked and
// introspected.
func (s *store) addAccess(jti, grantID string, exp, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.sweep(now)
	s.access[jti] = &accessRecord{grantID: grantID, expires: exp}
	if g, ok := s.grants[grantID]; ok && exp.After(g.lastExp) {
		g.lastExp = exp
	}
}

// addRefresh records a refresh token of grant grantID.
func (s *store) addRefresh(token, grantID string, exp time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.refresh[token] = &refreshRecord{grantID: grantID, expires: exp}
	if g, ok := s.grants[grantID]; ok && exp.After(g.lastExp) {
		g.lastExp = exp
	}
}

// useRefresh rotates a refresh token of client clientID and returns the
// grant it belongs to, with the grant's ID. It fails with invalid_grant
// when the token is unknown, expired, revoked or issued to another client,
// and with the error of check, called on the grant before the token is
// rotated. A token used a second time revokes its whole grant, since one
// of its two users must have stolen it.
func (s *store) useRefresh(token, clientID string, now time.Time,
	check func(*grant) *oauthError) (grant, string, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()

	r, ok := s.refresh[token]
	if !ok || !now.Before(r.expires) {
		return grant{}, "", invalidGrant("refresh token unknown or expired")
	}
	g, ok := s.grants[r.grantID]
	switch {
	case !ok || g.revoked:
		return grant{}, "", invalidGrant("refresh token revoked")
	case g.clientID != clientID:
		return grant{}, "", invalidGrant("refresh token was issued to another client")
	case r.rotated:
		g.revoked = true
		return grant{}, "", invalidGrant("refresh token already used; its grant is now revoked")
	}
	if err := check(g); err != nil {
		return grant{}, "", err
	}
	r.rotated = true
	return *g, r.grantID, nil
}

// refreshGrant returns the grant of a refresh token that can still be used,
// and the token's expiry.
func (s *store) refreshGrant(token string, now time.Time) (grant, time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	r, ok := s.refresh[token]
	if !ok || r.rotated || !now.Before(r.expires) {
		return grant{}, time.Time{}, false
	}
	g, ok := s.grants[r.grantID]
	if !ok || g.revoked {
		return grant{}, time.Time{}, false
	}
	return *g, r.expires, true
}

// refreshClient returns the client a refresh token was issued to, whether
// or not it can still be used.
func (s *store) refreshClient(token string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	r, ok := s.refresh[token]
	if !ok {
		return "", false
	}
	g, ok := s.grants[r.grantID]
	if !ok {
		return "", false
	}
	return g.clientID, true
}

// accessActive reports whether the access token jti was issued here and
// neither it nor its grant was revoked. Expiry is checked from the token.
func (s *store) accessActive(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	a, ok := s.access[jti]
	if !ok || a.revoked {
		return false
	}
	if a.grantID == "" {
		return true
	}
	g, ok := s.grants[a.grantID]
	return ok && !g.revoked
}

// revokeAccess revokes the access token jti.
func (s *store) revokeAccess(jti string) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if a, ok := s.access[jti]; ok {
		a.revoked = true
	}
}

// revokeRefresh revokes the grant of a refresh token: the token, the
// tokens rotated from it and every access token issued under it.
func (s *store) revokeRefresh(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if r, ok := s.refresh[token]; ok {
		s.revokeGrant(r.grantID)
	}
}

// revokeGrant marks a grant revoked. The caller holds s.mu.
func (s *store) revokeGrant(id string) {
	if g, ok := s.grants[id]; ok {
		g.revoked = true
	}
}

// sweep deletes what has expired, at most once a minute. The caller holds
// s.mu.
func (s *store) sweep(now time.Time) {
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now

	deleteExpired(s.pending, now, func(p *pendingRequest) time.Time { return p.expires })
	deleteExpired(s.codes, now, func(c *authCode) time.Time { return c.expires })
	deleteExpired(s.refresh, now, func(r *refreshRecord) time.Time { return r.expires })
	deleteExpired(s.access, now, func(a *accessRecord) time.Time { return a.expires })
	deleteExpired(s.grants, now, func(g *grant) time.Time { return g.lastExp })
}

// deleteExpired deletes the entries of m whose expiry is before now.
func deleteExpired[V any](m map[string]V, now time.Time, expiry func(V) time.Time) {
	for k, v := range m {
		if expiry(v).Before(now) {
			delete(m, k)
		}
	}
}
