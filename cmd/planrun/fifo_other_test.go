//go:build !unix

package main

import "errors"

// mkfifo fails where there are no FIFOs; the tests that need one skip that case.
func mkfifo(string) error { return errors.ErrUnsupported }
