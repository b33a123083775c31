package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/planrun/planrun/internal/testenv"
)

// `--retries N` means at most N+1 tries of any one call, counted at the server: a
// one-request plan against a server that answers 500 to everything.
func TestRetriesFlagBoundsTheTriesTheServerSees(t *testing.T) {
	const onePlan = `version: 1
name: one
defaults:
  bucket: examplebucket-1250000000
  region: ap-beijing
  workflow: w7476ff3564ee45b7b490d64bccaba6cc
jobs:
  - name: one
    object: x/y.mp4
`
	path := testenv.WritePlan(t, onePlan)
	for _, retries := range []int{0, 2} {
		var mu sync.Mutex
		calls := map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls[r.Method]++
			mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<Error><Code>InternalError</Code><Message>x</Message></Error>"))
		}))
		r := runCLI(t, emulatorVars(), "run", "--endpoint", srv.URL, "--state", filepath.Join(t.TempDir(), "s.db"),
			"--retries", strconv.Itoa(retries), "--qps", "0", "--quiet", path)
		srv.Close()
		if r.code != 1 {
			t.Errorf("--retries %d: exit %d, want 1\n%s", retries, r.code, r.stderr)
		}
		// A fresh state makes two list calls (the probe of jobs made in the last settle
		// window, then the lookup by name) and no create: each call within --retries.
		perMethod := map[string]int{http.MethodGet: 2}
		for method, n := range calls {
			if max := max(1, perMethod[method]) * (retries + 1); n > max {
				t.Errorf("--retries %d: %s reached the server %d times, want at most %d", retries, method, n, max)
			}
		}
		if calls[http.MethodGet] == 0 {
			t.Errorf("--retries %d: the server saw no call: %v", retries, calls)
		}
	}
}
