package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// hostileService is the emulator behind a proxy that puts, into every failure code and
// message and into some object keys, what a hostile service could send in XML: a line
// break followed by GitHub Actions workflow commands, C1 controls (U+009B CSI, U+0085 NEL)
// and a bidi override.
func hostileService(t *testing.T, opts emulator.Options) string {
	t.Helper()
	emu, _ := testenv.Start(t, opts)
	target, err := url.Parse(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	const evil = "&#10;::add-mask::leak&#10;::error::injected&#x9b;2J&#x85;&#x202e;"
	var swaps []string
	for _, s := range []string{"ResourceDownloadFailed", "InternalError", "InvalidMediaFile", "UnsupportedCodec",
		"emulated failure", "downloading the input object failed", "an internal error occurred", "the input is not",
		"the codec of the input"} {
		swaps = append(swaps, s, s+evil)
	}
	swaps = append(swaps, "clip ", "clip"+evil+" ")
	rewrite := strings.NewReplacer(swaps...)
	proxy := httputil.NewSingleHostReverseProxy(target) // keeps the signed Host header
	proxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body = []byte(rewrite.Replace(string(body)))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// assertNoInjection fails when out carries a raw control character (other than line
// breaks), a C1 or bidi character, or a line that starts a workflow command planrun did
// not write itself.
func assertNoInjection(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8", what)
	}
	for _, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e {
			t.Errorf("%s: raw %U reached the output:\n%s", what, r, out)
			break
		}
	}
	for _, line := range strings.Split(out, "\n") {
		l := strings.TrimLeft(line, " \t")
		own := strings.HasPrefix(l, "::error title=planrun") || strings.HasPrefix(l, "::notice title=planrun") ||
			strings.HasPrefix(l, "::warning title=planrun")
		if strings.HasPrefix(l, "::") && !own {
			t.Errorf("%s: a line runs a workflow command: %q", what, line)
		}
	}
}

// TestHostileServiceTextNeverReachesOutput runs, waits, and reads results from a service
// whose failure codes, messages and object keys carry workflow commands and terminal
// sequences: no output of planrun (stdout or stderr, any format) passes them on raw.
func TestHostileServiceTextNeverReachesOutput(t *testing.T) {
	endpoint := hostileService(t, emulator.Options{FailRate: 0.5, Seed: 7,
		Objects: emulator.ObjectOptions{PerPrefix: 12, FailRate: 0.5, PageSize: 5}})
	path := testenv.WritePlan(t, smallPlan)
	dir := t.TempDir()
	st := filepath.Join(dir, "s.db")
	common := []string{"--endpoint", endpoint, "--state", st, "--qps", "0"}
	r := runCLI(t, emulatorVars(), append(append([]string{"run"}, common...), "--wait", "--poll-interval", "10ms",
		"--results", filepath.Join(dir, "r.jsonl"), path)...)
	if !strings.Contains(r.stdout+r.stderr, "injected") {
		t.Fatalf("the hostile text did not reach planrun (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	assertNoInjection(t, "run --wait", r.stdout+r.stderr)
	r = runCLI(t, emulatorVars(), append(append([]string{"run"}, common...), "--wait", "--poll-interval", "10ms",
		"--format", "github", path)...)
	assertNoInjection(t, "run --format github", r.stdout+r.stderr)
	for _, format := range []string{"text", "json", "csv", "junit", "markdown"} {
		r = runCLI(t, emulatorVars(), append(append([]string{"results"}, common...), "--format", format, path)...)
		if !strings.Contains(r.stdout, "injected") {
			t.Errorf("results --format %s shows no failure:\n%s%s", format, r.stdout, r.stderr)
		}
		assertNoInjection(t, "results --format "+format, r.stdout+r.stderr)
	}
	r = runCLI(t, emulatorVars(), "status", "--state", st, path)
	assertNoInjection(t, "status", r.stdout+r.stderr)
}
