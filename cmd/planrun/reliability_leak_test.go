package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/state"
)

// TestReliabilityRunLeavesNoGoroutines checks that executor.Run, with the real client
// under every fault at once, leaves no goroutine running once it returns (after the
// transport's idle keep-alive connections are closed), whether it completes or is
// interrupted mid-run.
func TestReliabilityRunLeavesNoGoroutines(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the goroutine test runs a plan under every fault, twice")
	}
	for _, interrupt := range []bool{false, true} {
		name := "complete"
		if interrupt {
			name = "interrupted"
		}
		t.Run(name, func(t *testing.T) {
			emu, _ := testenv.Start(t, emulator.Options{Seed: 3, Workflows: []string{testenv.Workflow}, Faults: emulator.Faults{
				Latency: 20 * time.Millisecond, ErrorRate: 0.1, ResetRate: 0.1, UncertainRate: 0.1,
				TooManyRate: 0.1, RetryAfter: "1", QPS: 50,
			}})
			dir := t.TempDir()
			p, err := plan.Parse("leak.yaml", []byte(testenv.Sized("leak", 80).YAML()))
			if err != nil {
				t.Fatal(err)
			}
			base := runtime.NumGoroutine()

			addr := strings.TrimPrefix(emu.URL, "http://")
			tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "tcp", addr)
			}}
			client, err := ciapi.New(ciapi.Config{
				Credentials: ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey},
				Endpoint:    emu.URL, HTTPClient: &http.Client{Transport: tr}, Timeout: 2 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			store, err := state.Open(filepath.Join(dir, "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if interrupt {
				time.AfterFunc(400*time.Millisecond, cancel)
			}
			sum, err := executor.Run(ctx, client, store, []*plan.Plan{p}, executor.Options{
				Parallel: 16, Retries: 10, RequestTimeout: 2 * time.Second,
				BackoffBase: 20 * time.Millisecond, BackoffCap: 200 * time.Millisecond,
			})
			if cerr := store.Close(); cerr != nil {
				t.Fatalf("close state: %v", cerr)
			}
			tr.CloseIdleConnections()
			relSettleGoroutines(t, base, 2)

			if sum == nil {
				t.Fatalf("no summary (err %v)", err)
			}
			tot := sum.Total
			if tot.Planned != 80 || tot.Triggered+tot.Failed+tot.Skipped+tot.NotDone() != 80 {
				t.Errorf("summary %+v", tot)
			}
			if !interrupt && (err != nil || tot.Triggered != 80) {
				t.Errorf("run: %+v, %v", tot, err)
			}
			if dup := relDuplicates(relJobs(emu.Server)); len(dup) > 0 {
				t.Errorf("duplicates: %v", dup)
			}
			t.Logf("%s: %+v, faults %v", name, tot, emu.Server.Stats().Faults)
		})
	}
}
