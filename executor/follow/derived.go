package follow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
)

// derivedForm is one shape of Name that planrun gives a batch job it makes on behalf of a
// request of a plan, besides the request's own create: a retry of objects (planrun retry),
// and, in time, a re-run attempt. Every form is deterministic, so a job of the form is
// recognised by its Name alone, from any machine.
//
// To add a form (e.g. re-run attempts "<name>-a2"), append to derivedForms a base that
// strips the form's tail and returns the Name it was derived from ("<name>"), and the
// plan name under which the state records such jobs (the plan's own, for attempts);
// cancel then reaches them, by Name on the service and from the state, and a form applied
// to another (a retry of an attempt, "<name>-a2-retry2-<digest>") is followed through.
type derivedForm struct {
	// base returns what name was derived from: a request Name, another derived Name, or
	// the head of a request Name (see nameHead), possibly cut; ok is false when name does
	// not have the form.
	base func(name string) (from string, ok bool)
	// statePlan is the plan name under which the state records jobs of this form for the
	// plan named planName.
	statePlan func(planName string) string
}

// derivedForms are the forms of derived Names planrun makes.
var derivedForms = []derivedForm{
	{base: retryBase, statePlan: plan.RetryPlan},
	{base: attemptBase, statePlan: func(name string) string { return name }},
}

// attemptBase strips the tail of a re-run attempt's Name (see plan.AttemptName):
// "<name>-a<N>", N a decimal attempt number of 2 and up; the state records attempts under
// the plan's own name, at the position of their request.
func attemptBase(name string) (string, bool) {
	base, n := request.SplitAttempt(name)
	return base, n > 1
}

// maxDerivedDepth bounds how many forms are stripped from one Name (a retry of a re-run
// attempt is two).
const maxDerivedDepth = 3

// retryBase strips the tail of a retry's Name (see plan.RetryName and plan.ListRetryName):
// "<head>-retry<N>-[p<K>-]<NameHashLen hex digits>", N a decimal attempt number of 2 and
// up, K a URL file's part number.
func retryBase(name string) (string, bool) {
	if len(name) < plan.NameHashLen+len("-retry2-")+1 {
		return "", false
	}
	hash := name[len(name)-plan.NameHashLen:]
	rest := name[:len(name)-plan.NameHashLen]
	if !lowerHex(hash) || !strings.HasSuffix(rest, "-") {
		return "", false
	}
	rest = rest[:len(rest)-1]
	if j := strings.LastIndex(rest, "-p"); j > 0 && len(rest) > j+2 && strings.Trim(rest[j+2:], "0123456789") == "" {
		rest = rest[:j] // part 1 and up of a URL-file retry (plan.ListRetryName)
	}
	i := strings.LastIndex(rest, "-retry")
	if i <= 0 {
		return "", false
	}
	n, err := strconv.Atoi(rest[i+len("-retry"):])
	if err != nil || n < 2 || strconv.Itoa(n) != rest[i+len("-retry"):] {
		return "", false
	}
	return rest[:i], true
}

// lowerHex reports whether s is made of lower-case hex digits only.
func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// nameHead returns a request Name without its digest ("-" and NameHashLen hex digits), as
// plan.RetryName heads a retry's Name with it; a Name without a digest is its own head.
func nameHead(name string) string {
	if i := len(name) - plan.NameHashLen - 1; i > 0 && name[i] == '-' && lowerHex(name[i+1:]) {
		return name[:i]
	}
	return name
}

// kin recognises the batch jobs planrun derived from a set of requests of one plan (see
// derivedForms), by Name. Like executor.NameSet it answers "maybe": two heads may share a digest,
// which at 64 bits does not happen in practice.
type kin struct {
	names *executor.NameSet // the requests' Names
	heads executor.NameSet  // their heads, and the cuts a derived Name may have made of them
}

// newKin returns the kin of the requests whose Names names holds; add each request with
// addRequest, then seal.
func newKin(names *executor.NameSet) *kin { return &kin{names: names} }

// addRequest adds the heads a Name derived from the request named name may start with,
// and returns the shortest (every derived Name begins with it).
func (k *kin) addRequest(name string, expect int) string {
	head := nameHead(name)
	k.heads.Add(head, expect)
	short := head
	// plan.RetryName cuts the head so that "-retry<N>-" and the digest fit MaxNameLen.
	for digits := 1; digits <= 3; digits++ {
		if l := plan.MaxNameLen - len("-retry-") - digits - plan.NameHashLen; len(head) > l && l > 0 {
			k.heads.Add(head[:l], expect)
			short = head[:l]
		}
	}
	return short
}

// seal ends the adds.
func (k *kin) seal() { k.heads.Seal() }

// derived reports whether name is a job derived from one of the requests, and if so the
// name of the plan under which the state records it (for the plan planName).
func (k *kin) derived(planName, name string) (string, bool) {
	return k.derivedAt(planName, name, 0)
}

func (k *kin) derivedAt(planName, name string, depth int) (string, bool) {
	if depth == maxDerivedDepth {
		return "", false
	}
	for _, f := range derivedForms {
		from, ok := f.base(name)
		if !ok {
			continue
		}
		if k.heads.Has(from) || k.names.Has(from) {
			return f.statePlan(planName), true
		}
		if _, ok := k.derivedAt(planName, from, depth+1); ok {
			return f.statePlan(planName), true
		}
	}
	return "", false
}

// derivedRoot strips every derived form from name: what remains is a request Name or its
// head (possibly cut), of any generation. ok is false when name has no derived form.
func derivedRoot(planName, name string) (root, statePlan string, ok bool) {
	for depth := 0; depth < maxDerivedDepth; depth++ {
		stripped := false
		for _, f := range derivedForms {
			if from, fok := f.base(name); fok {
				if !ok {
					statePlan = f.statePlan(planName)
				}
				name, ok, stripped = from, true, true
				break
			}
		}
		if !stripped {
			break
		}
	}
	return name, statePlan, ok
}

// derivedStatePlans lists the plan names under which the state records the jobs derived
// from the plan named planName (each once; planName itself when a form records there).
func derivedStatePlans(planName string) []string {
	var out []string
	for _, f := range derivedForms {
		if sp := f.statePlan(planName); !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	return out
}
