package plan

import (
	"strings"
	"testing"
)

func TestRetryNamesAreValidDeterministicAndDistinct(t *testing.T) {
	p := namePlan(t, "workflow")
	orig := oneRequest(t, p)
	long := strings.Repeat("p", MaxNamePart) + "-" + strings.Repeat("j", MaxNamePart) + "-20240101T0000-0123456789abcdef"
	seen := map[string]string{}
	for _, origin := range []string{orig.Name, long, "x"} {
		for _, object := range []string{"a/b.mp4", "a/视频 (1).mp4", "a/b.mp4 "} {
			for _, wf := range []string{"w7476ff3564ee45b7b490d64bccaba6cc", "Transcode"} {
				for attempt := 2; attempt <= 4; attempt++ {
					n := RetryName(origin, wf, object, attempt)
					if n != RetryName(origin, wf, object, attempt) {
						t.Fatalf("%s: not deterministic", n)
					}
					if len(n) > MaxNameLen || strings.IndexFunc(n, func(r rune) bool { return r > 127 || !nameChar(byte(r)) }) >= 0 {
						t.Errorf("%q: not a valid name", n)
					}
					if !strings.Contains(n, "-retry"+string(rune('0'+attempt))+"-") {
						t.Errorf("%q does not say its attempt", n)
					}
					key := origin + "|" + wf + "|" + object + "|" + string(rune('0'+attempt))
					if prev, dup := seen[n]; dup {
						t.Errorf("%s: same name for %s and %s", n, prev, key)
					}
					seen[n] = key
				}
			}
		}
	}
	if n := RetryName(orig.Name, "w", "o", 2); !strings.HasPrefix(n, strings.TrimSuffix(orig.Name, orig.Name[len(orig.Name)-NameHashLen:])) {
		t.Errorf("%s does not start with the readable part of %s", n, orig.Name)
	}
}

func TestRetryRequestIsTheOriginOnOneObject(t *testing.T) {
	p := namePlan(t, "job")
	orig := oneRequest(t, p)
	r := RetryRequest(&orig, "in/x.mp4", 2)
	if r.InputKind != InputObject || r.Input != "in/x.mp4" || r.Windowed() ||
		r.Bucket != orig.Bucket || r.Type != orig.Type || r.Node == nil || r.Node.Tag != orig.Node.Tag ||
		r.Node == orig.Node || r.Name != RetryName(orig.Name, orig.Node.Tag, "in/x.mp4", 2) || r.Digest == orig.Digest {
		t.Errorf("retry request %+v\nof %+v", r, orig)
	}
	d := Derived(p, func(yield func(Request) bool) { yield(r) })
	if d.Name != p.Name+".retries" || r.Plan != d.Name || d.Generation != p.Generation || d.Count() != 1 {
		t.Errorf("derived plan %s gen %d with %d requests", d.Name, d.Generation, d.Count())
	}
	if n, over := d.CountUpTo(0); !over || n != 1 {
		t.Errorf("CountUpTo(0) = %d, %v", n, over)
	}
}
