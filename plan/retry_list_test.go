package plan

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestListRetryNamesAreValidDeterministicAndDistinct(t *testing.T) {
	p := namePlan(t, "workflow")
	orig := oneRequest(t, p)
	long := strings.Repeat("p", MaxNamePart) + "-" + strings.Repeat("j", MaxNamePart) + "-20240101T0000-0123456789abcdef"
	seen := map[string]bool{}
	for _, origin := range []string{orig.Name, long} {
		for _, wf := range []string{"w7476ff3564ee45b7b490d64bccaba6cc", "Transcode"} {
			for attempt := 2; attempt <= 3; attempt++ {
				for part := range 12 {
					n := ListRetryName(origin, wf, attempt, part)
					if n != ListRetryName(origin, wf, attempt, part) {
						t.Fatalf("%s: not deterministic", n)
					}
					if len(n) > MaxNameLen || strings.IndexFunc(n, func(r rune) bool { return r > 127 || !nameChar(byte(r)) }) >= 0 {
						t.Errorf("%q: not a valid name", n)
					}
					if !strings.Contains(n, "-retry"+string(rune('0'+attempt))+"-") {
						t.Errorf("%q does not say its attempt", n)
					}
					if seen[n] {
						t.Errorf("%s: named twice", n)
					}
					seen[n] = true
					if n == RetryName(origin, wf, "", attempt) {
						t.Errorf("%s: a list retry is named like a per-object one", n)
					}
				}
			}
		}
	}
}

func TestListRetryRequestIsTheOriginOnAURLFile(t *testing.T) {
	p := namePlan(t, "job")
	orig := oneRequest(t, p)
	const u = "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/planrun-retry-lists/x/l.txt"
	r := ListRetryRequest(&orig, u, 2, 1)
	if r.InputKind != InputURLFile || r.Input != u || r.Windowed() || r.Plan != RetryPlan(orig.Plan) ||
		r.Node == nil || r.Node == orig.Node || r.Node.Tag != orig.Node.Tag ||
		r.Name != ListRetryName(orig.Name, "Transcode", 2, 1) || r.Digest == orig.Digest {
		t.Errorf("list retry request %+v\nof %+v", r, orig)
	}
	if k := ListKey(DefaultListPrefix(p.Name), r.Name); k != "planrun-retry-lists/"+p.Name+"/"+r.Name+".txt" {
		t.Errorf("list key %q", k)
	}
}

func TestCheckListPrefixRefusesInputPrefixes(t *testing.T) {
	p := namePlan(t, "workflow") // reads input/video/
	for prefix, ok := range map[string]bool{
		DefaultListPrefix(p.Name): true, "lists/": true, "input/audio/": true,
		"": false, "input/": false, "input/video/": false, "input/video/retry/": false, "in": false,
	} {
		err := CheckListPrefix(p, prefix)
		if (err == nil) != ok || (err != nil && !errors.Is(err, ErrListPrefix)) {
			t.Errorf("CheckListPrefix(%q) = %v, want ok %v", prefix, err, ok)
		}
	}
}

func TestAttemptNamesStayWithinTheLimit(t *testing.T) {
	p := namePlan(t, "workflow")
	orig := oneRequest(t, p)
	if AttemptName(orig.Name, 1) != orig.Name || AttemptName(orig.Name, 0) != orig.Name {
		t.Errorf("attempt 1 renamed %s", orig.Name)
	}
	if got := AttemptName(orig.Name, 2); got != orig.Name+"-a2" {
		t.Errorf("attempt 2 of %s is %s", orig.Name, got)
	}
	long := strings.Repeat("x", 100) + "-" + strings.Repeat("y", 10) + "-0123456789abcdef"
	seen := map[string]bool{}
	for _, name := range []string{orig.Name, long} {
		for a := 2; a <= 1000; a++ {
			n := AttemptName(name, a)
			if len(n) > MaxNameLen || !strings.HasSuffix(n, "-a"+strconv.Itoa(a)) || !strings.Contains(n, name[len(name)-NameHashLen:]) {
				t.Fatalf("AttemptName(%s, %d) = %s", name, a, n)
			}
			if seen[n] {
				t.Fatalf("%s twice", n)
			}
			seen[n] = true
		}
	}
}
