package main

import (
	"net/http"
	"testing"

	"github.com/fhirguard/fhirguard/examples/internal/wiringtest"
	"github.com/fhirguard/fhirguard/smart"
	"github.com/fhirguard/fhirguard/throttle"
)

func TestWiring(t *testing.T) {
	wiringtest.Run(t, func(auth smart.Authenticator, base string,
		limiter *throttle.Limiter) (http.Handler, error) {
		return newServer(auth, newStore(), base, limiter)
	})
}
