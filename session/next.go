package session

import (
	"flag"

	"github.com/planrun/planrun/report"
)

// Next are the command lines a run's summary suggests, derived from the flag set that
// was parsed: the same command again, and status --refresh, results and retry on the same
// plans with the group flags given on the command line (service, rate, selection), which
// those commands all take (and, for retry, run's --via and --list-prefix). Flags set by the environment are left out: the environment
// still sets them. Credentials come from the environment and never appear.
func (s *Session) Next() report.NextCommands {
	var n report.NextCommands
	if len(s.IO.Args) > 0 {
		n.Rerun = "planrun " + report.ShellJoin(s.IO.Args...)
	}
	var common []string
	var retryOnly []string // how run's --max-attempts loop retries: retry takes the same flags
	s.fs.Visit(func(f *flag.Flag) {
		if (f.Name == "via" || f.Name == "list-prefix") && !s.fromEnv[f.Name] && s.Cmd == "run" {
			retryOnly = append(retryOnly, "--"+f.Name, f.Value.String())
			return
		}
		if !s.shared[f.Name] || s.fromEnv[f.Name] {
			return
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			if f.Value.String() == "true" {
				common = append(common, "--"+f.Name)
			} else {
				common = append(common, "--"+f.Name+"=false")
			}
			return
		}
		values := []string{f.Value.String()}
		if m, ok := f.Value.(interface{ Values() []string }); ok {
			values = m.Values()
		}
		for _, v := range values {
			common = append(common, "--"+f.Name, v)
		}
	})
	common = append(common, s.paths...)
	args := report.ShellJoin(common...)
	n.Status = "planrun status --refresh " + args
	n.Results = "planrun results " + args
	n.Retry = "planrun retry " + report.ShellJoin(append(retryOnly, common...)...)
	if s.Cmd == "run" {
		n.RerunFailed = "planrun run --rerun failed " + args
	}
	return n
}
