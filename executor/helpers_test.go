package executor

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// The bucket and region of testenv's plans.
const (
	testBucket = testenv.Bucket
	testRegion = testenv.Region
)

// startEmulator, clientFor and hourlyPlan are testenv.Start, testenv.Client and
// testenv.Hourly(name, n, generation).Parse under the names the executor's tests had before
// testenv: settle_late_test.go and adaptive_loopback_test.go still use them, and so may work
// in flight. New tests call testenv.
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Running, *ciapi.Client) {
	t.Helper()
	return testenv.Start(t, opts)
}

// clientFor: see startEmulator.
func clientFor(t *testing.T, u string, mods ...func(*ciapi.Config)) *ciapi.Client {
	t.Helper()
	return testenv.Client(t, u, mods...)
}

// hourlyPlan: see startEmulator.
func hourlyPlan(t *testing.T, name string, n int, generation int) *plan.Plan {
	t.Helper()
	return testenv.Hourly(name, n, generation).Parse(t)
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

// removeState deletes the state file at path and its WAL companions (absent ones are fine),
// so that the next run starts with no state: failing to delete it would leave the test
// running on the old state and proving nothing about a fresh one.
func removeState(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatalf("remove state: %v", err)
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("remove state: %v", err)
		}
	}
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

// manualClock is an emulator clock that moves only when told.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
