package session

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/planrun/planrun/report/safetext"
)

// Logger makes the command's slog logger on stderr: text or JSON (--log-format), level from
// PLANRUN_LOG (debug, info, warn, error; default warn). At the default level in text, the
// warnings a user meets (a settle wait, a full queue) are plain "planrun: ..." lines, not
// "time=… level=WARN" records; PLANRUN_LOG=info or debug gives the records.
func (s *Session) Logger(format string) (*slog.Logger, error) {
	level := slog.LevelWarn
	v := strings.ToLower(s.IO.Getenv("PLANRUN_LOG"))
	switch v {
	case "", "warn", "warning":
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	default:
		return nil, Usagef("unknown PLANRUN_LOG=%q (want debug, info, warn or error)", v)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch {
	case format == "json":
		return slog.New(slog.NewJSONHandler(safetext.JSONWriter(s.IO.Stderr), opts)), nil
	case format != "text" && format != "":
		return nil, Usagef("unknown --log-format %q (want text or json)", format)
	case v == "":
		return slog.New(plainHandler{io: s.IO}), nil
	}
	return slog.New(safetext.TextHandler(s.IO.Stderr, opts)), nil
}

// plainHandler writes warnings and errors as one human line each, through the console so
// that a live progress line is not torn: "planrun: waiting for … (plan small, wait 4s)".
type plainHandler struct {
	io    *IO
	attrs []slog.Attr
}

func (h plainHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h plainHandler) Handle(_ context.Context, r slog.Record) error {
	var parts []string
	add := func(a slog.Attr) bool {
		parts = append(parts, fmt.Sprintf("%s %v", strings.ReplaceAll(a.Key, "_", " "), a.Value))
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	msg := "planrun: " + r.Message
	if len(parts) > 0 {
		msg += " (" + strings.Join(parts, ", ") + ")"
	}
	h.io.Console().Println(safetext.Line(msg))
	return nil
}

func (h plainHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return plainHandler{io: h.io, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h plainHandler) WithGroup(string) slog.Handler { return h }
