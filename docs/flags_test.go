package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/planrun/planrun/session"
)

// command is one planrun command line found in docs/.
type command struct {
	where string   // file:line
	sub   string   // validate, run, ...
	text  string   // the command line from the subcommand on
	flags []string // flag names without dashes, in order
	args  []string // the whitespace-separated words after the subcommand
}

var flagRE = regexp.MustCompile(`^--?([A-Za-z][A-Za-z0-9-]*)(=.*)?$`)

// commands holds the command names that `planrun help` lists: the CLI's own table, not a
// copy of it.
var commands struct {
	once sync.Once
	re   *regexp.Regexp
}

// commandRE matches "planrun <command>" for every command of the real CLI.
func commandRE(t *testing.T) *regexp.Regexp {
	t.Helper()
	commands.once.Do(func() {
		_, root := planrun(t)
		out, code := runPlanrun(t, root, "help")
		if code != 0 {
			t.Fatalf("planrun help: exit %d\n%s", code, out)
		}
		_, list, _ := strings.Cut(out, "Commands:\n")
		var names []string
		for _, line := range strings.Split(list, "\n") {
			if !strings.HasPrefix(line, "  ") {
				break
			}
			names = append(names, regexp.QuoteMeta(strings.Fields(line)[0]))
		}
		commands.re = regexp.MustCompile(`\bplanrun\s+(` + strings.Join(names, "|") + `)\b`)
	})
	if commands.re == nil {
		t.Fatal("no command list from planrun help")
	}
	return commands.re
}

// commandEnds are where a command line found in prose or a script stops: the end of inline
// code, a shell comment, pipe, redirection or list operator, a Markdown table cell.
var commandEnds = []string{"`", " #", "|", ">", "&&", ";"}

// findCommands extracts every planrun command line from text, joining lines continued with
// a trailing backslash.
func findCommands(t *testing.T, name, text string) []command {
	commandRE := commandRE(t)
	var out []command
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		line := lines[i]
		for strings.HasSuffix(strings.TrimRight(line, " "), `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(strings.TrimRight(line, " "), `\`) + " " + strings.TrimSpace(lines[i])
		}
		for _, loc := range commandRE.FindAllStringSubmatchIndex(line, -1) {
			rest := line[loc[1]:]
			for _, end := range commandEnds {
				if j := strings.Index(rest, end); j >= 0 {
					rest = rest[:j]
				}
			}
			c := command{
				where: fmt.Sprintf("%s:%d", name, start+1),
				sub:   line[loc[2]:loc[3]],
				args:  strings.Fields(rest),
			}
			c.text = c.sub + " " + strings.Join(c.args, " ")
			for _, w := range c.args {
				if m := flagRE.FindStringSubmatch(w); m != nil {
					c.flags = append(c.flags, m[1])
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// value returns the value given to flag name in c ("" when absent or not a plain word).
func (c command) value(name string) string {
	for i, w := range c.args {
		m := flagRE.FindStringSubmatch(w)
		if m == nil || m[1] != name {
			continue
		}
		v := strings.TrimPrefix(m[2], "=")
		if v == "" && i+1 < len(c.args) {
			v = c.args[i+1]
		}
		if regexp.MustCompile(`^[a-z]+$`).MatchString(v) {
			return v
		}
	}
	return ""
}

func (c command) has(flag string) bool {
	for _, f := range c.flags {
		if f == flag {
			return true
		}
	}
	return false
}

// allCommands finds the planrun command lines in every Markdown and YAML file in docs/.
func allCommands(t *testing.T) []command {
	t.Helper()
	var cmds []command
	for _, name := range docFiles(t, ".md", ".yml", ".yaml") {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, findCommands(t, name, string(data))...)
	}
	return cmds
}

// missingFlags returns the flags of c that the help text of its subcommand does not define.
// planrun's help lists a flag as "  --name" or "  --name type" at the start of a line.
func missingFlags(c command, help string) []string {
	var missing []string
	for _, f := range c.flags {
		if f == "help" || f == "h" {
			continue
		}
		re := regexp.MustCompile(`(?m)^\s+--` + regexp.QuoteMeta(f) + `(\s|$)`)
		if !re.MatchString(help) {
			missing = append(missing, "--"+f)
		}
	}
	return missing
}

// TestCommandFlagsExist runs `planrun <command> --help` with the real binary for every command
// used in docs/ and checks that each flag the docs give it is one the command defines.
func TestCommandFlagsExist(t *testing.T) {
	_, root := planrun(t)
	cmds := allCommands(t)
	subs := map[string]int{}
	helps := map[string]string{}
	flagsChecked := 0
	for _, c := range cmds {
		subs[c.sub]++
		help, ok := helps[c.sub]
		if !ok {
			out, code := runPlanrun(t, root, c.sub, "--help")
			if code != 0 {
				t.Fatalf("planrun %s --help: exit %d\n%s", c.sub, code, out)
			}
			helps[c.sub], help = out, out
		}
		flagsChecked += len(c.flags)
		if m := missingFlags(c, help); len(m) > 0 {
			t.Errorf("%s: planrun %s: no such flag %v (see planrun %s --help)", c.where, c.text, m, c.sub)
		}
	}
	// Guard the extraction itself: the docs use these commands, and many flags.
	for _, sub := range []string{"validate", "run", "schema", "completion", "version"} {
		if subs[sub] == 0 {
			t.Errorf("no `planrun %s` command found in docs/: the extraction is broken or the docs lost it", sub)
		}
	}
	if flagsChecked < 30 {
		t.Errorf("only %d flags checked in %d commands: the extraction is broken", flagsChecked, len(cmds))
	}
	t.Logf("%d commands, %d flags checked", len(cmds), flagsChecked)
}

// TestMissingFlagsDetects proves the help check can fail: a made-up flag is reported, a real
// one is not.
func TestMissingFlagsDetects(t *testing.T) {
	_, root := planrun(t)
	help, _ := runPlanrun(t, root, "run", "--help")
	cmds := findCommands(t, "x.md", "`planrun run --dry-run --shard 1/2 --no-such-flag --dry plans/`")
	if len(cmds) != 1 {
		t.Fatalf("found %d commands, want 1", len(cmds))
	}
	got := strings.Join(missingFlags(cmds[0], help), " ")
	if got != "--no-such-flag --dry" {
		t.Errorf("missing flags = %q, want %q", got, "--no-such-flag --dry")
	}
}

// TestFindCommands pins the extraction: continuation lines, inline code, comments and pipes.
func TestFindCommands(t *testing.T) {
	text := "run: |\n  planrun run --shard ${{ matrix.shard }}/4 \\\n    --junit junit.xml plans/\n" +
		"Use `planrun validate --format github plans/` and `planrun schema` | diff\n" +
		"planrun run --dry-run plans/ # --not-a-flag\n" +
		"planrun reconciles by name; planrun-run-shard-1 is a group\n"
	var got []string
	for _, c := range findCommands(t, "t", text) {
		got = append(got, c.where+" "+c.sub+" "+strings.Join(c.flags, ","))
	}
	want := []string{"t:2 run shard,junit", "t:4 validate format", "t:4 schema ", "t:5 run dry-run"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found\n%q\nwant\n%q", got, want)
	}
}

// TestFormatsAccepted runs each documented --format value through the real command on the
// example plans (validate, and run --dry-run: no network) and checks it is accepted; markdown
// is only for --dry-run, so a documented `run --format markdown` must carry --dry-run.
func TestFormatsAccepted(t *testing.T) {
	_, root := planrun(t)
	examples := filepath.Join(root, "plans", "examples")
	seen := map[string]bool{}
	for _, c := range allCommands(t) {
		f := c.value("format")
		if f == "" {
			continue
		}
		if c.sub == "run" && f == "markdown" && !c.has("dry-run") {
			t.Errorf("%s: planrun %s: --format markdown needs --dry-run", c.where, c.text)
		}
		key := c.sub + " " + f
		if seen[key] {
			continue
		}
		seen[key] = true
		var args []string
		switch c.sub {
		case "validate":
			args = []string{"validate", "--format", f, examples}
		case "run":
			args = []string{"run", "--dry-run", "--format", f, examples}
		default:
			help, _ := runPlanrun(t, root, c.sub, "--help")
			if !regexp.MustCompile(`\b` + f + `\b`).MatchString(help) {
				t.Errorf("%s: planrun %s: format %q is not in planrun %s --help", c.where, c.text, f, c.sub)
			}
			continue
		}
		if out, code := runPlanrun(t, root, args...); code != 0 {
			t.Errorf("%s: planrun %s: exit %d\n%s", c.where, strings.Join(args, " "), code, firstLines(out, 5))
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("formats checked: %v", keys)
	if !seen["validate github"] || !seen["run markdown"] {
		t.Errorf("the docs lost validate --format github or run --dry-run --format markdown: %v", keys)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// TestReadmeCommandFlagsExist checks the README's planrun command lines as
// TestCommandFlagsExist checks docs/: each flag given is one the command defines.
func TestReadmeCommandFlagsExist(t *testing.T) {
	_, root := planrun(t)
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	helps := map[string]string{}
	n := 0
	for _, c := range findCommands(t, "README.md", string(data)) {
		if _, ok := helps[c.sub]; !ok {
			helps[c.sub], _ = runPlanrun(t, root, c.sub, "--help")
		}
		n += len(c.flags)
		if m := missingFlags(c, helps[c.sub]); len(m) > 0 {
			t.Errorf("%s: planrun %s: no such flag %v", c.where, c.text, m)
		}
	}
	if n < 30 {
		t.Errorf("only %d flags found in the README's commands: the extraction is broken", n)
	}
}

// TestReadmeEnvironmentTable: the README's table of settings in the environment lists
// exactly the variables the CLI reads for its flags, each beside its flag.
func TestReadmeEnvironmentTable(t *testing.T) {
	_, root := planrun(t)
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(PLANRUN_[A-Z_]+)` \\| `--([a-z-]+)`")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		documented[m[1]] = m[2]
	}
	for _, v := range session.EnvVars {
		if documented[v.Var] != v.Flag {
			t.Errorf("README: %s is not in the table beside --%s", v.Var, v.Flag)
		}
		delete(documented, v.Var)
	}
	for v := range documented {
		t.Errorf("README: %s is in the table but the CLI does not read it", v)
	}
}
