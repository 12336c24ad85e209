package smarttest

import (
	"crypto"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/fhirguard/fhirguard/smart"
)

// Server is an in-process SMART App Launch authorization server. Build
// one with [New] to mount its handler in an existing server, or with
// [Start] to run it on its own loopback listener.
//
// A Server is safe for concurrent use. Its state (pending consents, codes,
// grants, revocations) lives in memory and is lost when it is discarded.
// The zero value is not usable.
type Server struct {
	cfg       Config
	patients  map[string]Patient
	clients   map[string]Client
	keys      *keySet
	launchKey *signingKey
	store     *store
	mux       *http.ServeMux
	discovery http.Handler
	config    smart.Configuration
	strangers strangerKeys

	// Set by Start only.
	httpServer *http.Server
	served     chan struct{}
	closeOnce  sync.Once
}

// New validates cfg and returns a Server to mount as an [http.Handler]. The
// issuer is cfg.Issuer, which is required: the server's endpoints are the
// paths below the issuer's path, matched on the full request path. For an
// issuer of "http://127.0.0.1:8080/auth", mount the server at "/auth/" of
// the server listening on 127.0.0.1:8080, without stripping the prefix:
//
//	mux.Handle("/auth/", authServer)
//
// New generates the signing keys cfg does not supply.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	keys, err := newKeySet(cfg.RSAKey, cfg.ECKey)
	if err != nil {
		return nil, err
	}

	s := &Server{cfg: cfg, keys: keys, store: newStore()}
	s.launchKey, _ = keys.byAlgorithm(cfg.Algorithm) // validated above
	s.patients = make(map[string]Patient, len(cfg.Patients))
	for _, p := range cfg.Patients {
		s.patients[p.ID] = p
	}
	s.clients = make(map[string]Client, len(cfg.Clients))
	for _, c := range cfg.Clients {
		s.clients[c.ID] = c
	}
	s.config = s.configuration()
	if s.discovery, err = smart.NewDiscoveryHandler(s.config); err != nil {
		return nil, fmt.Errorf("smarttest: building discovery document: %w", err)
	}
	s.mux = s.routes()
	return s, nil
}

// Start validates cfg and starts a Server on a new listener on the
// loopback interface (127.0.0.1, or [::1] when IPv4 is unavailable), like
// [net/http/httptest.NewServer]. The issuer is the listener's URL, such as
// "http://127.0.0.1:41235", so cfg.Issuer must be empty. Call
// [Server.Close] when done.
func Start(cfg Config) (*Server, error) {
	if cfg.Issuer != "" {
		return nil, fmt.Errorf("%w: Issuer must be empty: Start sets it from its listener", ErrConfig)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("smarttest: listening on loopback: %w", err)
		}
	}
	cfg.Issuer = "http://" + l.Addr().String()
	s, err := New(cfg)
	if err != nil {
		_ = l.Close()
		return nil, err
	}

	s.httpServer = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.httpServer.Serve(l) // returns when Close closes the listener
	}()
	return s, nil
}

// Close stops a Server started with [Start]: it closes the listener and
// every connection, and waits for the server to stop. On a Server from
// [New], whose handler the caller serves, Close does nothing. Close may
// be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.httpServer == nil {
			return
		}
		_ = s.httpServer.Close() // Serve returns once this is called
		<-s.served
	})
}

// Issuer returns the issuer URL, without a trailing slash: the iss claim
// of the server's tokens and the base of its endpoints.
func (s *Server) Issuer() string { return s.cfg.Issuer }

// PublicKeys returns the public keys that verify the server's tokens, by
// key ID (the kid header of each token): an *rsa.PublicKey for RS256 and an
// *ecdsa.PublicKey for ES256. The same keys are published at the JWKS URL.
// Use them to configure a token validator with static keys.
func (s *Server) PublicKeys() map[string]crypto.PublicKey { return s.keys.publicKeys() }

// ServeHTTP serves the endpoints below the issuer's path; see the package
// documentation for the list. Other paths get 404, and a known path with
// the wrong method gets 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// routes builds the mux of the endpoints below the issuer's path.
func (s *Server) routes() *http.ServeMux {
	p := issuerPath(s.cfg.Issuer)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p+pathAuthorize, s.authorize)
	mux.HandleFunc("POST "+p+pathAuthorize, s.postConsent)
	mux.HandleFunc("POST "+p+pathToken, s.token)
	mux.HandleFunc("OPTIONS "+p+pathToken, preflight)
	mux.HandleFunc("POST "+p+pathIntrospect, s.introspect)
	mux.HandleFunc("POST "+p+pathRevoke, s.revoke)
	mux.HandleFunc("OPTIONS "+p+pathRevoke, preflight)
	mux.HandleFunc("GET "+p+pathJWKS, s.jwks)
	mux.Handle("GET "+p+pathSMARTConfiguration, s.discovery)
	mux.HandleFunc("GET "+p+pathOpenIDConfiguration, s.openIDConfiguration)
	return mux
}

// now returns the current time from the configured clock.
func (s *Server) now() time.Time { return s.cfg.Now() }

// jwks serves the JSON Web Key Set.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	allowCORS(w)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.keys.jwks())
}

// allowCORS lets browser apps on any origin read the response.
func allowCORS(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
}

// preflight answers a CORS preflight request for a POST endpoint, so that
// browser apps may send an Authorization header to it.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	allowCORS(w)
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
