package executor

import (
	"golang.org/x/time/rate"

	"github.com/planrun/planrun/ciapi"
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

// CodeQueueSaturated is the service's answer when a queue holds too many unfinished jobs;
// the pacer treats it as back-pressure, like throttling.
const CodeQueueSaturated = ciapi.CodeQueueSaturated

// Pacer decides when calls may start: see pace.Pacer.
type Pacer = pace.Pacer

// RateSpec is a parsed --qps value: see pace.RateSpec.
type RateSpec = pace.RateSpec

// MinQPS is the lowest rate a --qps value may name besides 0: see pace.MinQPS.
const MinQPS = pace.MinQPS

// ParseRateSpec reads a --qps value: see pace.ParseRateSpec.
func ParseRateSpec(v string) (RateSpec, error) { return pace.ParseRateSpec(v) }

// IsThrottle reports whether err asks the client to send more slowly: see pace.IsThrottle.
func IsThrottle(err error) bool { return pace.IsThrottle(err) }

// NewPacer returns the pacer of spec for parallel slots: a fixed limiter (see
// pace.NewFixed), or an adaptive pace.
func NewPacer(spec RateSpec, parallel int) Pacer {
	if spec.Auto {
		return pace.NewAdaptive(pace.AdaptiveConfig{Ceiling: spec.QPS})
	}
	return pace.NewFixed(spec.QPS, parallel)
}

// FixedPacer adapts a fixed limiter (--qps R) to Pacer: answers do not change it.
func FixedPacer(l *rate.Limiter) Pacer { return pace.FixedOf(l) }

// Adaptive is the pace of --qps auto: see pace.Adaptive.
type Adaptive = pace.Adaptive

// AdaptiveConfig tunes an Adaptive pace: see pace.AdaptiveConfig.
type AdaptiveConfig = pace.AdaptiveConfig

// NewAdaptive returns an adaptive pace: see pace.NewAdaptive.
func NewAdaptive(c AdaptiveConfig) *Adaptive { return pace.NewAdaptive(c) }

// DefaultAutoCeiling is the ceiling of the default --qps auto: see pace.DefaultAutoCeiling.
const DefaultAutoCeiling = pace.DefaultAutoCeiling
