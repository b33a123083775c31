package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// doubled reports a step named twice in a row in a message ("state: state", "refresh:
// refresh:", "stopped: stopped:").
func doubled(s string) string {
	for _, w := range []string{"stopped: stopped", "refresh: refresh", "state: state", ": run: run:", ": status: status:"} {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// Messages name each step once: a state file that is not planrun's, a refresh the service
// refuses, an endpoint that cannot be reached.
func TestMessagesNameEachStepOnce(t *testing.T) {
	dir := t.TempDir()
	path := testenv.WritePlan(t, smallPlan)

	foreign := filepath.Join(dir, "foreign.db")
	if err := os.WriteFile(foreign, []byte("not a database, not at all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, emulatorVars(), "run", "--emulator", "--state", foreign, path)
	if r.code != 2 || !strings.Contains(r.stderr, "state "+foreign+": not a planrun state file") || doubled(r.stderr) != "" {
		t.Errorf("foreign state: exit %d, %q", r.code, r.stderr)
	}

	// A run against a healthy service, then a refresh that it refuses (400).
	emu := emulator.New(emulator.Options{})
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if refuse.Load() {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("<Response><Code>InvalidArgument</Code><Message>no</Message><RequestId>r1</RequestId></Response>"))
			return
		}
		emu.ServeHTTP(w, req)
	}))
	defer srv.Close()
	st := filepath.Join(dir, "s.db")
	if r := runCLI(t, emulatorVars(), "run", "--endpoint", srv.URL, "--state", st, "--qps", "0", "--quiet", path); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	refuse.Store(true)
	r = runCLI(t, emulatorVars(), "status", "--refresh", "--endpoint", srv.URL, "--state", st, path)
	if r.code == 0 || !strings.Contains(r.stderr, "refresh") || doubled(r.stderr) != "" {
		t.Errorf("refused refresh: exit %d, %q", r.code, r.stderr)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r = runCLI(t, emulatorVars(), "run", "--endpoint", "http://"+addr, "--state", filepath.Join(dir, "u.db"), path)
	if r.code != 2 || doubled(r.stdout+r.stderr) != "" || !strings.Contains(r.stdout, "the run stopped: cannot reach http://"+addr) {
		t.Errorf("unreachable: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
