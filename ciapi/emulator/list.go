package emulator

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// Page sizes of the list call.
const (
	defaultPageSize = 10
	maxPageSize     = 100
)

var allStates = []string{ciapi.StateSubmitted, ciapi.StateRunning, ciapi.StateSuccess,
	ciapi.StateFailed, ciapi.StatePause, ciapi.StateCancel}

// listQuery is a parsed list request.
type listQuery struct {
	size       int
	asc        bool
	cursor     int // position in the bucket's list to resume from; -1 = from the start
	types      []string
	states     []string // nil = all
	from, to   time.Time
	workflowID string
	jobID      string
	name       string
}

// parseList reads the documented query parameters of the list call.
func (s *Server) parseList(q url.Values) (*listQuery, *apiError) {
	lq := &listQuery{size: defaultPageSize, cursor: -1, workflowID: q.Get("workflowId"),
		jobID: q.Get("jobId"), name: q.Get("name")}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, invalidArgument("size", "%q is not a positive integer", v)
		}
		lq.size = min(n, maxPageSize)
	}
	switch v := q.Get("orderByTime"); v {
	case "", "Desc":
	case "Asc":
		lq.asc = true
	default:
		return nil, invalidArgument("orderByTime", "%q is not Desc or Asc", v)
	}
	typ := q.Get("type")
	if typ != "" && typ != ciapi.TypeWorkflow && typ != ciapi.TypeJob {
		return nil, invalidArgument("type", "%q is not Workflow or Job", typ)
	}
	if typ == "" {
		typ = cmp.Or(s.opts.ListTypeDefault, ListTypeWorkflow)
	}
	switch typ {
	case ciapi.TypeWorkflow, ciapi.TypeJob:
		lq.types = []string{typ}
	case ListTypeAll:
		lq.types = []string{ciapi.TypeWorkflow, ciapi.TypeJob}
	default:
		return nil, invalidArgument("type", "Options.ListTypeDefault %q is not Workflow, Job or All", typ)
	}
	states := q.Get("states")
	if states == "" {
		states = q.Get("States")
	}
	for st := range strings.SplitSeq(states, ",") {
		switch {
		case st == "" || st == "All":
		case slices.Contains(allStates, st):
			lq.states = append(lq.states, st)
		default:
			return nil, invalidArgument("states", "%q is not All or one of %s", st, strings.Join(allStates, ", "))
		}
	}
	if strings.Contains(","+states+",", ",All,") {
		lq.states = nil
	}
	var e *apiError
	if lq.from, e = creationTime(q, "startCreationTime"); e != nil {
		return nil, e
	}
	if lq.to, e = creationTime(q, "endCreationTime"); e != nil {
		return nil, e
	}
	if v := q.Get("nextToken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, invalidArgument("nextToken", "%q is not a token this service returned", v)
		}
		lq.cursor = n
	}
	return lq, nil
}

func creationTime(q url.Values, key string) (time.Time, *apiError) {
	v := q.Get(key)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(ciapi.TimeFormat, v)
	if err != nil {
		// The official Go SDK's own example sends RFC 3339 with a lower-case z
		// ("2022-02-25T12:00:00z"); whether the service takes it is unconfirmed, so accept it.
		t, err = time.Parse(time.RFC3339, strings.ToUpper(v))
	}
	if err != nil {
		return time.Time{}, invalidArgument(key, "%q is not %%Y-%%m-%%dT%%H:%%M:%%S%%z (e.g. 2022-02-25T12:00:00+0800; encode + as %%2B)", v)
	}
	return t, nil
}

// matches reports whether j passes every filter of lq at now.
func (s *Server) matches(lq *listQuery, j *job, now time.Time) bool {
	created := j.created.Truncate(time.Second)
	switch {
	case !slices.Contains(lq.types, j.jobType()):
		return false
	case !lq.from.IsZero() && created.Before(lq.from):
		return false
	case !lq.to.IsZero() && created.After(lq.to):
		return false
	case lq.workflowID != "" && j.req.Operation.WorkflowIds != lq.workflowID:
		return false
	case lq.jobID != "" && j.id != lq.jobID:
		return false
	case lq.name != "" && !s.opts.NamePrefixMatch && j.req.Name != lq.name:
		return false
	case lq.name != "" && s.opts.NamePrefixMatch && !strings.HasPrefix(j.req.Name, lq.name):
		return false
	case lq.states != nil && !slices.Contains(lq.states, j.at(now, s.opts.SubmittedFor, s.opts.RunningFor).state):
		return false
	}
	return true
}

// list answers GET /inventorytriggerjob. NextToken is the position (in the bucket's
// creation order) of the first job of the next page, so pages are stable in both orders
// while jobs are being created; it is absent on the last page.
func (s *Server) list(r *http.Request, t target) reply {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	lq, e := s.parseList(q)
	if e != nil {
		return reply{err: e}
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	js := s.byKey[t.key()]
	i, step := lq.cursor, 1
	if !lq.asc {
		step = -1
		if i < 0 || i >= len(js) {
			i = len(js) - 1
		}
	} else if i < 0 {
		i = 0
	}
	resp := &ciapi.ListResponse{JobsDetail: []ciapi.JobDetail{}}
	for ; i >= 0 && i < len(js); i += step {
		if !s.matches(lq, js[i], now) {
			continue
		}
		if len(resp.JobsDetail) == lq.size {
			resp.NextToken = strconv.Itoa(i)
			break
		}
		resp.JobsDetail = append(resp.JobsDetail, *js[i].detail(now, s.opts.SubmittedFor, s.opts.RunningFor, s.loc))
	}
	return reply{body: resp}
}
