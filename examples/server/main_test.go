package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-patients", "3", "-db", "x.db"}, io.Discard)
	if err != nil || o.addr != "127.0.0.1:0" || o.patients != 3 || o.db != "x.db" {
		t.Errorf("parseFlags = %+v, %v", o, err)
	}
	for _, args := range [][]string{{"-nothing"}, {"extra"}, {"-patients", "x"}} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}

func TestConfigFromFlags(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("a secret of thirty-two bytes or more!!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := options{issuer: "https://a.test", authorize: "https://a.test/a", token: "https://a.test/t",
		hmacFile: secret, patientClaim: "context.patient"}
	cfg, err := o.config("http://127.0.0.1:1", io.Discard)
	if err != nil || cfg.External == nil || string(cfg.External.HMACSecret) !=
		"a secret of thirty-two bytes or more!!" || cfg.External.PatientClaim != "context.patient" {
		t.Errorf("config = %+v, %v", cfg.External, err)
	}
	cfg, err = (options{}).config("http://127.0.0.1:1", io.Discard)
	if err != nil || cfg.External != nil {
		t.Errorf("config without an external server = %+v, %v", cfg.External, err)
	}
	missing := options{issuer: "x", hmacFile: filepath.Join(dir, "none")}
	if _, err := missing.config("", io.Discard); err == nil {
		t.Error("a missing secret file was accepted")
	}
}

func TestOriginOf(t *testing.T) {
	for addr, want := range map[string]struct {
		origin   string
		loopback bool
	}{
		"127.0.0.1:8080": {"http://127.0.0.1:8080", true},
		"0.0.0.0:8080":   {"http://127.0.0.1:8080", false},
		"[::]:8080":      {"http://127.0.0.1:8080", false},
		"[::1]:8080":     {"http://[::1]:8080", true},
		"10.1.2.3:8080":  {"http://10.1.2.3:8080", false},
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := originOf(tcp); got != want.origin {
			t.Errorf("originOf(%s) = %s, want %s", addr, got, want.origin)
		}
		if got := isLoopback(tcp); got != want.loopback {
			t.Errorf("isLoopback(%s) = %v", addr, got)
		}
	}
}
