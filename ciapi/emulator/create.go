package emulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// maxBody bounds a create body; real ones are a few hundred bytes.
const maxBody = 1 << 20

// create answers POST /inventorytriggerjob. Like the real service it does not deduplicate
// names: two creates with the same Name make two jobs.
func (s *Server) create(r *http.Request, t target, f Faults) reply {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case err != nil:
		return reply{err: errorf(http.StatusBadRequest, "InvalidContent", "read body: %v", err)}
	case len(body) == 0:
		return reply{err: errorf(http.StatusBadRequest, "MissingContent", "the request body is missing")}
	case len(body) > maxBody:
		return reply{err: errorf(http.StatusBadRequest, "InvalidContent", "the request body is larger than %d bytes", maxBody)}
	}
	if e := checkContentMD5(r, body); e != nil {
		return reply{err: e}
	}
	var req ciapi.CreateRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		return reply{err: errorf(http.StatusBadRequest, "InvalidContent", "MalformedXML: the XML you provided was not well-formed or did not validate: %v", err)}
	}
	if e := s.validate(&req); e != nil {
		return reply{err: e}
	}
	if f.QueuePaused {
		return reply{err: errorf(http.StatusForbidden, ciapi.CodeQueuePaused, "The queue is paused.")}
	}
	if f.CreateDelay > 0 {
		time.Sleep(f.CreateDelay) // not cut short by the client leaving: the service finishes
	}
	now := s.now()
	release, e := s.journalLock()
	if e != nil {
		return reply{err: e}
	}
	defer release()
	s.mu.Lock()
	if s.opts.QueueLimit > 0 && s.unfinished(t.key(), now) >= s.opts.QueueLimit {
		s.mu.Unlock()
		s.countFault(FaultQueueSaturated)
		return reply{err: errorf(http.StatusForbidden, ciapi.CodeQueueSaturated, "The queue is full; try again later.")}
	}
	j := &job{bucket: t.bucket, region: t.region, req: req, created: now, seq: len(s.byKey[t.key()])}
	j.id = s.newJobID()
	j.fails = fails(s.seed, j.id, s.opts.FailRate)
	if req.Input.UrlFile != "" {
		j.list, j.listed = s.listedFile(req.Input.UrlFile)
	}
	if e := s.journalJob(j); e != nil {
		s.mu.Unlock()
		return reply{err: e}
	}
	s.all = append(s.all, j)
	s.byKey[t.key()] = append(s.byKey[t.key()], j)
	s.byID[j.id] = j
	s.register(j)
	s.mu.Unlock()
	s.stats.add(func(st *Stats) { st.JobsCreated++ })

	if s.roll(f.UncertainRate) {
		if s.roll(0.5) {
			s.countFault(FaultUncertainReset)
			return reply{drop: true}
		}
		s.countFault(FaultUncertain500)
		return reply{err: errorf(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")}
	}
	if s.roll(f.EmptyAnswerRate) {
		s.countFault(FaultEmptyAnswer)
		return reply{} // 200, empty body
	}
	d := j.detail(now, s.opts.SubmittedFor, s.opts.RunningFor, s.loc)
	// The answer to a create always shows the job as just submitted.
	*d = ciapi.JobDetail{Code: "Success", Type: d.Type, Name: d.Name, JobId: d.JobId, Tag: d.Tag,
		State: ciapi.StateSubmitted, CreationTime: d.CreationTime, StartTime: "-", EndTime: "-",
		QueueId: d.QueueId, Input: d.Input, Operation: d.Operation}
	return reply{body: &ciapi.CreateResponse{JobsDetail: d}}
}

// unfinished counts the jobs of a bucket that are not finished at now. s.mu must be held.
func (s *Server) unfinished(key string, now time.Time) int {
	n := 0
	for _, j := range s.byKey[key] {
		if !ciapi.Terminal(j.at(now, s.opts.SubmittedFor, s.opts.RunningFor).state) {
			n++
		}
	}
	return n
}
