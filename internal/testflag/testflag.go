// Package testflag declares the flags every planrun test binary accepts, once: `go test ./...
// -update` refreshes the golden files of the packages that have them, and every other package
// must accept the flag too or the whole command fails. A package whose tests read golden files
// uses Update; every other package with tests imports this one blank.
//
// Only tests import it: a command that did would show -update in its own flags.
package testflag

import "flag"

// Update makes golden tests rewrite testdata instead of comparing with it: go test ./... -update.
var Update = flag.Bool("update", false, "rewrite the golden files (testdata) instead of comparing with them")
