package plan

import (
	"strings"
	"testing"
)

func TestIsJobNameTakesEveryGenerationOfTheJob(t *testing.T) {
	const src = `version: 1
name: my_plan
defaults: {bucket: examplebucket-1250000000, region: ap-beijing, workflow: w7476ff3564ee45b7b490d64bccaba6cc, timezone: Asia/Shanghai}
jobs:
  - name: days
    prefix: a/
    window: {start: 2024-01-01, end: 2024-01-03, every: 1d}
  - name: one
    object: x/y.mp4
`
	var names [2][]string
	for g, gen := range []string{"", "generation: 7\n"} {
		p := parseOK(t, strings.Replace(src, "version: 1\n", "version: 1\n"+gen, 1))
		for r := range p.Requests() {
			if !IsJobName(r.Name, p.Name, r.Job) {
				t.Errorf("generation %q: IsJobName(%s, %q, %q) = false", gen, r.Name, p.Name, r.Job)
			}
			if IsJobName(r.Name, p.Name, "other") || IsJobName(r.Name, "my_plan2", r.Job) {
				t.Errorf("%s taken as a name of another job or plan", r.Name)
			}
			names[g] = append(names[g], r.Name)
		}
	}
	set := NewNameSet(parseOK(t, src))
	for _, n := range names[0] {
		if !set.Has(n) {
			t.Errorf("the set of generation 1 lacks %s", n)
		}
	}
	for _, n := range names[1] {
		if set.Has(n) {
			t.Errorf("the set of generation 1 holds %s of generation 7", n)
		}
	}
	for _, bad := range []string{
		"my_plan-days-", "my_plan-days-20240101T0000-0123", "my_plan-days-20240101T0000-0123456789ABCDEF",
		"my_plan-days-2024T0000-0123456789abcdef", "my_plan-days-x0123456789abcdef", "other-days-0123456789abcdef",
	} {
		if IsJobName(bad, "my_plan", "days") {
			t.Errorf("IsJobName(%q) = true", bad)
		}
	}
}
