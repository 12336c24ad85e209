package demo

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/examples/internal/fhirapi"
	"github.com/fhirguard/fhirguard/examples/internal/sqlstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/smart/audit"
	"github.com/fhirguard/fhirguard/smart/smarttest"
	"github.com/fhirguard/fhirguard/throttle"
)

// Server is the assembled demo server. Build it with [New] and serve
// [Server.Handler]; call [Server.Close] when done. It is safe for
// concurrent use.
type Server struct {
	// FHIRBase is the FHIR base URL, Origin + "/fhir".
	FHIRBase string

	// LaunchURL is the URL of the demo app's launch, or "" with an
	// external authorization server.
	LaunchURL string

	origin   string
	store    *sqlstore.Store
	auth     *auth
	patients []synth.Patient
	limiter  *throttle.Limiter
	handler  http.Handler
}

// New builds the demo server: it opens the store, loads the data,
// measures the store for the rate limit's justification, and wires the
// library's packages around the FHIR API.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	store, err := sqlstore.Open(ctx, sqlstore.Config{Path: cfg.DBPath, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	s := &Server{FHIRBase: cfg.Origin + "/fhir", origin: cfg.Origin, store: store}
	if err := s.build(ctx, &cfg); err != nil {
		_ = store.Close()
		return nil, err
	}
	return s, nil
}

// build loads the data and assembles the handlers.
func (s *Server) build(ctx context.Context, cfg *Config) error {
	if err := loadData(ctx, cfg, s.store); err != nil {
		return err
	}
	var err error
	if s.patients, err = patients(ctx, s.store); err != nil {
		return err
	}
	if s.auth, err = s.authFor(cfg); err != nil {
		return err
	}
	j, err := justification(ctx, s.store, cfg.Now(), s.patients[0].ID, cfg.Limit)
	if err != nil {
		return err
	}
	hook := audit.Slog(cfg.Logger)
	if s.limiter, err = throttle.New(j, throttle.Config{Now: cfg.Now, Audit: hook}); err != nil {
		return fmt.Errorf("demo: the rate limit's justification: %w", err)
	}
	api, guard, err := s.fhir(cfg, hook)
	if err != nil {
		return err
	}
	s.handler = logRequests(cfg.Logger, s.routes(cors(guard.Handler(s.limiter.Handler(api)))))
	return nil
}

// authFor returns the embedded or the external authorization server.
func (s *Server) authFor(cfg *Config) (*auth, error) {
	if cfg.External != nil {
		return externalAuth(cfg.External, s.FHIRBase)
	}
	s.LaunchURL = s.origin + "/app/launch"
	return embeddedAuth(s.origin, s.patients)
}

// fhir assembles the FHIR API: the compartment decorator around the
// store, the API handler on it, and the SMART middleware in front.
func (s *Server) fhir(cfg *Config, hook audit.Hook) (http.Handler, *smart.Guard, error) {
	repo, err := compartment.New(s.store, compartment.Config{Audit: hook, Now: cfg.Now,
		BaseURL: s.FHIRBase})
	if err != nil {
		return nil, nil, err
	}
	guard, err := smart.NewGuard(smart.GuardConfig{Authenticator: s.auth.authenticator,
		BasePath: "/fhir", Realm: "fhirguard-demo", Audit: hook, Now: cfg.Now})
	if err != nil {
		return nil, nil, err
	}
	security := s.auth.discovery.SecurityComponent()
	api, err := fhirapi.New(fhirapi.Config{Repository: repo, BaseURL: s.FHIRBase,
		Security: &security, Transaction: s.store.Transaction, ParseEntry: guard.ParseEntry,
		Now: cfg.Now})
	if err != nil {
		return nil, nil, err
	}
	return api, guard, nil
}

// routes mounts the FHIR API, discovery, the authorization server and
// the demo app.
func (s *Server) routes(fhir http.Handler) http.Handler {
	mux := http.NewServeMux()
	discovery, err := smart.NewDiscoveryHandler(s.auth.discovery)
	if err != nil {
		discovery = http.NotFoundHandler() // validated when built; cannot happen
	}
	mux.Handle("/fhir/.well-known/smart-configuration", cors(discovery))
	mux.Handle("/fhir/", fhir)
	mux.Handle("/fhir", fhir) // system search and batch: [base]?... and POST [base]
	mux.HandleFunc("/", s.index)
	if s.auth.embedded != nil {
		a := &app{origin: s.origin, token: inProcessClient(s.auth.embedded),
			now: time.Now, pending: make(map[string]launch)}
		mux.Handle("/auth/", s.auth.embedded)
		mux.HandleFunc("GET /app/launch", a.start)
		mux.HandleFunc("GET /app/callback", a.callback)
	}
	return mux
}

// Handler returns the server's handler.
func (s *Server) Handler() http.Handler { return s.handler }

// AuthServer returns the embedded authorization server, or nil with an
// external one. Tests mint tokens with it.
func (s *Server) AuthServer() *smarttest.Server { return s.auth.embedded }

// Patients returns the patients offered on the consent page.
func (s *Server) Patients() []synth.Patient { return append([]synth.Patient(nil), s.patients...) }

// Justification returns the rate limit's justification.
func (s *Server) Justification() throttle.Justification { return s.limiter.Justification() }

// Close closes the store. An in-memory database is lost.
func (s *Server) Close() error { return s.store.Close() }
