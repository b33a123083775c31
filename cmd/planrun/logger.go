package main

import (
	"log/slog"
	"strings"
)

// newLogger makes the slog logger of a command: stderr, text or JSON (--log-format), level from
// PLANRUN_LOG (debug, info, warn, error; default warn).
func newLogger(e *env, format string) (*slog.Logger, error) {
	level := slog.LevelWarn
	switch v := strings.ToLower(e.getenv("PLANRUN_LOG")); v {
	case "", "warn", "warning":
	default:
		return nil, usagef("unknown PLANRUN_LOG=%q (want debug, info, warn or error)", v)
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, usagef("unknown --log-format %q (want text or json)", format)
}
