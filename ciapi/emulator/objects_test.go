package emulator

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// TestIntervalSelectsExactlyTheObjectsUploadedInIt checks the arithmetic selection of a
// prefix's objects against a plain scan, over random half-open intervals.
func TestIntervalSelectsExactlyTheObjectsUploadedInIt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, per := range []int{1, 7, 1000, 100_003} {
		o := ObjectOptions{PerPrefix: per}.withDefaults()
		span := o.Until.Sub(o.From)
		for range 200 {
			s := o.From.Add(time.Duration(rng.Int64N(int64(span+48*time.Hour))) - 24*time.Hour).Truncate(time.Second)
			e := s.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))).Truncate(time.Second)
			ti := &ciapi.TimeInterval{Start: s.Format(ciapi.TimeFormat), End: e.Format(ciapi.TimeFormat)}
			var got []int
			o.inputObjects(ciapi.Input{Prefix: "p/"}, ti, o.Until.Add(time.Hour), func(ob object) {
				if ob.uploaded.Before(s) || !ob.uploaded.Before(e) {
					t.Fatalf("per %d [%s, %s): object %s uploaded %s", per, s, e, ob.key, ob.uploaded)
				}
				got = append(got, 0)
			})
			want := 0
			for i := range per {
				if u := o.uploadTime(i); !u.Before(s) && u.Before(e) {
					want++
				}
			}
			if len(got) != want {
				t.Fatalf("per %d [%s, %s): %d objects, a scan finds %d", per, s, e, len(got), want)
			}
		}
	}
}

func TestObjectKeysAreDeterministicAndVaried(t *testing.T) {
	if prefixKey("in/", 3) != "in/video-000003.mp4" || prefixKey("in/", 6) != "in/clip 000006 (final).mp4" ||
		prefixKey("in/", 10) != "in/视频-000010.mp4" {
		t.Errorf("keys %q %q %q", prefixKey("in/", 3), prefixKey("in/", 6), prefixKey("in/", 10))
	}
	o := ObjectOptions{PerList: 4}.withDefaults()
	var a, b, c []string
	o.inputObjects(ciapi.Input{Manifest: "https://x/m.json"}, nil, time.Now(), func(ob object) { a = append(a, ob.key) })
	o.inputObjects(ciapi.Input{Manifest: "https://x/m.json"}, nil, time.Now(), func(ob object) { b = append(b, ob.key) })
	o.inputObjects(ciapi.Input{UrlFile: "https://x/other.txt"}, nil, time.Now(), func(ob object) { c = append(c, ob.key) })
	if len(a) != 4 || a[0] != b[0] || a[3] != b[3] || a[0] == c[0] {
		t.Errorf("list sets %v %v %v", a, b, c)
	}
}
