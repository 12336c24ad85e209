// Command chi is the smallest complete wiring of fhirguard into a FHIR
// server built on the chi router: the SMART middleware and, when a
// justification is given, the rate limiter are chi middleware (both have
// the type func(http.Handler) http.Handler), and the handlers read
// through the compartment decorator instead of the store.
//
//	go run ./examples/chi -issuer https://auth.example.org \
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

	"github.com/go-chi/chi/v5"

	"github.com/fhirguard/fhirguard/compartment"
	"github.com/fhirguard/fhirguard/compartment/memstore"
	"github.com/fhirguard/fhirguard/examples/internal/synth"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/throttle"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "listen address")
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
	r, err := newRouter(auth, newStore(), base, limiter)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(*addr, r))
}

// newRouter wires the library around the server's handlers. limiter may
// be nil.
func newRouter(auth smart.Authenticator, store compartment.Repository, base string,
	limiter *throttle.Limiter) (http.Handler, error) {
	guard, err := compartment.New(store, compartment.Config{BaseURL: base})
	if err != nil {
		return nil, err
	}
	middleware, err := smart.NewGuard(smart.GuardConfig{Authenticator: auth, BasePath: "/fhir"})
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Route("/fhir", func(r chi.Router) {
		r.Use(middleware.Handler)
		if limiter != nil {
			r.Use(limiter.Handler)
		}
		r.Get("/{type}/{id}", func(w http.ResponseWriter, req *http.Request) {
			typ, id := chi.URLParam(req, "type"), chi.URLParam(req, "id")
			res, err := guard.Read(req.Context(), typ, id)
			if err != nil {
				compartment.WriteError(w, err) // 404 for another patient's resource
				return
			}
			writeJSON(w, json.RawMessage(res.JSON))
		})
		r.Get("/{type}", func(w http.ResponseWriter, req *http.Request) {
			q, err := compartment.ParseQuery(chi.URLParam(req, "type"), req.URL.Query())
			if err != nil {
				compartment.WriteError(w, err)
				return
			}
			page, err := guard.Search(req.Context(), q) // constrained to the token's patient
			if err != nil {
				compartment.WriteError(w, err)
				return
			}
			writeJSON(w, searchset(page))
		})
	})
	return r, nil
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
