package executor

import "github.com/planrun/planrun/plan"

// WouldSend reports whether a run of plans would send any request that keep accepts
// (keep nil: all): one whose action is ActionCreate or ActionRerun by what k knows. k may be nil.
func (k *Known) WouldSend(plans []*plan.Plan, keep func(*plan.Request) bool) (bool, error) {
	for _, p := range plans {
		for r := range p.Requests() {
			if keep != nil && !keep(&r) {
				continue
			}
			action, _, err := k.Action(&r)
			if err != nil {
				return false, err
			}
			if action == ActionCreate || action == ActionRerun {
				return true, nil
			}
		}
	}
	return false, nil
}
