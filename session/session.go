package session

import (
	"flag"
	"fmt"
	"math"
	"strings"

	"github.com/planrun/planrun/executor"
)

// Group names a flag group a command takes; New registers them.
type Group int

// The flag groups.
const (
	ServiceGroup   Group = 1 << iota // --endpoint, --insecure, --emulator, --state
	RateGroup                        // --qps, --parallel, --retries, --timeout
	SelectionGroup                   // --job, --since, --until, --shard, --exclude
	FilesGroup                       // --exclude alone (validate)
)

// Session is one command invocation: its flag groups, once parsed, and what it opens from
// them. Commands declare their own flags beside the groups; nothing else builds a client,
// a state or executor options.
type Session struct {
	IO      *IO
	Cmd     string // the command's name, first word of its messages
	Service Service
	Rate    Rate
	Select  Selection
	Out     Outputs

	fs      *flag.FlagSet
	groups  Group
	fromEnv map[string]bool // the flags set from the environment (see ApplyEnv)
	shared  map[string]bool // the flags of the groups, which the next-command hints carry
	paths   []string        // the PLAN arguments, as given
}

// New declares the groups on fs, the flag set of command cmd.
func New(fs *flag.FlagSet, cmd string, groups Group) *Session {
	s := &Session{Cmd: cmd, fs: fs, groups: groups, shared: map[string]bool{}}
	before := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { before[f.Name] = true })
	defer fs.VisitAll(func(f *flag.Flag) { s.shared[f.Name] = !before[f.Name] })
	if groups&ServiceGroup != 0 {
		s.Service.Register(fs)
	}
	if groups&RateGroup != 0 {
		s.Rate.Register(fs)
	}
	if groups&SelectionGroup != 0 {
		s.Select.Register(fs)
	} else if groups&FilesGroup != 0 {
		s.Select.Files.Register(fs)
	}
	return s
}

// Start binds the parsed flags to io: the flags the command line left out take their
// value from the environment (EnvVars), and the groups' values are checked.
func (s *Session) Start(io *IO) error {
	s.IO = io
	if io.Getenv == nil {
		io.Getenv = func(string) string { return "" }
	}
	set, err := ApplyEnv(s.fs, io.Getenv)
	if err != nil {
		return err
	}
	s.fromEnv = set
	if s.groups&RateGroup != 0 {
		if s.Service.Emulator && !s.Given("qps") {
			s.Rate.QPS = executor.RateSpec{QPS: EmulatorQPS}
		}
		return s.checkRate()
	}
	return nil
}

// Given reports whether the flag name was set, on the command line or by the environment.
func (s *Session) Given(name string) bool {
	set := false
	s.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// Flag names flag name for a message: "--qps", or "PLANRUN_QPS=x (--qps)" when the value
// came from the environment, so the user knows where to fix it.
func (s *Session) Flag(name string) string {
	if s.fromEnv[name] {
		for _, v := range EnvVars {
			if v.Flag == name {
				return fmt.Sprintf("%s=%s (--%s)", v.Var, s.IO.Getenv(v.Var), name)
			}
		}
	}
	return "--" + name
}

// Usagef is a UsageError starting with the command's name.
func (s *Session) Usagef(format string, args ...any) error {
	return Usagef("%s: %s", s.Cmd, fmt.Sprintf(format, args...))
}

func (s *Session) checkRate() error {
	r := s.Rate
	switch q := r.QPS.QPS; {
	case r.Parallel < 1:
		return s.Usagef("%s must be at least 1", s.Flag("parallel"))
	case math.IsNaN(q) || math.IsInf(q, 0) || q < 0:
		return s.Usagef("%s must be a number of calls per second, 0 (unlimited) or more, or auto, not %v", s.Flag("qps"), q)
	case r.Retries < 0:
		return s.Usagef("%s must not be negative", s.Flag("retries"))
	case r.Timeout <= 0:
		return s.Usagef("%s must be positive", s.Flag("timeout"))
	}
	return nil
}

// CheckService refuses contradictory service flags.
func (s *Session) CheckService() error {
	if s.Service.Emulator && s.Service.Endpoint != "" {
		return s.Usagef("--emulator and --endpoint exclude each other")
	}
	return nil
}

// NeedPlans refuses a command line without PLAN arguments.
func (s *Session) NeedPlans(paths []string) error {
	if len(paths) == 0 {
		return s.Usagef("no plan file given")
	}
	return nil
}

// CheckFormat refuses a --format value outside allowed (a narrower set than the flag's,
// such as run's with --dry-run).
func (s *Session) CheckFormat(allowed []string) error {
	for _, a := range allowed {
		if a == s.Out.Format {
			return nil
		}
	}
	return s.Usagef("unknown --format %q (want one of %s)", s.Out.Format, strings.Join(allowed, ", "))
}
