package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// TestReliabilityPlainHTTPToARemoteHostIsRefused checks that plain http to a host that is
// not loopback is refused (exit 2) before anything is dialled or opened, for every command
// that talks to the service, unless --insecure. The address is TEST-NET-3 (203.0.113.0/24,
// never routed); the refusal comes from checking the endpoint, so the test never reaches
// the network: it needs the insecure-endpoint error, exit 2, and no state file created.
func TestReliabilityPlainHTTPToARemoteHostIsRefused(t *testing.T) {
	ctx := relCtx(t, time.Minute)
	dir := t.TempDir()
	planPath := testenv.Sized("transport", 12).Write(t, dir)
	state := filepath.Join(dir, "state.db")
	for _, endpoint := range []string{
		"http://203.0.113.1:9",
		"http://{bucket}.ci.{region}.203.0.113.1.nip.io",
		"http://[2001:db8::1]:9000",
	} {
		for _, args := range [][]string{
			{"run", "--endpoint", endpoint, "--state", state, "--timeout", "1s", planPath},
			{"cancel", "--endpoint", endpoint, "--state", state, "--timeout", "1s", planPath},
		} {
			start := time.Now()
			r := relRun(ctx, relEmulatorVars(), args...)
			if r.code != exitUsage {
				t.Errorf("%s --endpoint %s: exit %d, want 2\n%s%s", args[0], endpoint, r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, "plain http is only allowed to a loopback address") || !strings.Contains(r.stderr, "insecure") {
				t.Errorf("%s --endpoint %s: not the insecure-endpoint refusal: %q", args[0], endpoint, r.stderr)
			}
			if strings.Contains(r.stderr, "dial") || strings.Contains(r.stderr, "timeout") {
				t.Errorf("%s --endpoint %s: something was dialled: %q", args[0], endpoint, r.stderr)
			}
			if _, err := os.Stat(state); err == nil {
				t.Fatalf("%s --endpoint %s created the state file before refusing", args[0], endpoint)
			}
			if el := time.Since(start); el > 20*time.Second {
				t.Errorf("%s --endpoint %s took %v to refuse", args[0], endpoint, el)
			}
		}
	}

	// Loopback over plain http is allowed (that is how the emulator is reached), by
	// address and by name.
	emu, _ := testenv.Start(t, emulator.Options{})
	port := emu.URL[strings.LastIndex(emu.URL, ":")+1:]
	for i, endpoint := range []string{emu.URL, "http://localhost:" + port} {
		st := filepath.Join(dir, "ok", "state"+string(rune('a'+i))+".db")
		r := relRun(ctx, relEmulatorVars(), "run", "--endpoint", endpoint, "--state", st, "--qps", "0", "--quiet", planPath)
		if r.code != exitOK {
			t.Errorf("--endpoint %s: exit %d\n%s", endpoint, r.code, r.stderr)
		}
	}
	if len(emu.Server.Jobs()) != 12 {
		t.Errorf("%d jobs on the loopback emulator, want 12", len(emu.Server.Jobs()))
	}
}
