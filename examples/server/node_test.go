package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fhirguard/fhirguard/examples/server/internal/demo"
)

// TestFHIRClientLaunch runs a standalone launch against the demo with a
// SMART client no one here wrote: the npm package fhirclient, driven by
// testdata/e2e/launch.js under Node. The script picks patient p3 and
// unticks patient/Condition.rs on the consent page.
//
// It needs node and the script's dependencies (npm ci --omit=optional in
// testdata/e2e, which .ci/run does). Without them it skips, except when
// CI=true, where their absence fails the test.
func TestFHIRClientLaunch(t *testing.T) {
	dir := filepath.Join("testdata", "e2e")
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "fhirclient")); err != nil {
		missing(t, "fhirclient is not installed: run npm ci --omit=optional in "+dir)
	}
	base := startDemo(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "launch.js", base, "p3", "patient/Condition.rs")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("launch.js: %v\n%s%s", err, out, stderr)
	}
	var got struct {
		Patient         string   `json:"patient"`
		Scope           string   `json:"scope"`
		Vitals          int      `json:"vitals"`
		VitalSubjects   []string `json:"vitalSubjects"`
		ConditionStatus int      `json:"conditionStatus"`
		OtherStatus     int      `json:"otherStatus"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("launch.js printed %s", out)
	}
	switch {
	case got.Patient != "p3":
		t.Errorf("the client read Patient/%s, want p3", got.Patient)
	case got.Vitals != 24 || !slices.Equal(got.VitalSubjects, []string{"Patient/p3"}):
		t.Errorf("vital signs: %d of %v, want 24 of Patient/p3", got.Vitals, got.VitalSubjects)
	case strings.Contains(got.Scope, "Condition") || got.ConditionStatus != http.StatusForbidden:
		t.Errorf("unticked Condition scope: granted %q, search %d, want 403", got.Scope,
			got.ConditionStatus)
	case got.OtherStatus != http.StatusNotFound:
		t.Errorf("another patient: %d, want 404", got.OtherStatus)
	}
}

// missing skips the test, or fails it under CI=true.
func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// startDemo starts the demo on a loopback port and returns its FHIR base.
func startDemo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := demo.New(context.Background(), demo.Config{Origin: originOf(ln.Addr()),
		Patients: 5})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		_ = hs.Close()
		_ = srv.Close()
	})
	return srv.FHIRBase
}
