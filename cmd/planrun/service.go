package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
)

// serviceFlags are the flags of the commands that reach the service (run, status, cancel),
// declared in one place with the client they make.
type serviceFlags struct {
	endpoint string
	insecure bool
	timeout  time.Duration
	emulator bool
	state    string
}

// register declares the flags on fs.
func (f *serviceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", "", "where requests go: a base URL, or a template with {bucket} and {region} (default https://{bucket}.ci.{region}.myqcloud.com)")
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain http to an endpoint that is not on loopback")
	fs.DurationVar(&f.timeout, "timeout", executor.DefaultRequestTimeout, "timeout of each API call")
	fs.BoolVar(&f.emulator, "emulator", false, "use an in-process CI emulator on loopback (no account needed) and its own state file; it keeps its jobs beside the state")
	fs.Var(statePathValue{&f.state}, "state", "state `file` (default .planrun/state.db; .planrun/emulator.db with --emulator)")
}

// statePathValue is the --state flag: a path, never empty (an empty value would silently
// mean the default file).
type statePathValue struct{ p *string }

func (v statePathValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v statePathValue) Set(s string) error {
	if s == "" {
		return errors.New("the path is empty; name a file, or leave --state out for the default")
	}
	*v.p = s
	return nil
}

// statePath is the state file: --state, or the default of the target.
func (f *serviceFlags) statePath() string {
	switch {
	case f.state != "":
		return f.state
	case f.emulator:
		return ".planrun/emulator.db"
	}
	return ".planrun/state.db"
}

// label names where requests go, for reports (never credentials).
func (f *serviceFlags) label() string {
	switch {
	case f.emulator:
		return "emulator"
	case f.endpoint != "":
		return f.endpoint
	}
	return "https://{bucket}.ci.{region}.myqcloud.com"
}

// check refuses contradictory flags before anything else happens.
func (f *serviceFlags) check(cmd string) error {
	if f.emulator && f.endpoint != "" {
		return usagef("%s: --emulator and --endpoint exclude each other", cmd)
	}
	if f.timeout <= 0 {
		return usagef("%s: --timeout must be positive", cmd)
	}
	return nil
}

// client builds the API client: the real service, or an in-process emulator.
func (f *serviceFlags) client(e *env, cmd string) (*ciapi.Client, func(), error) {
	if err := f.check(cmd); err != nil {
		return nil, nil, err
	}
	cfg := ciapi.Config{Endpoint: f.endpoint, Timeout: f.timeout, AllowInsecure: f.insecure}
	closeFn := func() {}
	if f.emulator {
		opts, err := emulatorOptions(e, f.statePath())
		if err != nil {
			return nil, nil, err
		}
		emu, err := emulator.Start(opts)
		if err != nil {
			return nil, nil, fmt.Errorf("start emulator: %w", err)
		}
		closeFn = func() {
			if err := emu.Close(); err != nil {
				fmt.Fprintf(e.stderr, "planrun: %v\n", err)
			}
		}
		cfg.Endpoint = emu.URL
		cfg.Credentials = ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey}
	} else {
		creds, err := credentials(e, cmd)
		if err != nil {
			return nil, nil, err
		}
		cfg.Credentials = creds
	}
	c, err := ciapi.New(cfg)
	if err != nil {
		closeFn()
		switch {
		case errors.Is(err, ciapi.ErrInsecureEndpoint):
			return nil, nil, usagef("%s: --endpoint: plain http is only allowed to a loopback address; use https, or add --insecure to send in clear text anyway", cmd)
		case errors.Is(err, ciapi.ErrInvalidEndpoint):
			return nil, nil, usageError{fmt.Errorf("%s: --endpoint: %w; want a URL such as http://127.0.0.1:9000 or https://{bucket}.ci.{region}.myqcloud.com", cmd, err)}
		}
		return nil, nil, usageError{err}
	}
	return c, closeFn, nil
}

// credentials reads the key pair from the environment, naming exactly what is missing.
func credentials(e *env, cmd string) (ciapi.Credentials, error) {
	creds, err := ciapi.CredentialsFromEnv(e.getenv)
	if err == nil {
		return creds, nil
	}
	if !errors.Is(err, ciapi.ErrNoCredentials) {
		return creds, usageError{err}
	}
	missing := ciapi.MissingFromEnv(e.getenv)
	hint := ", or use --emulator"
	if cmd == "run" {
		hint += " or --dry-run"
	}
	return creds, usagef("%s: %s%s", cmd, missing, hint)
}
