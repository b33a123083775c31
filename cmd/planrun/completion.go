package main

import (
	"context"
	"fmt"
	"strings"
)

// flagsOf lists each command's flags for the completion scripts.
var flagsOf = map[string]string{
	"validate": "--format --max-requests --junit --exclude --help",
	"run":      "--dry-run --emulator --format --parallel --qps --retries --fail-fast --max-requests --wait --state --report --endpoint --timeout --poll-interval --quiet --insecure --shard --junit --log-format --html --exclude --help",
	"status":   "--state --refresh --grid --endpoint --format --insecure --timeout --exclude --help",
	"cancel":   "--state --endpoint --format --insecure --timeout --help",
	"results":  "--format --failed --html --state --emulator --parallel --qps --retries --endpoint --insecure --timeout --help",
	"emulator": "--addr --submitted-for --running-for --fail-rate --latency --error-rate --uncertain-rate --reset-rate --qps-limit --workflows --default-bucket --default-region --verbose --help",
}

func cmdCompletion(ctx context.Context, args []string, e *env) error {
	fs := newFlagSet(e, "completion", `Usage: planrun completion bash|zsh|fish

Prints a shell completion script.

Examples:
  source <(planrun completion bash)
  planrun completion zsh > "${fpath[1]}/_planrun"
  planrun completion fish > ~/.config/fish/completions/planrun.fish`)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
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
		for _, n := range names {
			for _, f := range strings.Fields(flagsOf[n]) {
				fmt.Fprintf(e.stdout, "complete -c planrun -n '__fish_seen_subcommand_from %s' -l %s\n", n, strings.TrimPrefix(f, "--"))
			}
		}
	default:
		return usagef("completion: unknown shell %q (want bash, zsh or fish)", rest[0])
	}
	return nil
}

func bashCases() string {
	var b strings.Builder
	for _, c := range commands() {
		if f, ok := flagsOf[c.name]; ok {
			fmt.Fprintf(&b, "      %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", c.name, f)
		}
	}
	return b.String()
}

func zshCases() string {
	var b strings.Builder
	for _, c := range commands() {
		if f, ok := flagsOf[c.name]; ok {
			fmt.Fprintf(&b, "    %s) if [[ $PREFIX == -* ]]; then compadd -- %s; return; fi ;;\n", c.name, f)
		}
	}
	return b.String()
}
