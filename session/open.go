package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report/safetext"
	"github.com/planrun/planrun/state"
)

// Client opens the API client: the real service with the environment's credentials, or
// an in-process emulator. close ends the emulator, if any.
func (s *Session) Client() (c *ciapi.Client, close func(), err error) {
	if err := s.CheckService(); err != nil {
		return nil, nil, err
	}
	cfg := ciapi.Config{Endpoint: s.Service.Endpoint, Timeout: s.Rate.Timeout, AllowInsecure: s.Service.Insecure}
	closeFn := func() {}
	if s.Service.Emulator {
		opts := emulator.InProcessOptions(s.Service.StatePath())
		if s.IO.Emulator != nil {
			if opts, err = s.IO.Emulator(s.Service.StatePath()); err != nil {
				return nil, nil, err
			}
		}
		emu, err := emulator.Start(opts)
		if errors.Is(err, emulator.ErrStateFile) {
			return nil, nil, UsageError{err} // the user has to move the file, as a foreign state
		}
		if err != nil {
			return nil, nil, fmt.Errorf("start emulator: %w", err)
		}
		closeFn = func() {
			if err := emu.Close(); err != nil {
				s.IO.Warnf("%v", err)
			}
		}
		cfg.Endpoint = emu.URL
		cfg.Credentials = ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey}
	} else {
		if cfg.Credentials, err = s.Credentials(); err != nil {
			return nil, nil, err
		}
	}
	c, err = ciapi.New(cfg)
	if err != nil {
		closeFn()
		switch {
		case errors.Is(err, ciapi.ErrInsecureEndpoint):
			return nil, nil, s.Usagef("--endpoint: plain http is only allowed to a loopback address; use https, or add --insecure to send in clear text anyway")
		case errors.Is(err, ciapi.ErrInvalidEndpoint):
			return nil, nil, UsageError{fmt.Errorf("%s: %s: %w; want a URL such as http://127.0.0.1:9000 or https://{bucket}.ci.{region}.myqcloud.com", s.Cmd, s.Flag("endpoint"), err)}
		}
		return nil, nil, UsageError{err}
	}
	return c, closeFn, nil
}

// Credentials reads the key pair from the environment, naming exactly what is missing.
func (s *Session) Credentials() (ciapi.Credentials, error) {
	creds, err := ciapi.CredentialsFromEnv(s.IO.Getenv)
	if err == nil {
		return creds, nil
	}
	if !errors.Is(err, ciapi.ErrNoCredentials) {
		return creds, UsageError{err}
	}
	hint := ", or use --emulator"
	if s.Cmd == "run" {
		hint += " or --dry-run"
	}
	return creds, s.Usagef("%s%s", ciapi.MissingFromEnv(s.IO.Getenv), hint)
}

// Access is how a command opens the state file.
type Access int

// The ways of opening the state.
const (
	// Locked opens (or creates) the state for writing, holding its lock: run and retry.
	Locked Access = iota
	// Shared opens (or creates) the state with its lock when no other planrun holds it;
	// while one does, or when it cannot be written, for reading only, and says so: cancel.
	Shared
	// Existing opens the state if there is one (nil otherwise), for writing without the
	// lock when it can be written and is of the current format (an older one is left as
	// it is), else for reading: results, status, retry --dry-run.
	Existing
	// Writable opens the state if there is one (nil otherwise), for writing without the
	// lock; a state that cannot be written is an error: status --refresh.
	Writable
	// ReadOnly opens the state if there is one (nil otherwise), never writing it: dry runs.
	ReadOnly
)

// OpenState opens the state file as access says and, when check is set, refuses a state
// that belongs to another endpoint. Errors are UsageErrors (exit 2).
func (s *Session) OpenState(ctx context.Context, access Access, check bool) (*state.Store, error) {
	path := s.Service.StatePath()
	if access >= Existing && !FileExists(path) {
		return nil, nil
	}
	store, err := s.openState(ctx, path, access)
	if err == nil && check {
		if err = store.CheckEndpoint(ctx, s.Service.Label()); err != nil {
			store.Close()
		}
	}
	if err != nil {
		return nil, UsageError{fmt.Errorf("%s: %w", s.Cmd, err)}
	}
	return store, nil
}

// closeState closes a state the command opened. Closing commits what the writer still
// holds: a failure there (the disk full, the file taken away) is said, not dropped; the
// outcomes it loses are found again on the service by the next run.
func (s *Session) closeState(store *state.Store) {
	if err := store.Close(); err != nil {
		s.IO.Warnf("%v: the last outcomes may not be recorded; the next run finds their batch jobs on the service by name", err)
	}
}

func (s *Session) openState(ctx context.Context, path string, access Access) (*state.Store, error) {
	if access == ReadOnly {
		return state.OpenReadOnly(path)
	}
	var store *state.Store
	var err error
	if access == Existing {
		store, err = state.OpenOrRead(path) // an older state file is read as it is, not migrated
	} else {
		store, err = state.OpenContext(ctx, path) // a Ctrl-C stops a conversion, the file left as it was
	}
	switch {
	case (access == Shared || access == Existing) && errors.Is(err, state.ErrReadOnly):
		return state.OpenReadOnly(path)
	case access == Existing || access == Writable:
		return store, err
	case err == nil:
		if err = store.Lock(); err == nil {
			return store, nil
		}
		store.Close()
	}
	// Held by another planrun: seen by Lock, or by Open for an older file it would convert.
	if access == Shared && errors.Is(err, state.ErrStateInUse) {
		s.IO.Warnf("%s is in use by another planrun: cancelling through the service only, the state is left to it (a run --wait sees the jobs cancelled on its next poll)", path)
		return state.OpenReadOnly(path)
	}
	return nil, err
}

// Options are the executor options of the groups: slots, rate, retries, timeout, and the
// selection's filter.
func (s *Session) Options(log *slog.Logger, filter func(*plan.Request) bool) executor.Options {
	r := s.Rate
	opts := executor.Options{Parallel: r.Parallel, QPS: r.QPS.QPS, QPSAuto: r.QPS.Auto, Retries: r.Retries,
		RequestTimeout: r.Timeout, Logger: log, Filter: filter}
	if r.Retries == 0 {
		opts.Retries = -1 // --retries 0 is none; the executor's 0 is its default
	}
	return opts
}

// FileExists reports whether something is at path.
func FileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// configHint follows an error that says the service refused planrun's configuration.
const configHint = `planrun: check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SECURITY_TOKEN for
temporary keys), the account's permissions on the bucket, this machine's clock, and --endpoint
`

// serviceError maps an error that the service's refusal of the configuration, or an
// unreachable endpoint, caused to Usage (said on stderr, with the hint); others are
// returned as they are.
func (s *Session) serviceError(err error) error {
	if errors.Is(err, ciapi.ErrUnreachable) || errors.Is(err, ciapi.ErrCertificate) {
		// One line, "cannot reach <endpoint>: connection refused", not every call that met it.
		if reason := ciapi.ReachReason(err); reason != "" {
			s.IO.Warnf("%s", reason)
		} else {
			s.IO.Warnf("%v", err)
		}
		return Usage
	}
	if ciapi.IsConfigError(err) {
		fmt.Fprintf(s.IO.Stderr, "planrun: %s\n%s", safetext.Text(err.Error()), configHint)
		return Usage
	}
	return err
}
