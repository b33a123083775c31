package report

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// CommandInfo names a command and says in a line what it does, for the usage.
type CommandInfo struct{ Name, Summary string }

// WriteUsage writes planrun's usage: what it is, its commands, and the exit statuses.
func WriteUsage(w io.Writer, cmds []CommandInfo) error {
	var b strings.Builder
	b.WriteString("planrun turns YAML plan files into Cloud Infinite batch processing jobs.\n\nUsage:\n" +
		"  planrun <command> [flags] [args]\n\nCommands:\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-11s %s\n", c.Name, c.Summary)
	}
	b.WriteString("\nRun 'planrun <command> --help' for a command's flags and examples.\n" +
		"Exit status: 0 all good; 1 invalid plan or failed request/job; 2 bad usage or configuration; 130 interrupted.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteHelp writes a command's help: its usage text, then its flags under a "Flags:"
// heading (none when it has no flag), each as "  --name type" and its description, with
// the default when it is not the zero value.
func WriteHelp(w io.Writer, usage string, fs *flag.FlagSet) error {
	var b strings.Builder
	b.WriteString(usage + "\n")
	fs.VisitAll(func(f *flag.Flag) {
		if b.Len() == len(usage)+1 {
			b.WriteString("\nFlags:\n")
		}
		typ, text := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if typ != "" {
			b.WriteString(" " + typ)
		}
		b.WriteString("\n      " + strings.ReplaceAll(text, "\n", "\n      "))
		if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "0s" {
			fmt.Fprintf(&b, " (default %s)", def)
		}
		b.WriteString("\n")
	})
	_, err := io.WriteString(w, b.String())
	return err
}
