package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// Operations of the per-object API, keys of Stats.Calls and Stats.OK.
const (
	OpListExecutions    = "list-executions"
	OpDescribeExecution = "describe-execution"
	OpListJobs          = "list-jobs"
	OpDescribeJobs      = "describe-jobs"
)

const executionPath = "/workflowexecution"

// routeObjects names the per-object operation of r, the id (or ids) in its path and, for
// the node-job family, the path's family ("/jobs" or "/pic_jobs").
func routeObjects(r *http.Request) (op, id string, ok bool) {
	if r.Method != http.MethodGet {
		return "", "", false
	}
	p := r.URL.Path
	for _, base := range []string{executionPath, "/jobs", "/pic_jobs"} {
		list, describe := OpListJobs, OpDescribeJobs
		if base == executionPath {
			list, describe = OpListExecutions, OpDescribeExecution
		}
		if p == base || p == base+"/" {
			return list, "", true
		}
		if rest, found := strings.CutPrefix(p, base+"/"); found && rest != "" && !strings.Contains(rest, "/") {
			return describe, rest, true
		}
	}
	return "", "", false
}

// handleObjects answers the per-object operations.
func (s *Server) handleObjects(r *http.Request, t target, op, id string) reply {
	pic := strings.HasPrefix(r.URL.Path, "/pic_jobs")
	switch op {
	case OpListExecutions:
		return s.listExecutions(r, t)
	case OpDescribeExecution:
		return s.describeExecution(t, id)
	case OpListJobs:
		return s.listNodeJobs(r, t, pic)
	default:
		return s.describeNodeJobs(t, id, pic)
	}
}

// execStates are the states of executions and node jobs a list may filter on.
var execStates = []string{ciapi.StateSubmitted, ciapi.StateRunning, ciapi.StateSuccess,
	ciapi.StateFailed, ciapi.StatePause, ciapi.StateCancel}

// parsePage reads the parameters common to both lists. The token is the position of the
// next page times 10000 plus its page number (so that FullURLEvery can count pages).
func (s *Server) parsePage(q url.Values, typ string) (*pageQuery, int, *apiError) {
	pq := &pageQuery{typ: typ, size: defaultPageSize, cursor: -1}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, 0, invalidArgument("size", "%q is not a positive integer", v)
		}
		pq.size = min(n, maxPageSize)
	}
	if ps := s.objs.opts.PageSize; ps > 0 {
		pq.size = min(pq.size, ps)
	}
	switch v := q.Get("orderByTime"); v {
	case "", "Desc":
	case "Asc":
		pq.asc = true
	default:
		return nil, 0, invalidArgument("orderByTime", "%q is not Desc or Asc", v)
	}
	for st := range strings.SplitSeq(q.Get("states"), ",") {
		switch {
		case st == "" || st == "All":
		case slices.Contains(execStates, st):
			pq.states = append(pq.states, st)
		default:
			return nil, 0, invalidArgument("states", "%q is not All or one of %s", st, strings.Join(execStates, ", "))
		}
	}
	if strings.Contains(","+q.Get("states")+",", ",All,") {
		pq.states = nil
	}
	var e *apiError
	if pq.from, e = creationTime(q, "startCreationTime"); e != nil {
		return nil, 0, e
	}
	if pq.to, e = creationTime(q, "endCreationTime"); e != nil {
		return nil, 0, e
	}
	pageNo := 0
	if v := q.Get("nextToken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, 0, invalidArgument("nextToken", "%q is not a token this service returned", v)
		}
		pq.cursor, pageNo = n/10000, n%10000
	}
	return pq, pageNo, nil
}

// nextToken renders the token of the page after a page numbered pageNo, or "" at the end;
// with LoopToken, a page asked for with a token answers that token again.
func (s *Server) nextToken(q url.Values, next, pageNo int) string {
	if s.objs.opts.LoopToken && q.Get("nextToken") != "" {
		return q.Get("nextToken")
	}
	if next < 0 {
		return ""
	}
	return strconv.Itoa(next*10000 + (pageNo+1)%10000)
}

// objectName renders key as the page names it: the key, or its full URL.
func objectName(t target, key string, full bool) string {
	if full {
		return objectURL(t.bucket, t.region, key)
	}
	return key
}

// listExecutions answers GET /workflowexecution: the executions of a workflow in the
// bucket, of one batch job with jobId, newest first unless orderByTime=Asc. The
// workflowId the documents disagree on is optional here (missing: every workflow).
func (s *Server) listExecutions(r *http.Request, t target) reply {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	pq, pageNo, e := s.parsePage(q, ciapi.TypeWorkflow)
	if e != nil {
		return reply{err: e}
	}
	pq.jobID, pq.wf, pq.key = q.Get("jobId"), q.Get("workflowId"), q.Get("name")
	if wf := pq.wf; wf != "" && (!workflowID.MatchString(wf) || len(s.opts.Workflows) > 0 && !slices.Contains(s.opts.Workflows, wf)) {
		return reply{err: invalidArgument("workflowId", "workflow %s does not exist", truncate(wf, 64))}
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	hits, _, next := s.page(t, pq, now)
	full := s.objs.opts.fullURLs(pageNo)
	resp := &ciapi.ExecutionListResponse{Executions: []ciapi.ExecutionSummary{}}
	for _, h := range hits {
		e := &s.execs(h.j)[h.k]
		resp.Executions = append(resp.Executions, ciapi.ExecutionSummary{RunId: execID(h.j, h.k),
			WorkflowId: e.wf, Object: objectName(t, e.key, full),
			CreateTime: h.st.created.In(s.loc).Format(time.RFC3339), State: h.st.state})
	}
	resp.NextToken = s.nextToken(q, next, pageNo)
	return reply{body: resp}
}

// describeExecution answers GET /workflowexecution/<RunId> with the execution and its
// tasks: a Start task, then the workflow's node, which carries the Code and Message of a
// failure. An unknown RunId is 400 ResourceNotFound.
func (s *Server) describeExecution(t target, id string) reply {
	if s.objs.opts.DetailFailRate > 0 && unit("detail", id) < s.objs.opts.DetailFailRate {
		return reply{err: errorf(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")}
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	j, k, ok := s.resolve(id)
	var st execState
	if ok && j.bucket == t.bucket && j.region == t.region && j.jobType() == ciapi.TypeWorkflow {
		st = s.execAt(j, k, now)
	}
	if !st.visible {
		return reply{err: errorf(http.StatusBadRequest, "ResourceNotFound", "workflow execution %s does not exist", truncate(id, 64))}
	}
	e := &s.execs(j)[k]
	created := st.created.In(s.loc).Format(time.RFC3339)
	node := ciapi.ExecutionTask{Type: "Transcode", Name: "Transcode_1", State: st.state,
		JobId: "j" + execID(j, k)[1:], CreateTime: created, StartTime: created, EndTime: serviceTime(st.end, s.loc),
		Code: "Success", Message: st.message}
	if st.code != "" {
		node.Code = st.code
	}
	if st.state == ciapi.StateRunning {
		node.Code = ""
	}
	ex := ciapi.WorkflowExecution{WorkflowId: e.wf, Name: "workflow-" + e.wf[:min(len(e.wf), 9)],
		RunId: id, CreateTime: created, Object: e.key, State: st.state,
		Tasks: []ciapi.ExecutionTask{{Type: "Start", Name: "Start", State: ciapi.StateSuccess, CreateTime: created,
			StartTime: created, EndTime: created, Code: "Success"}, node}}
	return reply{body: &ciapi.ExecutionDescribeResponse{Executions: []ciapi.WorkflowExecution{ex}}}
}

// listNodeJobs answers GET /jobs and GET /pic_jobs: the node jobs of a tag (required).
// PicProcess jobs are listed at /pic_jobs, and at /jobs with queueType=PicProcess.
func (s *Server) listNodeJobs(r *http.Request, t target, pic bool) reply {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	tag := q.Get("tag")
	if tag == "" {
		return reply{err: invalidArgument("tag", "is required")}
	}
	if !slices.Contains(tags, tag) {
		return reply{err: invalidArgument("tag", "%q is not a job tag", truncate(tag, 64))}
	}
	pq, pageNo, e := s.parsePage(q, ciapi.TypeJob)
	if e != nil {
		return reply{err: e}
	}
	pq.jobID, pq.wf, pq.key = q.Get("inventoryTriggerJobId"), tag, q.Get("inputObject")
	resp := &ciapi.MediaJobListResponse{JobsDetail: []ciapi.MediaJob{}}
	if (tag == ciapi.TagPicProcess) != (pic || q.Get("queueType") == ciapi.TagPicProcess) || q.Get("workflowId") != "" {
		return reply{body: resp} // another family's jobs; batch node jobs have no workflow
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	hits, _, next := s.page(t, pq, now)
	full := s.objs.opts.fullURLs(pageNo)
	qid := q.Get("queueId")
	for _, h := range hits {
		if qid != "" && h.j.req.Operation.QueueId != "" && h.j.req.Operation.QueueId != qid {
			continue
		}
		resp.JobsDetail = append(resp.JobsDetail, s.nodeJob(t, h, full))
	}
	resp.NextToken = s.nextToken(q, next, pageNo)
	return reply{body: resp}
}

// nodeJob renders a node job as a JobsDetail element.
func (s *Server) nodeJob(t target, h hit, full bool) ciapi.MediaJob {
	e := &s.execs(h.j)[h.k]
	op := h.j.req.Operation
	mj := ciapi.MediaJob{Code: "Success", Message: h.st.message, JobId: execID(h.j, h.k), Tag: e.wf,
		State: h.st.state, Progress: "100", CreationTime: h.st.created.In(s.loc).Format(ciapi.TimeFormat),
		StartTime: h.st.created.In(s.loc).Format(ciapi.TimeFormat), EndTime: serviceTime(h.st.end, s.loc),
		QueueId: op.QueueId,
		Input:   ciapi.MediaJobInput{BucketId: t.bucket, Object: objectName(t, e.key, full), Region: t.region}}
	switch h.st.state {
	case ciapi.StateFailed:
		mj.Code, mj.Progress = h.st.code, "0"
	case ciapi.StateRunning:
		mj.Progress = "50"
	}
	return mj
}

// describeNodeJobs answers GET /jobs/<id>[,<id>...] (and /pic_jobs/...): the jobs found,
// the others named in NonExistJobIds.
func (s *Server) describeNodeJobs(t target, ids string, pic bool) reply {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &ciapi.MediaJobDescribeResponse{}
	var missing []string
	for id := range strings.SplitSeq(ids, ",") {
		j, k, ok := s.resolve(id)
		var st execState
		if ok && j.bucket == t.bucket && j.region == t.region && j.jobType() == ciapi.TypeJob &&
			(j.req.Operation.Tag == ciapi.TagPicProcess) == pic {
			st = s.execAt(j, k, now)
		}
		if !st.visible {
			missing = append(missing, truncate(id, 64))
			continue
		}
		resp.JobsDetail = append(resp.JobsDetail, s.nodeJob(t, hit{j, k, st}, false))
	}
	resp.NonExistJobIds = strings.Join(missing, ",")
	return reply{body: resp}
}
