package follow

import (
	"strings"
	"testing"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// retryBase reads back every retry Name plan.RetryName makes, including cut ones, and
// nothing else; kin recognises a retry of a request from its Name alone.
func TestRetryNamesAreRecognised(t *testing.T) {
	p := testenv.Hourly("kin", 3, 1).Parse(t)
	var names executor.NameSet
	k := newKin(&names)
	var reqs []plan.Request
	for r := range p.Requests() {
		names.Add(r.Name, p.Count())
		reqs = append(reqs, r)
	}
	long := strings.Repeat("x", plan.MaxNameLen-plan.NameHashLen-1) + "-0123456789abcdef"
	names.Add(long, 0)
	names.Seal()
	for _, r := range reqs {
		k.addRequest(r.Name, p.Count())
	}
	k.addRequest(long, 0)
	k.seal()
	for _, origin := range append(names2(reqs), long) {
		for _, attempt := range []int{2, 3, 10, 123} {
			n := plan.RetryName(origin, "w7476ff3564ee45b7b490d64bccaba6cc", "in/a b.mp4", attempt)
			if sp, ok := k.derived(p.Name, n); !ok || sp != plan.RetryPlan(p.Name) {
				t.Errorf("retry %s of %s not recognised", n, origin)
			}
		}
	}
	other := plan.RetryName("kin-hourly-20990101T0000-0123456789abcdef", "w", "o", 2)
	for _, n := range append(names2(reqs), other, "kin-hourly-retry2-xyz", "kin-hourly-retry1-0123456789abcdef") {
		if _, ok := k.derived(p.Name, n); ok {
			t.Errorf("%s taken for a retry of the plan's requests", n)
		}
	}
}

func names2(reqs []plan.Request) []string {
	out := make([]string, len(reqs))
	for i := range reqs {
		out[i] = reqs[i].Name
	}
	return out
}
