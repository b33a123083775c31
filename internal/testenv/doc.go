// Package testenv is the environment planrun's tests share: one emulator starter (the
// emulator on loopback and a real signed client that dials it) and one plan generator (a plan
// of a given shape and size, as YAML, as a file or parsed).
//
// Only tests import it (a test of the module holds that). The emulator's and ciapi's own
// internal tests cannot: testenv imports their packages.
package testenv
