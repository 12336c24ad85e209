// Command nethttp is the smallest complete wiring of fhirguard into a
// FHIR server built on net/http: the server's own handlers read through
// the compartment decorator instead of the store, the SMART middleware
// checks tokens and scopes in front of them, and, when a justification is
// given, a rate limiter sits between the two.
//
//	go run ./examples/nethttp -issuer https://auth.example.org \
//		-jwks-url https://auth.example.org/.well-known/jwks.json
//
// The store is the in-memory reference store holding two synthetic
// patients; a real server passes its own compartment.Repository.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/throttle"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	issuer := flag.String("issuer", "", "issuer of the access tokens")
	jwks := flag.String("jwks-url", "", "JWKS URL of the authorization server")
	justification := flag.String("justification", "", "rate limit justification (YAML)")
	flag.Parse()

	base := "http://" + *addr + "/fhir"
	auth, err := smart.NewJWTAuthenticator(smart.JWTConfig{Issuer: *issuer, Audience: base,
		JWKSURL: *jwks})
	if err != nil {
		log.Fatal(err)
	}
	var limiter *throttle.Limiter
	if *justification != "" {
		j, err := throttle.LoadFile(*justification)
		if err == nil {
			limiter, err = throttle.New(j, throttle.Config{})
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	h, err := newServer(auth, newStore(), base, limiter)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(*addr, h))
}

// newServer wires the library around the server's handlers. limiter may
// be nil.
func newServer(auth smart.Authenticator, store compartment.Repository, base string,
	limiter *throttle.Limiter) (http.Handler, error) {
	guard, err := compartment.New(store, compartment.Config{BaseURL: base})
	if err != nil {
		return nil, err
	}
	middleware, err := smart.NewGuard(smart.GuardConfig{Authenticator: auth, BasePath: "/fhir"})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fhir/{type}/{id}", func(w http.ResponseWriter, r *http.Request) {
		res, err := guard.Read(r.Context(), r.PathValue("type"), r.PathValue("id"))
		if err != nil {
			compartment.WriteError(w, err) // 404 for another patient's resource
			return
		}
		writeJSON(w, json.RawMessage(res.JSON))
	})
	mux.HandleFunc("GET /fhir/{type}", func(w http.ResponseWriter, r *http.Request) {
		q, err := compartment.ParseQuery(r.PathValue("type"), r.URL.Query())
		if err != nil {
			compartment.WriteError(w, err)
			return
		}
		page, err := guard.Search(r.Context(), q) // constrained to the token's patient
		if err != nil {
			compartment.WriteError(w, err)
			return
		}
		writeJSON(w, searchset(page))
	})
	var h http.Handler = mux
	if limiter != nil {
		h = limiter.Handler(h)
	}
	return middleware.Handler(h), nil
}

// searchset returns a minimal searchset Bundle of a page.
func searchset(page compartment.Page) any {
	type entry struct {
		Resource json.RawMessage `json:"resource"`
	}
	b := struct {
		ResourceType string  `json:"resourceType"`
		Type         string  `json:"type"`
		Entry        []entry `json:"entry"`
	}{ResourceType: "Bundle", Type: "searchset", Entry: []entry{}}
	for _, r := range append(page.Resources, page.Included...) {
		b.Entry = append(b.Entry, entry{Resource: r.JSON})
	}
	return b
}

// writeJSON answers 200 with v as FHIR JSON, resources as stored.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/fhir+json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// newStore returns the in-memory reference store with two synthetic
// patients' data.
func newStore() compartment.Repository {
	store, err := memstore.New(memstore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	rs, err := synth.Generate(synth.Config{Patients: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rs {
		if _, err := store.Update(context.Background(), r); err != nil {
			log.Fatal(err)
		}
	}
	return store
}
