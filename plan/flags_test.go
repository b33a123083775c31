package plan

import "flag"

// update rewrites golden files instead of comparing with them: go test ./plan -update
var update = flag.Bool("update", false, "rewrite golden files")
