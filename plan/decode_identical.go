package plan

import (
	"fmt"
	"strconv"

	"github.com/planrun/planrun/plan/request"
)

// identicalBudget bounds how many windows checkIdentical renders for one plan: beyond it,
// windowed jobs are compared on the windows rendered so far (the check is a help, not a
// guarantee).
const identicalBudget = 1 << 18

// checkIdentical reports every job that expands to a request identical to one of an
// earlier job: the same body apart from the Name (bucket, region, type, input, workflow or
// node, and window). Such a pair would make the service process the same objects twice.
// index[i] is the position of p.Jobs[i] in the file's jobs list.
func (l *loader) checkIdentical(p *Plan, index []int) {
	type seenCombo struct{ job int }
	first := make(map[string]seenCombo, len(p.Jobs))
	windows := map[int]map[string]bool{} // rendered windows of a job, built on demand
	budget := identicalBudget
	render := func(j *Job) map[string]bool {
		set := map[string]bool{}
		for s, e := range j.Windows() {
			if budget--; budget < 0 || len(set) == identicalBudget/4 {
				break // the windows so far still catch the usual case: the same window list
			}
			set[s.Format(TimeLayout)+" "+e.Format(TimeLayout)] = true
		}
		return set
	}
	reported := map[[2]int]bool{}
	var buf []byte // one canonical key at a time; the map copies the keys it keeps
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		kind, inputs := j.inputList()
		windowed := kind == InputPrefix && j.Window != nil
		for _, in := range inputs {
			for _, wf := range j.workflowList() {
				r := Request{Key: request.Key{Bucket: j.Bucket, Region: j.Region, Type: j.serviceType(),
					InputKind: kind, Input: in, Workflow: wf}}
				if r.Type == svcTypeJob {
					r.Node = j.Node
				}
				buf = appendCanonical(append(buf[:0], boolByte(windowed)), &r)
				prev, dup := first[string(buf)]
				if !dup {
					first[string(buf)] = seenCombo{ji}
					continue
				}
				if reported[[2]int{prev.job, ji}] {
					continue
				}
				what := fmt.Sprintf("%s %q", kind, in)
				if wf != "" {
					what += fmt.Sprintf(" with workflow %s", wf)
				}
				if windowed {
					pw, ok := windows[prev.job]
					if !ok {
						pw = render(&p.Jobs[prev.job])
						windows[prev.job] = pw
					}
					window, found := sameWindow(j, pw, &budget)
					if !found {
						continue
					}
					what += ", window " + window
				}
				reported[[2]int{prev.job, ji}] = true
				pj := &p.Jobs[prev.job]
				l.check([]string{"jobs", strconv.Itoa(index[ji]), "name"}, false,
					"job %q expands to a request identical to one of job %q (line %d): %s; the service would process the same objects twice, so remove one or make them differ",
					j.Name, pj.Name, pj.Pos.Line, what)
			}
		}
	}
}

// sameWindow returns the first window of j (rendered) that set holds.
func sameWindow(j *Job, set map[string]bool, budget *int) (string, bool) {
	if set == nil {
		return "", false
	}
	for s, e := range j.Windows() {
		if *budget--; *budget < 0 {
			return "", false
		}
		if k := s.Format(TimeLayout) + " " + e.Format(TimeLayout); set[k] {
			return s.Format(TimeLayout) + " to " + e.Format(TimeLayout), true
		}
	}
	return "", false
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
