package emulator

import (
	"net/http"

	"github.com/planrun/planrun/ciapi"
)

// lookup finds job id in bucket t; another bucket's job is not found. s.mu must be held.
func (s *Server) lookup(t target, id string) *job {
	j := s.byID[id]
	if j == nil || j.bucket != t.bucket || j.region != t.region {
		return nil
	}
	return j
}

// describe answers GET /inventorytriggerjob/<id>: an unknown id is a 200 naming it in
// NonExistJobIds, without JobsDetail.
func (s *Server) describe(t target, id string) reply {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookup(t, id)
	if j == nil {
		return reply{body: &ciapi.DescribeResponse{NonExistJobIds: id}}
	}
	return reply{body: &ciapi.DescribeResponse{JobsDetail: j.detail(now, s.opts.SubmittedFor, s.opts.RunningFor, s.loc)}}
}

// cancel answers PUT /inventorytriggerjob/<id> (with or without ?cancel): an unfinished
// job becomes Cancel (200, empty body); a finished one (Success, Failed or Cancel) is
// 400 InvalidArgument; an unknown one is 404 NoSuchJob.
func (s *Server) cancel(t target, id string) reply {
	now := s.now()
	release, e := s.journalLock()
	if e != nil {
		return reply{err: e}
	}
	defer release()
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookup(t, id)
	if j == nil {
		return reply{err: errorf(http.StatusNotFound, "NoSuchJob", "job %s does not exist", truncate(id, 64))}
	}
	if st := j.at(now, s.opts.SubmittedFor, s.opts.RunningFor).state; ciapi.Terminal(st) {
		return reply{err: invalidArgument("JobId", "job already finished (state %s)", st)}
	}
	if e := s.journalCancel(j, now); e != nil {
		return reply{err: e}
	}
	j.canceled = now
	return reply{}
}
