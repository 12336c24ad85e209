// Command server is the fhirguard demo: a FHIR R4 server protected by
// every package of the library, with synthetic data to explore and a
// SMART authorization server to launch apps against.
//
//	go run ./examples/server
//
// It listens on 127.0.0.1:8080 and prints the FHIR base, the URL of a
// demo app launch to open in a browser, and shell commands that obtain a
// token and call the API. Flags:
//
//	-addr       listen address (default 127.0.0.1:8080)
//	-data       FHIR R4 JSON to load: a Bundle, .ndjson, or a folder of them;
//	            without it a deterministic synthetic data set is generated
//	-db         SQLite database file (default: in memory)
//	-patients   number of synthetic patients (default 6)
//	-quiet      do not log requests
//
// To trust an authorization server you already run instead of the
// embedded one:
//
//	-issuer              its issuer (the iss of its tokens)
//	-authorize-url       its authorization endpoint
//	-token-url           its token endpoint
//	-jwks-url            its JWKS, for JWT access tokens, or
//	-hmac-secret-file    a file holding its HS256 secret, or
//	-introspect-url      its RFC 7662 endpoint, with
//	-introspect-client   the client ID and
//	-introspect-secret-file  a file holding the secret the demo authenticates with
//	-audience            the aud of its tokens (default: the FHIR base URL)
//	-patient-claim       the claim holding the patient (default "patient")
//
// The demo serves plain HTTP for loopback use; SMART requires TLS in
// production. See package examples/server/internal/demo for how the
// pieces fit together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/fhirguard/fhirguard/examples/server/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// options are the command line flags.
type options struct {
	addr, data, db                           string
	patients                                 int
	quiet                                    bool
	issuer, authorize, token, jwks, hmacFile string
	introspect, introspectClient, secretFile string
	audience, patientClaim                   string
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&o.data, "data", "", "FHIR R4 JSON file or folder to load (Bundles or NDJSON)")
	fs.StringVar(&o.db, "db", "", "SQLite database file (default: in memory)")
	fs.IntVar(&o.patients, "patients", 6, "number of synthetic patients")
	fs.BoolVar(&o.quiet, "quiet", false, "do not log requests")
	fs.StringVar(&o.issuer, "issuer", "", "external authorization server: issuer")
	fs.StringVar(&o.authorize, "authorize-url", "",
		"external authorization server: authorize endpoint")
	fs.StringVar(&o.token, "token-url", "", "external authorization server: token endpoint")
	fs.StringVar(&o.jwks, "jwks-url", "", "external authorization server: JWKS URL")
	fs.StringVar(&o.hmacFile, "hmac-secret-file", "", "file holding the HS256 secret of tokens")
	fs.StringVar(&o.introspect, "introspect-url", "", "RFC 7662 introspection endpoint")
	fs.StringVar(&o.introspectClient, "introspect-client", "", "client ID for introspection")
	fs.StringVar(&o.secretFile, "introspect-secret-file", "",
		"file holding the introspection client secret")
	fs.StringVar(&o.audience, "audience", "", "aud of tokens (default: the FHIR base URL)")
	fs.StringVar(&o.patientClaim, "patient-claim", "",
		`claim holding the patient (default "patient")`)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return o, nil
}

// run starts the server and serves until interrupted.
func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := o.config(originOf(ln.Addr()), stderr)
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv, err := demo.New(ctx, cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() { _ = srv.Close() }()
	fmt.Fprint(stdout, srv.Banner())
	if !isLoopback(ln.Addr()) {
		fmt.Fprintln(stderr, "server: warning: listening beyond loopback; the demo's consent"+
			" page lets anyone who reaches it pick a patient, without a login")
	}
	return serve(ctx, ln, srv.Handler())
}

// config builds the demo's configuration from the flags.
func (o options) config(origin string, stderr io.Writer) (demo.Config, error) {
	level := slog.LevelInfo
	if o.quiet {
		level = slog.LevelWarn
	}
	cfg := demo.Config{Origin: origin, DataPath: o.data, DBPath: o.db, Patients: o.patients,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}
	if o.issuer == "" && o.jwks == "" && o.hmacFile == "" && o.introspect == "" {
		return cfg, nil
	}
	ext := &demo.ExternalAuth{Issuer: o.issuer, AuthorizeURL: o.authorize, TokenURL: o.token,
		JWKSURL: o.jwks, IntrospectionURL: o.introspect, IntrospectionClientID: o.introspectClient,
		Audience: o.audience, PatientClaim: o.patientClaim}
	var err error
	if ext.HMACSecret, err = readSecret(o.hmacFile); err != nil {
		return cfg, err
	}
	secret, err := readSecret(o.secretFile)
	ext.IntrospectionSecret = string(secret)
	cfg.External = ext
	return cfg, err
}

// readSecret reads a secret from a file, without its final newline, or
// returns nil for no file. Secrets are read from files, never flags,
// which other users of the machine can see.
func readSecret(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	return []byte(strings.TrimRight(string(b), "\r\n")), err
}

// originOf returns the URL clients reach the listener at: its address,
// with 127.0.0.1 for an unspecified host.
func originOf(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// isLoopback reports whether addr is on the loopback interface.
func isLoopback(addr net.Addr) bool {
	host, _, err := net.SplitHostPort(addr.String())
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// serve serves on ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
