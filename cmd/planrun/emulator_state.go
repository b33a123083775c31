package main

import (
	"strconv"

	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/session"
)

// The environment variables that change the in-process emulator's failing objects, named
// after planrun emulator's --object-fail-rate and --permanent-share (its --fail-rate is
// the batch jobs'). envEmulatorFailRateOld is the object rate's first name, still read
// when the new one is not set.
const (
	envEmulatorFailRate       = "PLANRUN_EMULATOR_OBJECT_FAIL_RATE"
	envEmulatorFailRateOld    = "PLANRUN_EMULATOR_FAIL_RATE"
	envEmulatorPermanentShare = "PLANRUN_EMULATOR_PERMANENT_SHARE"
)

// emulatorOptions configures the in-process emulator of --emulator.
func emulatorOptions(e *env, statePath string) (emulator.Options, error) {
	opts := emulator.InProcessOptions(statePath)
	if err := emulator.CheckStateFile(opts.StateFile); err != nil {
		return emulator.Options{}, session.UsageError{Err: err}
	}
	for _, v := range []struct {
		name string
		dst  *float64
	}{{envEmulatorFailRateOld, &opts.Objects.FailRate}, {envEmulatorFailRate, &opts.Objects.FailRate}, {envEmulatorPermanentShare, &opts.Objects.PermanentShare}} {
		if s := e.getenv(v.name); s != "" {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || x < 0 || x > 1 {
				return emulator.Options{}, usagef("%s=%q: want a fraction between 0 and 1", v.name, s)
			}
			*v.dst = x
		}
	}
	return opts, nil
}
