package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// built holds the binaries Build made in this test process, one per package folder.
var built struct {
	mu   sync.Mutex
	dir  string            // the folder they are in, removed by RemoveBuilt
	bins map[string]string // package folder -> binary
}

// Build returns the path of a binary built (without -race, as users run it) from the main
// package in folder pkg, relative to the test's working directory ("." for the package
// under test). It is built once per test process: a package whose tests call Build
// removes it at the end with RemoveBuilt in its TestMain.
func Build(tb testing.TB, pkg string) string {
	tb.Helper()
	built.mu.Lock()
	defer built.mu.Unlock()
	if bin, ok := built.bins[pkg]; ok {
		return bin
	}
	if built.dir == "" {
		dir, err := os.MkdirTemp("", "planrun-test-bin-")
		if err != nil {
			tb.Fatalf("build %s: %v", pkg, err)
		}
		built.dir, built.bins = dir, map[string]string{}
	}
	bin := filepath.Join(built.dir, "bin"+strconv.Itoa(len(built.bins)))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	built.bins[pkg] = bin
	return bin
}

// RemoveBuilt removes what Build made; TestMain calls it after m.Run.
func RemoveBuilt() {
	built.mu.Lock()
	defer built.mu.Unlock()
	if built.dir != "" {
		os.RemoveAll(built.dir)
		built.dir, built.bins = "", nil
	}
}
