package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// execution is one object run through one workflow (or one node job) of a batch job.
type execution struct {
	key     string
	wf      string // workflow id, or the node tag
	attempt int    // 1 for the first time this object went through wf in this bucket
	fail    *failure
}

// fanout is what a batch job made of its input.
type fanout struct {
	execs []execution
}

// objectStore holds the executions of every batch job. It is guarded by Server.mu.
// Executions are made on first use, per bucket in creation order (attempts count in that
// order), so that a run of many batch jobs that nobody lists costs no memory.
type objectStore struct {
	opts     ObjectOptions
	fan      map[*job]*fanout
	byIDHash map[string]*job // idHash(job id) -> job, to resolve execution ids
	attempts map[string]int  // attemptKey -> executions so far
	made     map[string]int  // bucket key -> how many of its jobs have their executions
}

func newObjectStore(o ObjectOptions) *objectStore {
	return &objectStore{opts: o.withDefaults(), fan: map[*job]*fanout{}, byIDHash: map[string]*job{},
		attempts: map[string]int{}, made: map[string]int{}}
}

// register makes j's execution ids resolvable; s.mu must be held.
func (s *Server) register(j *job) { s.objs.byIDHash[idHash(j.id)] = j }

// execs returns j's executions, making those of its bucket's jobs up to j first; s.mu
// must be held.
func (s *Server) execs(j *job) []execution {
	t := target{j.bucket, j.region}
	js := s.byKey[t.key()]
	for s.objs.made[t.key()] <= j.seq && s.objs.made[t.key()] < len(js) {
		s.fanOut(t, js[s.objs.made[t.key()]])
		s.objs.made[t.key()]++
	}
	return s.objs.fan[j].execs
}

// idHash is the 20-hex-digit part of a batch job's execution ids.
func idHash(jobID string) string {
	sum := md5.Sum([]byte(jobID))
	return hex.EncodeToString(sum[:10])
}

// execID is the id of execution k of j: a RunId "i..." for workflows, a job id "j..." for
// node jobs; 32 characters after the letter, like the service's.
func execID(j *job, k int) string {
	letter := "i"
	if j.jobType() == ciapi.TypeJob {
		letter = "j"
	}
	return fmt.Sprintf("%s%s%012x", letter, idHash(j.id), k)
}

// resolve finds the batch job and index of an execution id; s.mu must be held.
func (s *Server) resolve(id string) (*job, int, bool) {
	if len(id) != 33 {
		return nil, 0, false
	}
	j := s.objs.byIDHash[id[1:21]]
	if j == nil {
		return nil, 0, false
	}
	var k int
	if _, err := fmt.Sscanf(id[21:], "%x", &k); err != nil || k >= len(s.execs(j)) || execID(j, k) != id {
		return nil, 0, false
	}
	return j, k, true
}

// fanOut makes j's executions: one per object per workflow, or one node job per object.
// s.mu must be held.
func (s *Server) fanOut(t target, j *job) {
	ob := s.objs
	f := &fanout{}
	var wfs []string
	if j.jobType() == ciapi.TypeJob {
		wfs = []string{j.req.Operation.Tag}
	} else {
		for w := range strings.SplitSeq(j.req.Operation.WorkflowIds, ",") {
			if w = strings.TrimSpace(w); w != "" {
				wfs = append(wfs, w)
			}
		}
	}
	add := func(key string, bad bool) {
		for _, wf := range wfs {
			ak := attemptKey(t, key, wf)
			ob.attempts[ak]++
			n := ob.attempts[ak]
			fail := ob.opts.outcome(key, wf, n)
			if bad {
				fail = &badLine
			}
			f.execs = append(f.execs, execution{key: key, wf: wf, attempt: n, fail: fail})
		}
	}
	if !j.listed && j.req.Input.UrlFile != "" { // a job loaded from a state file
		j.list, j.listed = s.listedFile(j.req.Input.UrlFile)
	}
	switch in := j.req.Input; {
	case j.listed:
		listedObjects(t, j.list, add)
	case in.Object != "":
		add(ciapi.ExactKey(t.bucket, t.region, in.Object), false)
	default:
		ob.opts.inputObjects(in, j.req.Operation.TimeInterval, j.created, func(o object) { add(o.key, false) })
	}
	ob.fan[j] = f
}

// execState is an execution as seen at one instant.
type execState struct {
	visible       bool
	state         string
	code, message string
	created, end  time.Time
}

// execAt computes execution k of j at now: executions start one after the other while
// the batch job runs, each ending where the next begins; a cancel ends those running.
func (s *Server) execAt(j *job, k int, now time.Time) execState {
	execs := s.execs(j)
	n := len(execs)
	start := j.created.Add(s.opts.SubmittedFor)
	run := s.opts.RunningFor
	created := start.Add(time.Duration(int64(run) * int64(k) / int64(n)))
	end := start.Add(time.Duration(int64(run) * int64(k+1) / int64(n)))
	e := &execs[k]
	done := func() execState {
		if e.fail != nil {
			return execState{true, ciapi.StateFailed, e.fail.code, e.fail.message, created, end}
		}
		return execState{true, ciapi.StateSuccess, "", "", created, end}
	}
	if c := j.canceled; !c.IsZero() {
		switch {
		case c.Before(created):
			return execState{}
		case !end.After(c):
			return done()
		}
		return execState{visible: true, state: ciapi.StateCancel, created: created, end: c}
	}
	switch {
	case now.Before(created):
		return execState{}
	case now.Before(end):
		return execState{visible: true, state: ciapi.StateRunning, created: created}
	}
	return done()
}

// Execution is a snapshot of one object's run inside a batch job, as returned by
// Server.Executions and GET /_emulator/executions.
type Execution struct {
	Bucket     string `json:"bucket"`
	Region     string `json:"region"`
	BatchJobID string `json:"batchJobId"`
	// ID is the RunId of a workflow execution, or the JobId of a node job.
	ID       string `json:"id"`
	Type     string `json:"type"` // Workflow or Job
	Object   string `json:"object"`
	Workflow string `json:"workflow,omitempty"`
	Tag      string `json:"tag,omitempty"`
	State    string `json:"state"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
	// Attempt counts the executions of this object through this workflow or tag in the
	// bucket, this one included.
	Attempt int `json:"attempt"`
	// Permanent reports that every attempt of this object through this workflow or tag fails.
	Permanent bool `json:"permanent,omitempty"`
}

// Executions returns every execution visible at Options.Clock, batch jobs in creation
// order; batchJobID, when not empty, keeps that batch job's only.
func (s *Server) Executions(batchJobID string) []Execution {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Execution{}
	for _, j := range s.all {
		if batchJobID != "" && j.id != batchJobID {
			continue
		}
		for k, e := range s.execs(j) {
			st := s.execAt(j, k, now)
			if !st.visible {
				continue
			}
			x := Execution{Bucket: j.bucket, Region: j.region, BatchJobID: j.id, ID: execID(j, k),
				Type: j.jobType(), Object: e.key, State: st.state, Code: st.code, Message: st.message,
				Attempt: e.attempt, Permanent: s.objs.opts.Permanent(e.key, e.wf)}
			if x.Type == ciapi.TypeJob {
				x.Tag = e.wf
			} else {
				x.Workflow = e.wf
			}
			out = append(out, x)
		}
	}
	return out
}

// hit is one execution on a list page.
type hit struct {
	j  *job
	k  int
	st execState
}

// pageQuery is a parsed list of executions or node jobs.
type pageQuery struct {
	typ      string // batch-job type listed: Workflow or Job
	jobID    string // batch job filter
	wf       string // workflow id or tag filter; empty: any
	key      string // object key filter (exact); empty: any
	states   []string
	from, to time.Time
	asc      bool
	size     int
	cursor   int // position to resume from; -1: the start
}

// page returns one page of executions in bucket t and the position of the next page
// (-1 on the last page). Positions count every execution of the candidate batch jobs in
// the listing order, visible or not, so pages stay stable while executions appear.
// s.mu must be held.
func (s *Server) page(t target, q *pageQuery, now time.Time) (hits []hit, first, next int) {
	var jobs []*job
	if q.jobID != "" {
		if j := s.lookup(t, q.jobID); j != nil {
			jobs = []*job{j}
		}
	} else {
		jobs = s.byKey[t.key()]
	}
	if !q.asc {
		jobs = slices.Clone(jobs)
		slices.Reverse(jobs)
	}
	first, next = max(q.cursor, 0), -1
	pos := 0
	for _, j := range jobs {
		if j.jobType() != q.typ {
			continue
		}
		execs := s.execs(j)
		n := len(execs)
		if pos+n <= first {
			pos += n
			continue
		}
		for i := max(first-pos, 0); i < n; i++ {
			k := i
			if !q.asc {
				k = n - 1 - i
			}
			e := &execs[k]
			if (q.wf != "" && e.wf != q.wf) || (q.key != "" && e.key != q.key) {
				continue
			}
			st := s.execAt(j, k, now)
			if !st.visible || (q.states != nil && !slices.Contains(q.states, st.state)) ||
				(!q.from.IsZero() && st.created.Before(q.from)) || (!q.to.IsZero() && st.created.After(q.to)) {
				continue
			}
			if len(hits) == q.size {
				return hits, first, pos + i
			}
			hits = append(hits, hit{j, k, st})
		}
		pos += n
	}
	return hits, first, next
}

// fullURLs reports whether page number pageNo (0-based) names objects by URL.
func (o ObjectOptions) fullURLs(pageNo int) bool {
	return o.FullURLEvery > 0 && pageNo%o.FullURLEvery == o.FullURLEvery-1
}
