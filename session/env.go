package session

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// EnvVars are the environment variables that stand in for flags: set once per project or
// shell, they give the default of the flag on every command that has it; a flag given on
// the command line always wins. Adding one is a line here (and one in the README's table).
var EnvVars = []struct{ Var, Flag string }{
	{"PLANRUN_STATE", "state"},
	{"PLANRUN_ENDPOINT", "endpoint"},
	{"PLANRUN_QPS", "qps"},
	{"PLANRUN_PARALLEL", "parallel"},
	{"PLANRUN_RETRIES", "retries"},
	{"PLANRUN_TIMEOUT", "timeout"},
	{"PLANRUN_MAX_REQUESTS", "max-requests"},
	{"PLANRUN_POLL_INTERVAL", "poll-interval"},
	{"PLANRUN_LOG_FORMAT", "log-format"},
}

// emulatorSkips are the flags whose variables describe the real service: --emulator on
// the command line wins over them too (it has its own endpoint and state file).
var emulatorSkips = []string{"endpoint", "state"}

// ApplyEnv sets, after fs was parsed, every flag of fs that the command line left out and
// an environment variable of EnvVars gives. It returns the names of the flags it set; a
// bad value is a UsageError that names the variable.
func ApplyEnv(fs *flag.FlagSet, getenv func(string) string) (map[string]bool, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["emulator"] && fs.Lookup("emulator").Value.String() == "true" {
		for _, name := range emulatorSkips {
			given[name] = true
		}
	}
	set := map[string]bool{}
	for _, v := range EnvVars {
		val := getenv(v.Var)
		if val == "" || given[v.Flag] || fs.Lookup(v.Flag) == nil {
			continue
		}
		if err := fs.Set(v.Flag, val); err != nil {
			return nil, UsageError{fmt.Errorf("%s=%q (the default of --%s): %s", v.Var, val, v.Flag, ValueProblem(fs.Lookup(v.Flag), err))}
		}
		set[v.Flag] = true
	}
	return set, nil
}

// AnnotateEnv adds to the help of each flag of fs that a variable of EnvVars stands in
// for the variable's name, once: "...; env PLANRUN_QPS".
func AnnotateEnv(fs *flag.FlagSet) {
	for _, v := range EnvVars {
		f := fs.Lookup(v.Flag)
		if f == nil || strings.HasSuffix(f.Usage, "env "+v.Var) {
			continue
		}
		f.Usage += "; env " + v.Var
	}
}

// ValueProblem says what is wrong with a value that flag f refused: the flag package's own
// words, but "parse error" and "value out of range" (all it says of a number or a
// duration) become what the flag wants ("want a duration such as 30s, 2m or 1h30m").
func ValueProblem(f *flag.Flag, err error) string {
	msg := err.Error()
	if f == nil || (msg != "parse error" && msg != "value out of range") {
		return msg
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return msg
	}
	switch g.Get().(type) {
	case time.Duration:
		return msg + ": want a duration such as 30s, 2m or 1h30m (a unit is needed)"
	case int, int64, uint, uint64:
		return msg + ": want a whole number"
	case float64:
		return msg + ": want a number"
	}
	return msg
}
