package schema

// closest returns the candidate nearest to s by edit distance when it is close enough to
// be a likely typo (at most 2 edits and less than half of s), else "".
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := Distance(s, c)
		if d < bestD && 2*d < len(s) {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes; it gives up early
// (returning a large value) for strings whose lengths differ by more than 2, or longer
// than 64 bytes: callers only care about near misses.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 || len(a)-len(b) > 2 || len(b)-len(a) > 2 {
		return 1 << 10
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to s when it is a likely typo of it (at most 2
// edits and less than half of s), else "": the suggestion of "did you mean ...?".
func Closest(s string, candidates []string) string { return closest(s, candidates) }
