package help

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
	b.WriteString(reflow(usage) + "\n")
	head := b.Len()
	fs.VisitAll(func(f *flag.Flag) {
		if b.Len() == head {
			b.WriteString("\nFlags:\n")
		}
		typ, text := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if typ != "" {
			b.WriteString(" " + typ)
		}
		if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "0s" {
			text += fmt.Sprintf(" (default %s)", def)
		}
		b.WriteString("\n" + wrap(text, "      ") + "\n")
	})
	_, err := io.WriteString(w, b.String())
	return err
}

// helpWidth is the width help text is wrapped to: an 80-column terminal.
const helpWidth = 79

// reflow rewraps the prose of a usage text (runs of lines that do not start with a space)
// to helpWidth; indented lines (examples) and blank lines are kept as they are.
func reflow(text string) string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, wrap(strings.Join(para, " "), ""))
			para = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, " ") || (strings.HasSuffix(line, ":") && len(line) <= helpWidth) {
			flush()
			out = append(out, line)
			continue
		}
		para = append(para, line)
	}
	flush()
	return strings.Join(out, "\n")
}

// wrap breaks text into lines of at most helpWidth columns, each starting with indent.
func wrap(text, indent string) string {
	var lines []string
	line := indent
	for _, w := range strings.Fields(text) {
		if line != indent && len(line)+1+len(w) > helpWidth {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}
