package main

import (
	"context"
	"flag"
	"io"

	"github.com/planrun/planrun/report"
)

const completionUsage = `Usage: planrun completion bash|zsh|fish

Prints a shell completion script.

Examples:
  source <(planrun completion bash)
  planrun completion zsh > "${fpath[1]}/_planrun"
  planrun completion fish > ~/.config/fish/completions/planrun.fish`

// flagsOf lists the flags of command c as "--name ... --help", read from its flag set.
func flagsOf(c command) []string {
	fs, _ := c.flagSet(&env{stderr: io.Discard})
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, "--"+f.Name) })
	return append(out, "--help")
}

func setupCompletion(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, rest []string, e *env) error {
		if len(rest) != 1 {
			return usagef("completion: name one shell: bash, zsh or fish")
		}
		var cmds []report.CompletionCommand
		for _, c := range commands() {
			cmds = append(cmds, report.CompletionCommand{Name: c.name, Flags: flagsOf(c)})
		}
		if err := report.WriteCompletion(e.stdout, rest[0], cmds); err != nil {
			return usagef("completion: %v", err)
		}
		return nil
	}
}
