package plan

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/planrun/planrun/plan/request"
)

// Shard selects the K-th of N disjoint, deterministic parts of a plan's requests: a request
// belongs to shard 1 + FNV-1a(Name) mod N. Every request is in exactly one shard, and the same
// request is in the same shard on every machine. The zero Shard selects everything.
type Shard struct {
	K, N int // 1 <= K <= N; N == 0 means no sharding
}

// ParseShard reads "K/N" (1-based K, as in a CI matrix).
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N, e.g. 1/4", s)
	}
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 <= K <= N, e.g. 1/4", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// Contains reports whether the request named name (or an attempt of it, see
// AttemptName) belongs to this shard.
func (s Shard) Contains(name string) bool {
	if s.N <= 1 {
		return true
	}
	base, _ := request.SplitAttempt(name) // an attempt of a request is in the request's shard
	h := fnv.New64a()
	h.Write([]byte(base))
	return int(h.Sum64()%uint64(s.N)) == s.K-1
}

// String renders the shard as K/N, or "" when not sharded.
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N)
}
