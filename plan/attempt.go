package plan

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
