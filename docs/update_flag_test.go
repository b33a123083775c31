package docs_test

import "flag"

// update is accepted so that `go test ./... -update` (which refreshes the golden files of the
// packages that have them) also runs here.
var _ = flag.Bool("update", false, "rewrite golden files (this package has none)")
