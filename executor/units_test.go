package executor

import (
	"errors"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

func TestCheckLimit(t *testing.T) {
	p := testenv.Hourly("lim", 10, 1).Parse(t)
	if err := CheckLimit([]*plan.Plan{p}, 11); err != nil {
		t.Fatalf("11 requests within 11: %v", err)
	}
	err := CheckLimit([]*plan.Plan{p, p}, 20)
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrTooManyRequests) || le.Requests != 22 {
		t.Fatalf("CheckLimit: %v", err)
	}
	if !strings.Contains(err.Error(), "22 requests") || !strings.Contains(err.Error(), "--max-requests 22") {
		t.Fatalf("message %q should give the count and how to raise the limit", err)
	}
}
