package demo

import (
	"html/template"
	"log/slog"
	"net/http"
	"time"
)

// logRequests logs every request by method, path and status, and how
// long it took. The query is never logged: search values are personal
// data.
func logRequests(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		l.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)))
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and writes it.
func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// cors lets browser apps on any origin call the FHIR API with a bearer
// token: it answers preflight requests itself and marks every response
// readable. No cookie is ever sent to the API, so allowing every origin
// exposes nothing a token does not already grant.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Location, ETag, WWW-Authenticate, Retry-After")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			h.Set("Access-Control-Allow-Headers",
				"Authorization, Content-Type, Accept, Prefer, If-None-Exist, If-Match")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// indexPage is the page at /, with links to what a person can try.
var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>fhirguard demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
code{background:#f4f4f4}</style></head><body>
<h1>fhirguard demo server</h1>
<p>A FHIR R4 server protected by SMART on FHIR authorization, the Patient compartment
and a justified rate limit. Synthetic data only: never use it for real patients.</p>
<ul>
{{if .Launch}}<li><a href="{{.Launch}}">Launch the demo app</a>: pick a patient, untick
scopes, approve, and get a token to call the API with.</li>{{end}}
<li>FHIR base: <code>{{.Base}}</code></li>
<li><a href="{{.Base}}/metadata">CapabilityStatement</a></li>
<li><a href="{{.Base}}/.well-known/smart-configuration">SMART configuration</a></li>
</ul></body></html>
`))

// index serves the page at /.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = indexPage.Execute(w, struct{ Base, Launch string }{s.FHIRBase, s.LaunchURL})
}
