package executor

import (
	"github.com/planrun/planrun/pace"
)

// NewLayer returns the layer of opts over api: opts.Parallel slots, the fixed limiter of
// opts.QPS (a burst of min(Parallel, ceil(QPS))) or with opts.QPSAuto an Adaptive pace
// under the ceiling QPS, opts.RequestTimeout per call, and opts.Retries retries with the
// backoff of opts (the defaults of Options apply). Every entry point of the executor
// builds one from its Options; to share one budget between operations of a process (a
// results beside a run), build it once and pass it as their api: a *pace.Layer given as
// api is used as it is. Calls of a *Counted api are counted in its Counts.
func NewLayer(api API, opts Options) *pace.Layer {
	return layerOf(api, opts.withDefaults())
}

// layerOf is NewLayer with the defaults applied.
func layerOf(api API, o Options) *pace.Layer {
	var counts *pace.Counts
	switch a := api.(type) {
	case *pace.Layer:
		return a
	case *Counted:
		api, counts = a.Service, a.Counts
	}
	var p pace.Pacer = pace.NewFixed(o.QPS, o.Parallel)
	if o.QPSAuto {
		p = pace.NewAdaptive(pace.AdaptiveConfig{Ceiling: o.QPS})
	}
	return pace.New(api, pace.Config{Parallel: o.Parallel, Pacer: p, Retries: o.Retries,
		Timeout: o.RequestTimeout, BackoffBase: o.BackoffBase, BackoffCap: o.BackoffCap,
		Counts: counts, Logger: o.Logger})
}

// RateSpec is a parsed --qps value: see pace.RateSpec.
type RateSpec = pace.RateSpec

// DefaultAutoCeiling is the ceiling of the default --qps auto: see pace.DefaultAutoCeiling.
const DefaultAutoCeiling = pace.DefaultAutoCeiling
