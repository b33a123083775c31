package executor

import (
	"github.com/planrun/planrun/pace"
)

// API is every service operation the executor calls: pace.Service, which *ciapi.Client
// satisfies. Each method of a client is one call, sent once; every entry point of the
// executor sends its calls through one pace.Layer (see NewLayer), which owns the slots,
// the rate limit, the timeout and the retries, and follows pages itself (Pages).
type API = pace.Service

// ResultsAPI is what objects.Results uses: the same one Service (the name is kept for callers).
type ResultsAPI = pace.Service

// LatestAPI is what objects.Latest uses: the same one Service (the name is kept for callers).
type LatestAPI = pace.Service
