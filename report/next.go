package report

import (
	"fmt"
	"strings"

	"github.com/planrun/planrun/executor"
)

// codeGroups returns the failures of sum grouped by code, in first-seen order: the
// Summary's own groups (which count every failure), or groups of its kept failures.
func codeGroups(sum *executor.Summary) []executor.CodeCount {
	if sum == nil {
		return nil
	}
	if len(sum.Codes) > 0 {
		return sum.Codes
	}
	var out []executor.CodeCount
	for _, f := range sum.Failures {
		i := 0
		for i < len(out) && out[i].Code != f.Code {
			i++
		}
		if i == len(out) {
			out = append(out, executor.CodeCount{Code: f.Code, Example: f})
		}
		out[i].Count++
	}
	return out
}

// jobGroup is the jobs after --wait that ended alike: same state and code.
type jobGroup struct {
	State, Code string
	Count       int
	Example     executor.JobStatus
}

// waitGroups groups the jobs that did not succeed by state and code, in first-seen order.
func waitGroups(wait *executor.WaitSummary) []jobGroup {
	if wait == nil {
		return nil
	}
	var out []jobGroup
	for _, j := range wait.Failed {
		i := 0
		for i < len(out) && (out[i].State != j.State || out[i].Code != j.Code) {
			i++
		}
		if i == len(out) {
			out = append(out, jobGroup{State: j.State, Code: j.Code, Example: j})
		}
		out[i].Count++
	}
	return out
}

// codeName renders a failure code for a summary.
func codeName(code string) string {
	if code == "" {
		return "no code"
	}
	return code
}

// nextStep is one thing to do next: a sentence and the command that does it (may be empty).
type nextStep struct{ text, command string }

// nextSteps says what to do after a run, for each way it can end: stopped (the cause to
// fix first), interrupted while sending (continue), failed requests (fix and run again: the
// failures are retried, the rest skipped), interrupted while following (keep following),
// jobs that did not succeed (see which objects), or all triggered (follow them).
func nextSteps(sum *executor.Summary, wait *executor.WaitSummary, meta Meta) []nextStep {
	var steps []nextStep
	n := meta.Next
	if n.Status == "" {
		n.Status = "planrun status --refresh PLAN..."
	}
	if n.Results == "" {
		n.Results = "planrun results PLAN..."
	}
	notDone, failed := 0, 0
	if sum != nil {
		notDone, failed = sum.Total.NotDone(), sum.Total.Failed
	}
	switch {
	case meta.Stopped != "":
		what := "the run stopped: " + meta.Stopped
		if notDone > 0 {
			what = fmt.Sprintf("%s not done: %s", plural(notDone, "request"), what)
		}
		steps = append(steps, nextStep{what + "; fix that, then run the same command again (it skips what is done)", n.Rerun})
	case notDone > 0 && !meta.WaitInterrupted:
		steps = append(steps, nextStep{fmt.Sprintf("%s not done: run the same command again to continue (it skips what is done)",
			plural(notDone, "request")), n.Rerun})
	case failed > 0:
		steps = append(steps, nextStep{fmt.Sprintf("%s failed: fix what the codes above say, then run the same command again (it sends the failed ones again and skips what is done)",
			plural(failed, "request")), n.Rerun})
	}
	switch {
	case meta.WaitInterrupted:
		s := "stopped following the jobs (they go on on the service); keep following with"
		steps = append(steps, nextStep{s, n.Status})
		steps = append(steps, nextStep{"or follow them again until they end (nothing already done is sent again) with", n.Rerun})
	case wait != nil && len(wait.Failed) > 0:
		steps = append(steps, nextStep{fmt.Sprintf("%s did not succeed: see which objects failed, and why, with", plural(len(wait.Failed), "job")), strings.Replace(n.Results, "planrun results", "planrun results --failed", 1)})
		if n.Retry != "" {
			steps = append(steps, nextStep{"then trigger the failed objects again with", n.Retry})
		}
		if f := wait.States[executor.StateFailed]; f > 0 && n.RerunFailed != "" {
			steps = append(steps, nextStep{fmt.Sprintf("or send the %s that ended Failed again, as new attempts, with",
				plural(f, "batch job")), n.RerunFailed})
		}
	case wait == nil && !meta.Interrupted && meta.Stopped == "" && sum != nil && sum.Total.Triggered > 0:
		steps = append(steps, nextStep{"the jobs run on the service; follow them with", n.Status})
		steps = append(steps, nextStep{"and see each object's outcome with", n.Results})
	}
	// A step whose command is unknown (the same command again) says the sentence alone.
	for i := range steps {
		if steps[i].command == "" {
			steps[i].text = strings.TrimSuffix(steps[i].text, " with")
		}
	}
	return steps
}
