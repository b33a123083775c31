package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/planrun/planrun/internal/testenv"
)

// Distinctive credentials: none of them may appear in any output, log, report or file
// (README, "What planrun guarantees"). The secret id is not secret, but only its masked form is ever shown.
const (
	secretsID    = "AKIDsecretsTestKeyId0000000000000000"
	secretsKey   = "SeCrEtKeY-DoNotLeak-7f3a9c"
	secretsToken = "ToKeN-DoNotLeak-51e2b8"
	secretsWrong = "WrOnGkEy-DoNotLeak-0c4d1e"
)

// secretsProc is a planrun subprocess and what it wrote.
type secretsProc struct {
	name           string
	code           int
	stdout, stderr string
}

// TestSecretsNeverLeak runs every command (through the built binary, credentials in the
// environment, against `planrun emulator --verbose` holding the same temporary key) in
// success and failure, with debug logs in both formats and every report, then searches
// stdout, stderr and every file under the test folder for the secret key and token.
func TestSecretsNeverLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the secrets test builds the binary and runs it 17 times")
	}
	ctx := relCtx(t, 5*time.Minute)
	bin := relBuild(t)
	dir := t.TempDir()
	creds := map[string]string{
		"TENCENTCLOUD_SECRET_ID":      secretsID,
		"TENCENTCLOUD_SECRET_KEY":     secretsKey,
		"TENCENTCLOUD_SECURITY_TOKEN": secretsToken,
	}
	with := func(extra ...string) map[string]string {
		m := map[string]string{}
		for k, v := range creds {
			m[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	var procs []secretsProc
	exe := func(name string, vars map[string]string, wantCode int, args ...string) secretsProc {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = relProcessEnv(vars)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		p := secretsProc{name: name, stdout: out.String(), stderr: errOut.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.code != wantCode {
			t.Errorf("%s: exit %d, want %d\nstdout: %.3000s\nstderr: %.3000s", name, p.code, wantCode, p.stdout, p.stderr)
		}
		procs = append(procs, p)
		return p
	}

	// The emulator, as users run it, with the same key pair and token, logging every request.
	addr := secretsFreeAddr(t)
	emu := exec.Command(bin, "emulator", "--addr", addr, "--verbose", "--workflows", testenv.Workflow,
		"--submitted-for", "1h", "--running-for", "1h")
	emu.Dir = dir
	emu.Env = relProcessEnv(creds)
	var emuOut, emuErr bytes.Buffer
	emu.Stdout, emu.Stderr = &emuOut, &emuErr
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	emuDone := false
	stopEmu := func() {
		if emuDone {
			return
		}
		emuDone = true
		_ = emu.Process.Signal(syscall.SIGINT)
		timer := time.AfterFunc(30*time.Second, func() { _ = emu.Process.Kill() })
		_ = emu.Wait()
		timer.Stop()
	}
	t.Cleanup(stopEmu)
	secretsWaitReady(t, "http://"+addr)
	endpoint := "http://" + addr

	good := testenv.Sized("secrets", 20).Write(t, dir)
	denied := testenv.Sized("denied", 14)
	denied.Workflow = relUnknownWorkflow
	bad := denied.Write(t, dir)
	state := filepath.Join(dir, "state", "state.db")
	// planrun never creates an output's folder (a typo would scatter files): make it.
	if err := os.MkdirAll(filepath.Join(dir, "reports"), 0o755); err != nil {
		t.Fatal(err)
	}

	exe("validate", creds, 0, "validate", good, bad)
	exe("dry-run", creds, 0, "run", "--dry-run", good)
	exe("dry-run json", creds, 0, "run", "--dry-run", "--format", "json", good)
	exe("run (debug, json logs, reports)", with("PLANRUN_LOG", "debug"), 0, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", state,
		"--log-format", "json", "--report", "reports/run.json", "--junit", "reports/run.xml", good)
	exe("rerun (debug, text logs, --format json)", with("PLANRUN_LOG", "debug"), 0, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", state,
		"--log-format", "text", "--format", "json", good)
	exe("run 4xx (debug, json)", with("PLANRUN_LOG", "debug"), exitFailed, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", state,
		"--log-format", "json", "--format", "json", "--report", "reports/denied.json", "--junit", "reports/denied.xml", bad)
	exe("run 4xx (github)", with("PLANRUN_LOG", "debug"), exitFailed, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", state,
		"--format", "github", bad)
	exe("run 4xx (junit)", creds, exitFailed, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", state, "--format", "junit", bad)
	wrong := with("TENCENTCLOUD_SECRET_KEY", secretsWrong, "PLANRUN_LOG", "debug")
	w1 := exe("run wrong key (debug, text)", wrong, exitUsage, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", "state/wrong.db",
		"--report", "reports/wrong.json", "--junit", "reports/wrong.xml", "--retries", "0", good)
	w2 := exe("run wrong key (debug, json)", wrong, exitUsage, "run", "--qps", "0", "--timeout", "2s", "--endpoint", endpoint, "--state", "state/wrong.db",
		"--log-format", "json", "--format", "json", "--retries", "0", good)
	for _, p := range []secretsProc{w1, w2} {
		if !strings.Contains(p.stdout+p.stderr, "SignatureDoesNotMatch") {
			t.Errorf("%s: the output does not name SignatureDoesNotMatch:\n%.2000s\n%.2000s", p.name, p.stdout, p.stderr)
		}
	}
	exe("status", creds, 0, "status", "--state", state)
	exe("status json", creds, 0, "status", "--state", state, "--format", "json")
	exe("status refresh", creds, 0, "status", "--state", state, "--refresh", "--endpoint", endpoint, good)
	exe("cancel", with("PLANRUN_LOG", "debug"), 0, "cancel", "--endpoint", endpoint, "--state", state, good)
	exe("cancel json", creds, 0, "cancel", "--endpoint", endpoint, "--state", state, "--format", "json", good)
	exe("cancel wrong key", wrong, exitUsage, "cancel", "--endpoint", endpoint, "--state", "state/wrong.db", "--format", "json", good)
	stopEmu()
	procs = append(procs, secretsProc{name: "emulator --verbose", stdout: emuOut.String(), stderr: emuErr.String()})
	if !strings.Contains(emuErr.String(), "inventorytriggerjob") {
		t.Errorf("the emulator logged no request: %.1000s", emuErr.String())
	}

	secrets := map[string]string{"secret key": secretsKey, "session token": secretsToken, "wrong secret key": secretsWrong}
	for _, p := range procs {
		for what, s := range secrets {
			for stream, text := range map[string]string{"stdout": p.stdout, "stderr": p.stderr} {
				if strings.Contains(text, s) {
					t.Errorf("%s: the %s appears on %s", p.name, what, stream)
				}
			}
		}
		// Only the masked id is ever shown.
		if strings.Contains(p.stdout+p.stderr, secretsID) {
			t.Errorf("%s: the full secret id appears in the output", p.name)
		}
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for what, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the %s", path, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{state, "reports/run.json", "reports/run.xml", "reports/denied.json", "reports/wrong.json"} {
		if _, err := os.Stat(filepath.Join(dir, strings.TrimPrefix(f, dir))); err != nil && !filepath.IsAbs(f) {
			t.Errorf("expected file %s: %v", f, err)
		}
	}
	t.Logf("secrets: %d invocations and %d files (state, reports, plans) searched; no secret key or token found", len(procs), files)
}

// secretsFreeAddr returns a loopback address that was free a moment ago.
func secretsFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// secretsWaitReady waits until the emulator at base answers.
func secretsWaitReady(t *testing.T, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_emulator/stats", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the emulator at %s never answered: %v", base, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
