package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testenv"
)

// An endpoint nobody listens on: exit 2 with "cannot reach <endpoint>: connection
// refused", no credentials hint, and no retry storm (the run stops at the first refusal).
func TestUnreachableEndpointSaysSoWithExit2(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	path := testenv.WritePlan(t, smallPlan)
	r := runCLI(t, emulatorVars(), "run", "--endpoint", "http://"+addr, "--state", filepath.Join(t.TempDir(), "s.db"), "--quiet", path)
	want := "cannot reach http://" + addr + ": connection refused"
	if r.code != 2 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "TENCENTCLOUD_SECRET_ID") {
		t.Fatalf("code %d, want 2 and %q without the credentials hint\n%s", r.code, want, r.stderr)
	}
}

// A certificate that cannot be verified is not refused credentials.
func TestUntrustedCertificateIsNotACredentialsProblem(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached the server past an unverified certificate: %s %s", r.Method, r.URL)
	}))
	defer srv.Close()
	path := testenv.WritePlan(t, smallPlan)
	r := runCLI(t, emulatorVars(), "run", "--endpoint", srv.URL, "--state", filepath.Join(t.TempDir(), "s.db"), "--quiet", path)
	if r.code != 2 || !strings.Contains(r.stderr, "TLS certificate") || strings.Contains(r.stderr, "refused the configuration") ||
		strings.Contains(r.stderr, "TENCENTCLOUD_SECRET_ID") {
		t.Fatalf("code %d, want 2 naming the certificate, not the credentials\n%s", r.code, r.stderr)
	}
}

// cancel against an endpoint nobody listens on: one line naming it, exit 2, and no empty
// table on stdout.
func TestCancelUnreachableEndpointSaysSoInOneLine(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	path := testenv.WritePlan(t, smallPlan)
	r := runCLI(t, emulatorVars(), "cancel", "--endpoint", "http://"+addr, "--state", filepath.Join(t.TempDir(), "s.db"), path)
	want := "planrun: cannot reach http://" + addr + ": connection refused\n"
	if r.code != 2 || r.stderr != want || r.stdout != "" {
		t.Fatalf("code %d, want 2, stderr %q and no stdout\nstdout: %q\nstderr: %q", r.code, want, r.stdout, r.stderr)
	}
}
