package help

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// CompletionCommand is a command and its flags ("--name"), for a completion script.
// Values are the fixed choices of the flags that have them ("--format": text, json, ...):
// after such a flag the script offers them instead of file names.
type CompletionCommand struct {
	Name   string
	Flags  []string
	Values map[string][]string
}

// valueCases renders, for each command and flag with fixed values, one case of line,
// which is given the command, the flag and the values joined by spaces.
func valueCases(cmds []CompletionCommand, line string) string {
	var b strings.Builder
	for _, c := range cmds {
		flags := make([]string, 0, len(c.Values))
		for f := range c.Values {
			flags = append(flags, f)
		}
		sort.Strings(flags)
		for _, f := range flags {
			fmt.Fprintf(&b, line, c.Name, f, strings.Join(c.Values[f], " "))
		}
	}
	return b.String()
}

// WriteCompletion writes the completion script of shell (bash, zsh or fish) for cmds; it
// returns an error for another shell.
func WriteCompletion(w io.Writer, shell string, cmds []CompletionCommand) error {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	all := strings.Join(names, " ")
	var b strings.Builder
	switch shell {
	case "bash":
		var cases strings.Builder
		for _, c := range cmds {
			fmt.Fprintf(&cases, "      %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", c.Name, strings.Join(c.Flags, " "))
		}
		fmt.Fprintf(&b, `# bash completion for planrun
_planrun() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} prev=${COMP_WORDS[COMP_CWORD-1]}
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W %q -- "$cur")); return; fi
  case "$cmd $prev" in
%s  esac
  case "$cur" in
    -*) case "$cmd" in
%s      esac ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -o filenames -F _planrun planrun
`, all+" help", valueCases(cmds, "    \"%s %s\") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n"), cases.String())
	case "zsh":
		var cases strings.Builder
		for _, c := range cmds {
			fmt.Fprintf(&cases, "    %s) if [[ $PREFIX == -* ]]; then compadd -- %s; return; fi ;;\n", c.Name, strings.Join(c.Flags, " "))
		}
		fmt.Fprintf(&b, `#compdef planrun
_planrun() {
  if (( CURRENT == 2 )); then compadd -- %s help; return; fi
  case "$words[2] $words[CURRENT-1]" in
%s  esac
  case $words[2] in
%s  esac
  _files
}
compdef _planrun planrun
`, all, valueCases(cmds, "    \"%s %s\") compadd -- %s; return ;;\n"), cases.String())
	case "fish":
		fmt.Fprintf(&b, "# fish completion for planrun\ncomplete -c planrun -f -n __fish_use_subcommand -a '%s help'\n", all)
		for _, c := range cmds {
			for _, f := range c.Flags {
				fmt.Fprintf(&b, "complete -c planrun -n '__fish_seen_subcommand_from %s' -l %s", c.Name, strings.TrimPrefix(f, "--"))
				if v, ok := c.Values[f]; ok {
					fmt.Fprintf(&b, " -x -a '%s'", strings.Join(v, " "))
				}
				b.WriteString("\n")
			}
		}
	default:
		return fmt.Errorf("unknown shell %q (want bash, zsh or fish)", shell)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
