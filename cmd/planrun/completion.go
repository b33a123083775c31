package main

import (
	"context"
	"flag"
	"io"

	"github.com/planrun/planrun/report/help"
)

const completionUsage = `Usage: planrun completion bash|zsh|fish

Prints a shell completion script: commands, their flags, and the values of the flags
with fixed choices (such as --format).

Examples:
  source <(planrun completion bash)
  planrun completion zsh > "${fpath[1]}/_planrun"
  planrun completion fish > ~/.config/fish/completions/planrun.fish`

// completionOf lists the flags of command c as "--name ... --help", and the values of
// those with fixed choices, read from its flag set.
func completionOf(c command) help.CompletionCommand {
	fs, _ := c.flagSet(&env{stdout: io.Discard, stderr: io.Discard})
	cc := help.CompletionCommand{Name: c.name, Values: map[string][]string{}}
	fs.VisitAll(func(f *flag.Flag) {
		cc.Flags = append(cc.Flags, "--"+f.Name)
		if ch, ok := f.Value.(interface{ Choices() []string }); ok {
			cc.Values["--"+f.Name] = ch.Choices()
		}
	})
	cc.Flags = append(cc.Flags, "--help")
	return cc
}

func setupCompletion(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, rest []string, e *env) error {
		if len(rest) != 1 {
			return usagef("completion: name one shell: bash, zsh or fish")
		}
		var cmds []help.CompletionCommand
		for _, c := range commands() {
			cmds = append(cmds, completionOf(c))
		}
		if err := help.WriteCompletion(e.stdout, rest[0], cmds); err != nil {
			return usagef("completion: %v", err)
		}
		return nil
	}
}
