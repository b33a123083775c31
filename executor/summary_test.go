package executor

import (
	"testing"

	"github.com/planrun/planrun/plan/request"
)

func TestSummaryKeepsABoundedListOfFailures(t *testing.T) {
	var s Summary
	for i := 0; i < MaxKeptFailures+500; i++ {
		s.plan("p", "j")
		s.add(Result{Key: request.Key{Plan: "p", Job: "j", Name: "n"}, Status: request.Failed})
	}
	if s.Total.Failed != MaxKeptFailures+500 || s.Jobs[0].Failed != MaxKeptFailures+500 {
		t.Errorf("counts %+v %+v: every failure must be counted", s.Total, s.Jobs[0])
	}
	if len(s.Failures) != MaxKeptFailures {
		t.Errorf("kept %d failures, want %d", len(s.Failures), MaxKeptFailures)
	}
}
