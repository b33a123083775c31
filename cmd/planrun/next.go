package main

import "github.com/planrun/planrun/report"

// nextCommands are the command lines the run's summary suggests: the same command again,
// and status --refresh and results on the same plans, state and endpoint. Only flags and
// paths go in them: credentials come from the environment and never appear.
func (f *runFlags) nextCommands(e *env) report.NextCommands {
	var n report.NextCommands
	if len(e.args) > 0 {
		n.Rerun = "planrun " + report.ShellJoin(e.args...)
	}
	if f.emulator {
		return n // the emulator of a run ends with it: nothing to follow elsewhere
	}
	var common []string
	if f.state != "" {
		common = append(common, "--state", f.state)
	}
	if f.endpoint != "" {
		common = append(common, "--endpoint", f.endpoint)
	}
	if f.insecure {
		common = append(common, "--insecure")
	}
	for _, j := range f.jobs {
		common = append(common, "--job", j)
	}
	if f.since != "" {
		common = append(common, "--since", f.since)
	}
	if f.until != "" {
		common = append(common, "--until", f.until)
	}
	common = append(common, f.paths...)
	n.Status = "planrun status --refresh " + report.ShellJoin(common...)
	n.Results = "planrun results " + report.ShellJoin(common...)
	return n
}
