package plan

import (
	"hash/maphash"
	"strings"

	"github.com/planrun/planrun/plan/request"
)

// NameHead is how every request Name of job jobName in plan planName starts, in every
// generation and whatever the job sends: "<plan>-<job>-", reduced to the Name alphabet.
func NameHead(planName, jobName string) string {
	b := appendNamePart(nil, planName)
	b = append(b, '-')
	b = appendNamePart(b, jobName)
	return string(append(b, '-'))
}

// IsJobName reports whether name has the form of a request Name of job jobName in plan
// planName, of any generation and any content of the job: NameHead, an optional window
// stamp (yyyymmddThhmm-), then NameHashLen lower-case hex digits. Two plans whose names
// and job names join to the same head ("a" with job "b-c", "a-b" with job "c") cannot be
// told apart by their Names.
func IsJobName(name, planName, jobName string) bool {
	rest, ok := strings.CutPrefix(name, NameHead(planName, jobName))
	if !ok || len(rest) < NameHashLen {
		return false
	}
	stamp, hash := rest[:len(rest)-NameHashLen], rest[len(rest)-NameHashLen:]
	for i := 0; i < len(hash); i++ {
		if c := hash[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	if stamp == "" {
		return true
	}
	// yyyymmddThhmm- (a year of four digits or more).
	date, clock, ok := strings.Cut(stamp, "T")
	return ok && len(date) >= 8 && digits(date) && len(clock) == 5 && digits(clock[:4]) && clock[4] == '-'
}

// digits reports whether s is made of decimal digits only.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NameSet holds the request Names of some plans' current expansion, compactly (a 64-bit
// hash per Name, so a million Names take tens of megabytes, not hundreds), to tell the
// requests a state file or the service knows that the plans no longer make: those of an
// earlier generation, or of a job edited since. A Name it says is not in the set is surely
// not; one it says is, is but for a chance of about 2^-64 per Name.
type NameSet struct {
	seed  maphash.Seed
	names map[uint64]struct{}
}

// NewNameSet expands plans (every request, in no particular filter) into a NameSet.
func NewNameSet(plans ...*Plan) *NameSet {
	s := &NameSet{seed: maphash.MakeSeed(), names: map[uint64]struct{}{}}
	for _, p := range plans {
		for r := range p.Requests() {
			s.names[maphash.String(s.seed, r.Name)] = struct{}{}
			if base, a := request.SplitAttempt(r.Name); a > 1 { // a plan of attempts (run --rerun)
				s.names[maphash.String(s.seed, base)] = struct{}{}
			}
		}
	}
	return s
}

// Has reports whether name is a request Name of the set's plans, or the Name of one of
// its attempts (see AttemptName): the attempts of a request are in the plan as much as
// the request itself.
func (s *NameSet) Has(name string) bool {
	if _, ok := s.names[maphash.String(s.seed, name)]; ok {
		return true
	}
	if base, a := request.SplitAttempt(name); a > 1 {
		_, ok := s.names[maphash.String(s.seed, base)]
		return ok
	}
	return false
}
