package executor

import (
	"testing"

	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
)

// BenchmarkBody measures rendering the exact create body of a request, as every create
// and every line of `run --dry-run --format json` does.
func BenchmarkBody(b *testing.B) {
	p := testenv.Plan{Name: "bench", Hours: 1000}.Parse(b)
	var reqs []plan.Request
	for r := range p.Requests() {
		reqs = append(reqs, r)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Body(&reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
