package session

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// The warnings a user meets at the default log level are plain lines, not slog records;
// PLANRUN_LOG=info gives the records.
func TestWarningsArePlainLines(t *testing.T) {
	for _, tc := range []struct {
		level      string
		want, nope string
	}{
		{"", "planrun: waiting for creates to settle (plan small, wait 4s)\n", "level=WARN"},
		{"info", "level=WARN", "planrun: waiting"},
	} {
		var errb bytes.Buffer
		s := &Session{IO: &IO{Stderr: &errb, Getenv: func(k string) string {
			if k == "PLANRUN_LOG" {
				return tc.level
			}
			return ""
		}}}
		log, err := s.Logger("text")
		if err != nil {
			t.Fatal(err)
		}
		log.Warn("waiting for creates to settle", "plan", "small", "wait", "4s")
		log.Debug("not shown")
		if got := errb.String(); !strings.Contains(got, tc.want) || strings.Contains(got, tc.nope) || strings.Contains(got, "not shown") {
			t.Errorf("PLANRUN_LOG=%q: %q", tc.level, got)
		}
	}
}

// A flag given wins over its variable; a variable fills a flag left out, and is then
// named in messages about its value.
func TestApplyEnv(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	s := New(fs, "x", ServiceGroup|RateGroup)
	if err := fs.Parse([]string{"--parallel", "3"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PLANRUN_PARALLEL": "9", "PLANRUN_QPS": "0.5", "PLANRUN_STATE": "e.db"}
	if err := s.Start(&IO{Getenv: func(k string) string { return env[k] }}); err != nil {
		t.Fatal(err)
	}
	if s.Rate.Parallel != 3 || s.Rate.QPS.QPS != 0.5 || s.Service.StatePath() != "e.db" {
		t.Errorf("parallel %d, qps %v, state %s; want 3 (the flag), 0.5 and e.db (the environment)", s.Rate.Parallel, s.Rate.QPS.QPS, s.Service.StatePath())
	}
	if got := s.Flag("qps"); got != "PLANRUN_QPS=0.5 (--qps)" {
		t.Errorf("Flag(qps) = %q", got)
	}
	if got := s.Flag("parallel"); got != "--parallel" {
		t.Errorf("Flag(parallel) = %q", got)
	}
}
