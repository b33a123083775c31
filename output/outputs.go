package output

import "fmt"

// Output is a file a command writes, named by its flag (--report, --junit, --html).
type Output struct{ Flag, Path string }

// CheckOutputs refuses, before anything is sent or any state file is made, an output (of
// those with a path) that would replace the state file at statePath ("" when none) or one
// of its companions (the emulator file of --emulator among them), a plan file of files, another output, or that cannot be written (a
// folder, a read-only place). The error names the flag and the path.
func CheckOutputs(statePath string, files []string, outs ...Output) error {
	var protect []Protected
	if statePath != "" {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal", ".lock", ".heartbeat"} {
			protect = append(protect, Protected{Path: statePath + suffix, What: "the state file " + statePath + suffix})
		}
		protect = append(protect, Protected{Path: EmulatorFileFor(statePath), What: "the emulator file " + EmulatorFileFor(statePath)})
	}
	for _, f := range files {
		protect = append(protect, Protected{Path: f, What: "the plan file " + f})
	}
	for _, o := range outs {
		if o.Path == "" {
			continue
		}
		if err := CheckOutput(o.Path, protect...); err != nil {
			return fmt.Errorf("%s %s: %w", o.Flag, o.Path, err)
		}
		protect = append(protect, Protected{Path: o.Path, What: "the file of " + o.Flag})
	}
	return nil
}
