package session

import (
	"fmt"
	"io"
	"sync"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/report/progress"
	"github.com/planrun/planrun/report/safetext"
)

// IO is what a command may read from and write to the outside world; cmd fills it in from
// the process, tests from buffers and maps.
type IO struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	StdoutTTY      bool       // stdout is a terminal: colour in the summary
	StderrTTY      bool       // stderr is a terminal: a live progress line
	ErrWidth       func() int // the width of stderr's terminal, 0 when unknown
	OutWidth       func() int // the width of stdout's terminal, 0 when unknown
	Args           []string   // the command line after "planrun", for the summary's next steps
	// Emulator configures the in-process emulator of --emulator for a state file; nil
	// means emulator.InProcessOptions.
	Emulator func(statePath string) (emulator.Options, error)

	once sync.Once
	cons *progress.Console
}

// Console is stderr shared by the live progress line, messages and the signal handler.
func (o *IO) Console() *progress.Console {
	o.once.Do(func() { o.cons = progress.NewConsole(o.Stderr, o.StderrTTY, o.ErrWidth) })
	return o.cons
}

// Color reports whether stdout gets colour: a terminal, and NO_COLOR unset.
func (o *IO) Color() bool { return o.StdoutTTY && o.getenv("NO_COLOR") == "" }

// Warnf prints one "planrun: " line on stderr.
func (o *IO) Warnf(format string, args ...any) {
	fmt.Fprintf(o.Stderr, "planrun: %s\n", safetext.Text(fmt.Sprintf(format, args...)))
}

func (o *IO) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

// GridWidth is the width to draw the grid in: TableWidth.
func (o *IO) GridWidth() int { return o.TableWidth() }

// TableWidth is the width text output fits: stdout's terminal's when it is one, else
// $COLUMNS, else 80 (report.TableWidth).
func (o *IO) TableWidth() int {
	term := 0
	if o.StdoutTTY && o.OutWidth != nil {
		term = o.OutWidth()
	}
	return report.TableWidth(term, o.getenv("COLUMNS"))
}

// TableOptions are the report options of the text tables: the width and --wide of out.
func (o *IO) TableOptions(out *Outputs) []report.Option {
	return []report.Option{report.WithWidth(o.TableWidth()), report.WithWide(out.Wide)}
}
