package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi/emulator"
)

// Defaults of the in-process emulator's objects (--emulator): a few objects fail, a share
// of them on every attempt, so that results and retry have something to show. The
// environment variables below change them.
const (
	defaultEmulatorFailRate       = 0.02
	defaultEmulatorPermanentShare = 0.25

	envEmulatorFailRate       = "PLANRUN_EMULATOR_FAIL_RATE"
	envEmulatorPermanentShare = "PLANRUN_EMULATOR_PERMANENT_SHARE"
)

// emulatorStateFile is where the in-process emulator keeps what it holds between
// invocations, beside the state: .planrun/emulator.json for .planrun/emulator.db, and
// <state without extension>.emulator.json for any other state file.
func emulatorStateFile(statePath string) string {
	base := strings.TrimSuffix(statePath, filepath.Ext(statePath))
	if filepath.Base(base) != "emulator" {
		base += ".emulator"
	}
	return base + ".json"
}

// emulatorOptions configures the in-process emulator of --emulator.
func emulatorOptions(e *env, statePath string) (emulator.Options, error) {
	objs := emulator.ObjectOptions{FailRate: defaultEmulatorFailRate, PermanentShare: defaultEmulatorPermanentShare}
	for _, v := range []struct {
		name string
		dst  *float64
	}{{envEmulatorFailRate, &objs.FailRate}, {envEmulatorPermanentShare, &objs.PermanentShare}} {
		s := e.getenv(v.name)
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 || x > 1 {
			return emulator.Options{}, usagef("%s=%q: want a fraction between 0 and 1", v.name, s)
		}
		*v.dst = x
	}
	return emulator.Options{SubmittedFor: time.Second, RunningFor: 2 * time.Second, Objects: objs,
		StateFile: emulatorStateFile(statePath)}, nil
}
