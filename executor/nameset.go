package executor

import (
	"hash/fnv"
	"slices"
)

// NameSet is a compact set of request Names: a sorted slice of their 64-bit digests, 8
// bytes a Name, where a map of the Names would hold each string and its map entry (well
// over 100 bytes). It answers "maybe" (the digest is there) or "no": two Names may share a
// digest, so a "maybe" that matters is confirmed against an exact record (the scratch
// database). Add every Name, then Seal before asking. Run and Cancel (package follow) use it.
type NameSet struct {
	d      []uint64
	sealed bool
}

// nameDigest is the 64-bit FNV-1a digest of a Name.
func nameDigest(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Add puts name in the set; the set must not be sealed. The first add reserves room for
// expect Names (a hint: more may be added), so a large set is not copied as it grows.
func (s *NameSet) Add(name string, expect int) {
	if s.sealed {
		panic("NameSet: add after seal")
	}
	if s.d == nil {
		s.d = make([]uint64, 0, max(expect, 1))
	}
	s.d = append(s.d, nameDigest(name))
}

// Seal sorts the set (dropping repeated digests) and frees its spare capacity.
func (s *NameSet) Seal() {
	slices.Sort(s.d)
	s.d = slices.Clip(slices.Compact(s.d))
	s.sealed = true
}

// Has reports whether name may be in the set: false means it is not.
func (s *NameSet) Has(name string) bool {
	if !s.sealed {
		panic("NameSet: has before seal")
	}
	_, ok := slices.BinarySearch(s.d, nameDigest(name))
	return ok
}

// Len is how many distinct digests the set holds.
func (s *NameSet) Len() int { return len(s.d) }
