package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

// By default a retry writes one URL file per request and round under
// planrun-retry-lists/<plan>/ and sends one batch job each; a bucket that refuses the file
// stops the retry with one line naming --via object, which then retries object by object;
// a --list-prefix under an input prefix is refused as bad usage.
func TestRetryViaURLFileAndItsRefusals(t *testing.T) {
	objs := emulator.ObjectOptions{PerPrefix: 400, FailRate: 0.3}
	for _, deny := range []bool{false, true} {
		emu, _ := testenv.Start(t, emulator.Options{Objects: objs, DenyPutObject: deny})
		path := testenv.WritePlan(t, smallPlan)
		st := filepath.Join(t.TempDir(), "s.db")
		cli := func(args ...string) result {
			return runCLI(t, emulatorVars(), append([]string{args[0], "--endpoint", emu.URL, "--qps", "0", "--state", st, "--quiet"}, args[1:]...)...)
		}
		if r := cli("run", path); r.code != 0 {
			t.Fatalf("run: %d\n%s", r.code, r.stderr)
		}
		planJobs := len(emu.Server.Jobs())
		if r := cli("retry", "--list-prefix", "a/retries/", path); r.code != 2 || !strings.Contains(r.stderr, "a/") {
			t.Fatalf("--list-prefix under an input prefix: exit %d\n%s", r.code, r.stderr)
		}
		r := cli("retry", path)
		if deny {
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 1 || len(lines) != 1 || !strings.Contains(r.stderr, "--via object") ||
				!strings.Contains(r.stderr, "AccessDenied") || len(emu.Server.Jobs()) != planJobs {
				t.Fatalf("refused list: exit %d, %d jobs sent\n%s", r.code, len(emu.Server.Jobs())-planJobs, r.stderr)
			}
			if r := cli("retry", "--via", "object", path); r.code != 0 || len(emu.Server.Jobs()) == planJobs {
				t.Fatalf("--via object: exit %d\n%s", r.code, r.stderr)
			}
			for _, j := range emu.Server.Jobs()[planJobs:] {
				if j.Input.Object == "" {
					t.Fatalf("--via object sent %+v", j)
				}
			}
			continue
		}
		if r.code != 0 {
			t.Fatalf("retry: exit %d\n%s", r.code, r.stderr)
		}
		retries := emu.Server.Jobs()[planJobs:]
		if len(retries) == 0 {
			t.Fatal("nothing retried")
		}
		origins := map[string]bool{}
		for _, j := range retries {
			if !strings.HasPrefix(j.Input.UrlFile, "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/planrun-retry-lists/small/") ||
				!strings.Contains(j.Name, "-retry2-") || origins[j.Name] {
				t.Errorf("retry batch job %+v", j)
			}
			origins[j.Name] = true
		}
		if r := cli("retry", path); r.code != 0 || len(emu.Server.Jobs()) != planJobs+len(retries) {
			t.Fatalf("a second retry: exit %d, %d more jobs\n%s", r.code, len(emu.Server.Jobs())-planJobs-len(retries), r.stderr)
		}
	}
}
