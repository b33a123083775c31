package plan

import (
	"strings"
	"testing"

	"github.com/planrun/planrun/plan/request"
)

func TestSplitAttemptReadsWhatAttemptNameWrites(t *testing.T) {
	name := "video-backfill-hourly-20240101T0000-0123456789abcdef"
	for a := 1; a <= 12; a++ {
		base, got := request.SplitAttempt(AttemptName(name, a))
		if base != name || got != a {
			t.Errorf("request.SplitAttempt(AttemptName(.., %d)) = %s, %d", a, base, got)
		}
	}
	for _, n := range []string{name, "p-j-0123456789abcdef-a1", "p-j-0123456789abcdef-a02", "p-j-a2",
		"p-j-0123456789abcdeg-a2", "p-j-0123456789abcdef-retry2-0123456789abcdef", "-a2", ""} {
		if base, a := request.SplitAttempt(n); base != n || a != 1 {
			t.Errorf("request.SplitAttempt(%q) = %q, %d; want the name, 1", n, base, a)
		}
	}
	long := strings.Repeat("x", 110) + "-0123456789abcdef"
	if _, a := request.SplitAttempt(AttemptName(long, 7)); a != 7 {
		t.Errorf("a cut attempt name reads as attempt %d", a)
	}
}

func TestAnAttemptIsInItsRequestsShard(t *testing.T) {
	for i := 0; i < 64; i++ {
		name := "p-j-20240101T0000-" + strings.Repeat("0", 14) + string(rune('a'+i%6)) + string(rune('0'+i%10))
		for k := 1; k <= 4; k++ {
			s := Shard{K: k, N: 4}
			if s.Contains(name) != s.Contains(AttemptName(name, 2)) {
				t.Fatalf("%s and its attempt 2 fall in different shards", name)
			}
		}
	}
}
