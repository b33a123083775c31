package executor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

const (
	testBucket = "examplebucket-1250000000"
	testRegion = "ap-beijing"
)

// startEmulator starts the emulator on loopback and a real client whose transport always
// dials it (the Host header and signature stay those of the real service host).
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Running, *ciapi.Client) {
	t.Helper()
	emu, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu, clientFor(t, emu.URL)
}

// clientFor returns a real client whose transport always dials the emulator at base URL u.
func clientFor(t *testing.T, u string, mods ...func(*ciapi.Config)) *ciapi.Client {
	t.Helper()
	addr := strings.TrimPrefix(u, "http://")
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	cfg := ciapi.Config{
		Credentials: ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey},
		Endpoint:    u,
		HTTPClient:  &http.Client{Transport: tr},
		Timeout:     5 * time.Second,
	}
	for _, m := range mods {
		m(&cfg)
	}
	client, err := ciapi.New(cfg)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return client
}

// hourlyPlan returns a plan with one workflow job of n hourly windows, plus extra
// single-object jobs of type job.
func hourlyPlan(t *testing.T, name string, n int, generation int) *plan.Plan {
	t.Helper()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	y := fmt.Sprintf(`version: 1
name: %s
generation: %d
defaults:
  bucket: %s
  region: %s
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
jobs:
  - name: hourly
    prefix: input/video/
    window:
      start: %s
      end: %s
      every: 1h
  - name: info
    type: job
    object: input/a.mp4
    job:
      tag: MediaInfo
      template_id: t1460606b9752148c4ab182f55163ba7cd
`, name, generation, testBucket, testRegion, start.Format(time.RFC3339), start.Add(time.Duration(n)*time.Hour).Format(time.RFC3339))
	p, err := plan.Parse(name+".yaml", []byte(y))
	if err != nil {
		t.Fatalf("parse plan: %v", err)
	}
	return p
}

// names returns the request names of p in expansion order.
func names(p *plan.Plan) []string {
	var out []string
	for r := range p.Requests() {
		out = append(out, r.Name)
	}
	return out
}

// openStore opens a fresh state file in a temp dir.
func openStore(t *testing.T, path string) *state.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "state", "state.db")
	}
	s, err := state.Open(path)
	if err != nil {
		t.Fatalf("open state: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// jobNames returns the sorted names of the jobs the emulator holds, and fails on duplicates.
func jobNames(t *testing.T, emu *emulator.Running) []string {
	t.Helper()
	seen := map[string]int{}
	var out []string
	for _, j := range emu.Server.Jobs() {
		seen[j.Name]++
		if seen[j.Name] == 2 {
			t.Errorf("job Name %s created more than once", j.Name)
		}
		if seen[j.Name] == 1 {
			out = append(out, j.Name)
		}
	}
	sort.Strings(out)
	return out
}

// sameNames fails unless got and want hold the same names.
func sameNames(t *testing.T, got, want []string) {
	t.Helper()
	w := append([]string(nil), want...)
	sort.Strings(w)
	if strings.Join(got, "\n") != strings.Join(w, "\n") {
		t.Fatalf("emulator jobs differ from the expansion:\n got %d: %v\nwant %d: %v", len(got), got, len(w), w)
	}
}

// checkNoLeak waits for the goroutine count to settle back to base (allowing a little
// slack for runtime helpers) and fails with a dump otherwise.
func checkNoLeak(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+2 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d after, %d before:\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// quick are options that keep tests fast.
func quick() Options {
	return Options{Parallel: 4, BackoffBase: 5 * time.Millisecond, BackoffCap: 50 * time.Millisecond,
		RequestTimeout: 3 * time.Second, PollInterval: 10 * time.Millisecond, SettleDelay: 20 * time.Millisecond,
		SettleWindow: 100 * time.Millisecond}
}

// background is a context for tests.
func background(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// countJobs counts the jobs ws follows.
func countJobs(t *testing.T, ws *WaitSummary) int {
	t.Helper()
	n := 0
	for _, err := range ws.Jobs(background(t)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
