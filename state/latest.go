package state

import (
	"context"
	"iter"

	"github.com/planrun/planrun/plan/request"
)

// Latest streams the rows of the named plans (all when none) as Records does, with the
// attempts of each request (run --rerun, see plan.AttemptName) folded into the latest
// one: a request appears once, as the row of its highest attempt, whose Attempt says how
// many there were. Pending writes are flushed first.
func (s *Store) Latest(ctx context.Context, plans ...string) iter.Seq2[Record, error] {
	return LatestBy(s.Records(ctx, plans...), func(r *Record) *Record { return r })
}

// LatestBy folds, in rows that follow the order of Records (plan, then position), the
// attempts of each request into the latest one, as Latest does; rec returns the row of an
// element. Rows of one plan at one position are held until the position ends: a few.
func LatestBy[T any](rows iter.Seq2[T, error], rec func(*T) *Record) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var group []T // the rows at one plan and position
		emit := func() bool {
			for i := range group {
				r := rec(&group[i])
				base, a := request.SplitAttempt(r.Name)
				latest := true
				for j := range group {
					if o := rec(&group[j]); j != i && o.Attempt() > a {
						if b, _ := request.SplitAttempt(o.Name); b == base {
							latest = false
							break
						}
					}
				}
				if latest && !yield(group[i], nil) {
					return false
				}
			}
			group = group[:0]
			return true
		}
		for row, err := range rows {
			if err != nil {
				yield(row, err)
				return
			}
			if len(group) > 0 {
				if g, r := rec(&group[0]), rec(&row); g.Plan != r.Plan || g.Seq != r.Seq {
					if !emit() {
						return
					}
				}
			}
			group = append(group, row)
		}
		emit()
	}
}
