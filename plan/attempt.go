package plan

import "strconv"

// SplitAttempt reads the attempt a Name carries (see AttemptName, in name.go): for "<base>-a<N>",
// where base ends with "-" and NameHashLen lower-case hex digits and N is 2 or more,
// written without leading zeros, it returns base and N; for any other Name (a request's
// own, whose digest ends it), the Name itself and 1. base is the request's Name unless
// AttemptName had to cut it (a Name within 3 characters of MaxNameLen), which no Name
// planrun makes today comes near.
func SplitAttempt(name string) (base string, attempt int) {
	i := len(name) - 1
	for i >= 0 && '0' <= name[i] && name[i] <= '9' {
		i--
	}
	digits := name[i+1:]
	if i < 1 || name[i] != 'a' || name[i-1] != '-' || digits == "" || digits[0] == '0' || len(digits) > 9 {
		return name, 1
	}
	base = name[:i-1]
	if len(base) < NameHashLen+2 || base[len(base)-NameHashLen-1] != '-' || !isHex(base[len(base)-NameHashLen:]) {
		return name, 1
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 2 {
		return name, 1
	}
	return base, n
}

// AttemptRequest is request r sent again as attempt number attempt (1: r itself): the
// same request, content and Digest, under AttemptName. Its rows in the state are the
// plan's own, at r's position, so status folds them into r (see state.Latest).
func AttemptRequest(r *Request, attempt int) Request {
	a := *r
	a.Name = AttemptName(r.Name, attempt)
	return a
}

// WithRequests returns p whose requests are those src yields instead of its expansion
// (each call of Requests calls src anew, which must yield the same requests every time,
// of p's own jobs, in p's order): a run of it sends them, records them under p's name and
// reports them under p's jobs. run --rerun sends the attempts of p's requests so.
func WithRequests(p *Plan, src func(yield func(Request) bool)) *Plan {
	q := *p
	q.source = src
	return &q
}
