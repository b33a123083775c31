package main

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
)

func TestTyposGetASuggestionInOneOrTwoLines(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--dryrun", examples}, "did you mean --dry-run?"},
		{[]string{"run", "-dryrun", examples}, "did you mean --dry-run?"},
		{[]string{"validate", "--fromat", "json", examples}, "did you mean --format?"},
		{[]string{"valdate", examples}, "did you mean validate?"},
		{[]string{"stauts"}, "did you mean status?"},
		{[]string{"run", "--qsp", "5", examples}, "did you mean --qps?"},
		{[]string{"cancel", "--exlcude", "x", examples}, "did you mean --exclude?"},
		{[]string{"results", "--parralel", "2", examples}, "did you mean --parallel?"},
		{[]string{"status", "--refersh"}, "did you mean --refresh?"},
	} {
		r := runCLI(t, nil, tc.args...)
		if r.code != exitUsage {
			t.Errorf("planrun %v: exit %d, want 2", tc.args, r.code)
		}
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("planrun %v: no %q in\n%s", tc.args, tc.want, r.stderr)
		}
		if n := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; n > 2 {
			t.Errorf("planrun %v: %d lines, want at most 2:\n%s", tc.args, n, r.stderr)
		}
	}
	// Nothing close: no suggestion, still short.
	r := runCLI(t, nil, "run", "--zzzzzz", examples)
	if strings.Contains(r.stderr, "did you mean") || !strings.Contains(r.stderr, "unknown flag --zzzzzz") {
		t.Errorf("unrelated flag: %q", r.stderr)
	}
}

func TestHelpListsFlagsWithTwoDashesAndNoEmptyHeading(t *testing.T) {
	singleDash := regexp.MustCompile(`(?m)^\s+-[A-Za-z]`)
	for _, c := range commands() {
		r := runCLI(t, nil, c.name, "--help")
		for _, line := range strings.Split(r.stdout, "\n") {
			if len([]rune(line)) > 80 {
				t.Errorf("%s --help wraps on an 80-column terminal: %q", c.name, line)
			}
		}
		if singleDash.MatchString(r.stdout) {
			t.Errorf("%s --help lists a flag with one dash:\n%s", c.name, r.stdout)
		}
		fs, _ := c.flagSet(&env{})
		n := 0
		fs.VisitAll(func(f *flagT) {
			n++
			if !strings.Contains(r.stdout, "\n  --"+f.Name) {
				t.Errorf("%s --help does not list --%s", c.name, f.Name)
			}
		})
		if has := strings.Contains(r.stdout, "Flags:"); has != (n > 0) {
			t.Errorf("%s --help: a Flags: heading %v with %d flags:\n%s", c.name, has, n, r.stdout)
		}
	}
}

func TestCompletionOffersEveryFlagOfEveryCommand(t *testing.T) {
	r := runCLI(t, nil, "completion", "bash")
	for _, c := range commands() {
		fs, _ := c.flagSet(&env{})
		fs.VisitAll(func(f *flagT) {
			line := regexp.MustCompile(`(?m)^\s+` + c.name + `\) COMPREPLY=.*$`).FindString(r.stdout)
			if !strings.Contains(line+" ", "--"+f.Name+" ") {
				t.Errorf("bash completion of %s lacks --%s: %q", c.name, f.Name, line)
			}
		})
	}
}

func TestQPSMustBeAFiniteNonNegativeNumber(t *testing.T) {
	for _, q := range []string{"NaN", "Inf", "+Inf", "-Inf", "-1", "1e-300", "0.009", "auto:1e-300"} {
		r := runCLI(t, nil, "run", "--dry-run", "--qps", q, examples)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--qps") {
			t.Errorf("--qps %s: exit %d, want 2\n%s", q, r.code, r.stderr)
		}
	}
	for _, q := range []string{"0", "0.01", "auto:0.01"} {
		if r := runCLI(t, nil, "run", "--dry-run", "--qps", q, examples); r.code != exitOK {
			t.Errorf("--qps %s: exit %d, want 0\n%s", q, r.code, r.stderr)
		}
	}
}

func TestMissingCredentialIsNamedAlone(t *testing.T) {
	for _, tc := range []struct {
		vars          map[string]string
		named, absent string
	}{
		{map[string]string{"TENCENTCLOUD_SECRET_ID": "AKIDx"}, "TENCENTCLOUD_SECRET_KEY is not set", "TENCENTCLOUD_SECRET_ID is not set"},
		{map[string]string{"TENCENTCLOUD_SECRET_KEY": "k"}, "TENCENTCLOUD_SECRET_ID is not set", "TENCENTCLOUD_SECRET_KEY is not set"},
		{nil, "set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY", "is not set"},
	} {
		r := runCLI(t, tc.vars, "run", "--state", filepath.Join(t.TempDir(), "s.db"), examples)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.named) || strings.Contains(r.stderr, tc.absent) {
			t.Errorf("%v: exit %d\n%s", tc.vars, r.code, r.stderr)
		}
	}
}

// TestOutputThatWouldClobberIsRefusedBeforeSending: --report and --junit equal to the state
// file or a companion, to a plan file, to each other, a folder or an unwritable place are
// refused with exit 2 before anything is sent and before the state file is made.
func TestOutputThatWouldClobberIsRefusedBeforeSending(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{})
	dir := t.TempDir()
	planPath := testenv.WritePlan(t, smallPlan)
	planText, _ := os.ReadFile(planPath)
	state := filepath.Join(dir, "state.db")
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(planPath, link); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"--report", state},
		{"--report", state + "-wal"},
		{"--junit", state + "-shm"},
		{"--report", state + ".lock"},
		{"--report", planPath},
		{"--junit", link},
		{"--report", dir},
		{"--report", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "r.json")},
	}
	if runtime.GOOS != "windows" && os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, []string{"--report", filepath.Join(ro, "r.json")}, []string{"--junit", filepath.Join(ro, "sub", "j.xml")})
	}
	for _, c := range cases {
		args := append([]string{"run", "--endpoint", emu.URL, "--state", state, "--qps", "0", "--quiet"}, c...)
		r := runCLI(t, emulatorVars(), append(args, planPath)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c[len(c)-2]) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, want 2 with one line naming the flag\n%s", c, r.code, r.stderr)
		}
		if n := emu.Server.Stats().Calls; len(n) > 0 {
			t.Fatalf("%v: calls reached the service: %v", c, n)
		}
		if _, err := os.Stat(state); err == nil {
			t.Fatalf("%v: a state file was left", c)
		}
	}
	if now, _ := os.ReadFile(planPath); string(now) != string(planText) {
		t.Error("the plan file changed")
	}
	// validate --junit onto a plan file is refused too.
	if r := runCLI(t, nil, "validate", "--junit", planPath, planPath); r.code != exitUsage {
		t.Errorf("validate --junit PLAN: exit %d, want 2\n%s", r.code, r.stderr)
	}
}

type flagT = flag.Flag

// TestReportListsEveryPlannedRequestWhenStopped: a run stopped early (--fail-fast against a
// failing service) still lists every planned request in the JSON report, those it never
// reached as not_done with a reason.
func TestReportListsEveryPlannedRequestWhenStopped(t *testing.T) {
	emu, _ := testenv.Start(t, emulator.Options{Faults: emulator.Faults{ErrorRate: 1}})
	path := testenv.WritePlan(t, smallPlan)
	rep := filepath.Join(t.TempDir(), "r.json")
	r := runCLI(t, emulatorVars(), "run", "--endpoint", emu.URL, "--state", filepath.Join(t.TempDir(), "s.db"),
		"--qps", "0", "--quiet", "--retries", "0", "--parallel", "1", "--fail-fast", "--report", rep, path)
	if r.code == 0 {
		t.Fatalf("exit 0 against a failing service\n%s", r.stderr)
	}
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Requests []struct {
			Name, Status, Reason string
		}
		Summary struct {
			Planned int `json:"planned"`
			NotDone int `json:"not_done"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	names, notDone := map[string]bool{}, 0
	for _, q := range doc.Requests {
		names[q.Name] = true
		if q.Status == "not_done" {
			notDone++
		}
	}
	if doc.Summary.Planned != 31 || len(doc.Requests) != 31 || len(names) != 31 {
		t.Fatalf("planned %d, %d rows (%d names), want 31 of each", doc.Summary.Planned, len(doc.Requests), len(names))
	}
	if notDone == 0 || notDone != doc.Summary.NotDone {
		t.Errorf("%d not_done rows, summary says %d", notDone, doc.Summary.NotDone)
	}
}

// An empty --state is refused (exit 2) by every command that takes one, instead of silently
// meaning the default file.
func TestEmptyStatePathIsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--dry-run", "--state", "", examples},
		{"status", "--state="},
		{"cancel", "--emulator", "--state", "", examples},
	} {
		r := runCLI(t, nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--state") || !strings.Contains(r.stderr, "empty") {
			t.Errorf("%v: exit %d, want 2 naming --state\n%s", args, r.code, r.stderr)
		}
	}
}

// TestHelpOnStdoutForEveryCommand: --help and -h print the command's help on stdout
// (so that `planrun run --help | grep qps` finds it), nothing on stderr, exit 0.
func TestHelpOnStdoutForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		for _, h := range []string{"--help", "-h", "-help"} {
			r := runCLI(t, nil, c.name, h)
			if r.code != 0 || !strings.Contains(r.stdout, "Usage: planrun "+c.name) || r.stderr != "" {
				t.Errorf("%s %s: exit %d, stdout %d bytes, stderr %q", c.name, h, r.code, len(r.stdout), r.stderr)
			}
		}
	}
	if r := runCLI(t, nil, "help", "run"); r.code != 0 || !strings.Contains(r.stdout, "--qps") {
		t.Errorf("help run: exit %d\n%s", r.code, r.stdout)
	}
}

// TestHelpOfHelp: help asked of help (in any spelling) is the usage, not a recursion that
// ran until the stack overflowed.
func TestHelpOfHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "help"}, {"help", "--help"}, {"help", "-h"}, {"--help", "-h"}, {"-h", "help"}} {
		r := runCLI(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Commands:") || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q\n%s", args, r.code, r.stderr, r.stdout)
		}
	}
}

// TestCompletionOffersFlagValues: after a flag with fixed choices, the bash completion
// offers those values (not file names), for every command and such flag.
func TestCompletionOffersFlagValues(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	r := runCLI(t, nil, "completion", "bash")
	script := filepath.Join(t.TempDir(), "c.bash")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range commands() {
		fs, _ := c.flagSet(&env{})
		fs.VisitAll(func(f *flagT) {
			ch, ok := f.Value.(interface{ Choices() []string })
			if !ok {
				return
			}
			checked++
			cmd := exec.Command(bash, "-c", `source "$1"; COMP_WORDS=(planrun `+c.name+` --`+f.Name+` ""); COMP_CWORD=3; _planrun; echo "${COMPREPLY[*]}"`, "bash", script)
			out, err := cmd.CombinedOutput()
			if got, want := strings.TrimSpace(string(out)), strings.Join(ch.Choices(), " "); err != nil || got != want {
				t.Errorf("planrun %s --%s <TAB>: %q (%v), want %q", c.name, f.Name, got, err, want)
			}
		})
	}
	if checked < 6 {
		t.Errorf("only %d flags with fixed values: --format lost its choices", checked)
	}
}
