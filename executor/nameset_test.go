package executor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The compact name set gives the answers of a map of the Names: every Name added is in
// it, and a Name never added is not (the digests of these Names do not collide; a digest
// collision would only make has answer "maybe", which the scratch database confirms).
func TestNameSetAnswersAsAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 12 { // the empty set, one Name, then sizes up to 2,000
		n := min(round, rng.IntN(2000))
		if round > 1 {
			n = rng.IntN(2000)
		}
		want := map[string]bool{}
		var s NameSet
		for range n {
			name := randomName(rng)
			want[name] = true
			s.Add(name, n)
			if rng.IntN(4) == 0 {
				s.Add(name, n) // the same Name twice: still one member
			}
		}
		s.Seal()
		if s.Len() != len(want) {
			t.Fatalf("round %d: %d digests for %d distinct Names", round, s.Len(), len(want))
		}
		for name := range want {
			if !s.Has(name) {
				t.Fatalf("round %d: %q was added but is not in the set", round, name)
			}
		}
		for range 1000 {
			name := randomName(rng)
			if s.Has(name) != want[name] {
				t.Fatalf("round %d: has(%q) = %v, the map says %v", round, name, s.Has(name), want[name])
			}
		}
	}
}

// randomName is a Name shaped like planrun's: a plan and job prefix, an index and a digest.
func randomName(rng *rand.Rand) string {
	return fmt.Sprintf("plan-%d-job-%d-%d-%08x", rng.IntN(3), rng.IntN(5), rng.IntN(100000), rng.Uint32())
}
