package main

import (
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
)

// output is a file a command writes, named by its flag.
type output struct{ flag, path string }

// checkOutputs refuses, before anything is sent or any state file is made, an output that
// would replace the state file or one of its companions, a plan file (of files), another
// output, or that cannot be written (a folder, a read-only place).
func checkOutputs(cmd, statePath string, files []string, outs ...output) error {
	var protect []report.Protected
	if statePath != "" {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal", ".lock", ".heartbeat"} {
			protect = append(protect, report.Protected{Path: statePath + suffix, What: "the state file " + statePath + suffix})
		}
	}
	for _, f := range files {
		protect = append(protect, report.Protected{Path: f, What: "the plan file " + f})
	}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		if err := report.CheckOutput(o.path, protect...); err != nil {
			return usagef("%s: %s %s: %v", cmd, o.flag, o.path, err)
		}
		protect = append(protect, report.Protected{Path: o.path, What: "the file of " + o.flag})
	}
	return nil
}

// planPaths returns the files of plans.
func planPaths(plans []*plan.Plan) []string {
	out := make([]string, 0, len(plans))
	for _, p := range plans {
		out = append(out, p.Path)
	}
	return out
}
