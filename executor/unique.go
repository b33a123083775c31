package executor

import (
	"errors"
	"fmt"

	"github.com/planrun/planrun/plan"
)

// ErrDuplicatePlan is matched (errors.Is) by the error of Run when two of its plans share a
// name: their requests would share Names and state rows, and a request of the second plan
// could be sent while the first plan's create of it is still in flight.
var ErrDuplicatePlan = errors.New("two plans share a name")

// checkUniqueNames returns an error matching ErrDuplicatePlan when two plans share a name.
func checkUniqueNames(plans []*plan.Plan) error {
	first := map[string]*plan.Plan{}
	for _, p := range plans {
		if q, dup := first[p.Name]; dup {
			return fmt.Errorf("plans %s and %s are both named %q: %w; give each plan its own name, or pass the file once",
				q.Path, p.Path, p.Name, ErrDuplicatePlan)
		}
		first[p.Name] = p
	}
	return nil
}
