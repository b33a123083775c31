package plan

import (
	"fmt"
	"testing"
)

func TestShardPartitionsExactly(t *testing.T) {
	const n = 7
	counts := make([]int, n)
	for i := 0; i < 20000; i++ {
		name := fmt.Sprintf("plan-job-%d-abcdef", i)
		in := 0
		for k := 1; k <= n; k++ {
			if (Shard{K: k, N: n}).Contains(name) {
				in++
				counts[k-1]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards, want exactly 1", name, in)
		}
	}
	for k, c := range counts {
		if c < 20000/n/2 {
			t.Errorf("shard %d/%d holds only %d of 20000 requests: badly balanced", k+1, n, c)
		}
	}
	if !(Shard{}).Contains("anything") {
		t.Error("the zero shard must select everything")
	}
}

func TestParseShard(t *testing.T) {
	for _, bad := range []string{"", "1", "0/3", "4/3", "a/b", "1/0", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	s, err := ParseShard("2/5")
	if err != nil || s.K != 2 || s.N != 5 || s.String() != "2/5" {
		t.Errorf("ParseShard(2/5) = %+v, %v", s, err)
	}
}
