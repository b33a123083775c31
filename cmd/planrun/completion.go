package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
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
		var names []string
		for _, c := range commands() {
			names = append(names, c.name)
		}
		cmds := strings.Join(names, " ")
		switch rest[0] {
		case "bash":
			fmt.Fprintf(e.stdout, `# bash completion for planrun
_planrun() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W %q -- "$cur")); return; fi
  case "$cur" in
    -*) case "$cmd" in
%s      esac ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -o filenames -F _planrun planrun
`, cmds+" help", bashCases())
		case "zsh":
			fmt.Fprintf(e.stdout, `#compdef planrun
_planrun() {
  if (( CURRENT == 2 )); then compadd -- %s help; return; fi
  case $words[2] in
%s  esac
  _files
}
compdef _planrun planrun
`, cmds, zshCases())
		case "fish":
			fmt.Fprintf(e.stdout, "# fish completion for planrun\ncomplete -c planrun -f -n __fish_use_subcommand -a '%s help'\n", cmds)
			for _, c := range commands() {
				for _, f := range flagsOf(c) {
					fmt.Fprintf(e.stdout, "complete -c planrun -n '__fish_seen_subcommand_from %s' -l %s\n", c.name, strings.TrimPrefix(f, "--"))
				}
			}
		default:
			return usagef("completion: unknown shell %q (want bash, zsh or fish)", rest[0])
		}
		return nil
	}
}

func bashCases() string {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "      %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", c.name, strings.Join(flagsOf(c), " "))
	}
	return b.String()
}

func zshCases() string {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "    %s) if [[ $PREFIX == -* ]]; then compadd -- %s; return; fi ;;\n", c.name, strings.Join(flagsOf(c), " "))
	}
	return b.String()
}
