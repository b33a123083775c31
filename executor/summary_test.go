package executor

import "testing"

func TestSummaryKeepsABoundedListOfFailures(t *testing.T) {
	var s Summary
	for i := 0; i < MaxKeptFailures+500; i++ {
		s.plan("p", "j")
		s.add(Result{Plan: "p", Job: "j", Name: "n", Status: StatusFailed})
	}
	if s.Total.Failed != MaxKeptFailures+500 || s.Jobs[0].Failed != MaxKeptFailures+500 {
		t.Errorf("counts %+v %+v: every failure must be counted", s.Total, s.Jobs[0])
	}
	if len(s.Failures) != MaxKeptFailures {
		t.Errorf("kept %d failures, want %d", len(s.Failures), MaxKeptFailures)
	}
}
