package docs_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The planrun binary, built once from this module for all tests.
var bin struct {
	once sync.Once
	dir  string
	path string
	root string
	err  error
}

// TestMain removes the built binary after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
	os.Exit(code)
}

// planrun returns the path of a planrun binary built from the module root (found with
// `go env GOMOD`) and the root itself.
func planrun(t *testing.T) (path, root string) {
	t.Helper()
	bin.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			bin.err = err
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			bin.err = errors.New("not inside a Go module")
			return
		}
		bin.root = filepath.Dir(gomod)
		if bin.dir, bin.err = os.MkdirTemp("", "planrun-docs-test-"); bin.err != nil {
			return
		}
		bin.path = filepath.Join(bin.dir, "planrun")
		build := exec.Command("go", "build", "-o", bin.path, "./cmd/planrun")
		build.Dir = bin.root
		if out, err := build.CombinedOutput(); err != nil {
			bin.err = errors.New("go build ./cmd/planrun: " + err.Error() + "\n" + string(out))
		}
	})
	if bin.err != nil {
		t.Fatalf("build planrun: %v", bin.err)
	}
	return bin.path, bin.root
}

// runPlanrun runs the built binary in dir with a clean environment: no credentials and no
// GITHUB_STEP_SUMMARY (the dry runs would append to a real job summary), so nothing can
// reach the network. It returns the combined output and the exit status.
func runPlanrun(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	path, _ := planrun(t)
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TENCENTCLOUD_") || strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("run planrun %v: %v", args, err)
	}
	return out.String(), 0
}
