package safetext

import (
	"fmt"
	"io"
	"log/slog"
)

// TextHandler returns a slog text handler on w whose records are safe on a terminal and
// in a CI log, whatever the strings logged (a path, a host or a name a client sent, a
// message from the service): the message and every string, error or Stringer value go
// through Line (opts.ReplaceAttr, if any, runs first), and the whole record through
// CommandWriter. A record is therefore one line with no control, invisible or
// bidirectional character and no workflow command, whatever it holds.
func TextHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	o := slog.HandlerOptions{}
	if opts != nil {
		o = *opts
	}
	replace := o.ReplaceAttr
	o.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if replace != nil {
			a = replace(groups, a)
		}
		return LogAttr(groups, a)
	}
	// The handler writes each record in one Write under its own lock, which is what
	// CommandWriter (not safe for concurrent use) needs.
	return slog.NewTextHandler(CommandWriter(w), &o)
}

// LogAttr returns a with a string, error or Stringer value made safe by Line; other
// values (numbers, times, durations) are left as they are. It has the signature of
// slog.HandlerOptions.ReplaceAttr.
func LogAttr(_ []string, a slog.Attr) slog.Attr {
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		if s := v.String(); needsLine(s) {
			a.Value = slog.StringValue(Line(s))
		}
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			a.Value = slog.StringValue(Line(x.Error()))
		case fmt.Stringer:
			a.Value = slog.StringValue(Line(x.String()))
		}
	}
	return a
}
