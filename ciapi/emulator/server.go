package emulator

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator/throttle"
)

const basePath = "/inventorytriggerjob"

// Server is the emulated Cloud Infinite batch-job API; it is an http.Handler. Its methods
// are safe for concurrent use.
type Server struct {
	opts         Options
	creds        map[string]string
	maxSkew      time.Duration
	loc          *time.Location
	log          *slog.Logger
	stats        *counters
	throttleMu   sync.Mutex
	recentStarts []time.Time       // real times of requests admitted within the last second
	throttle     *throttle.Limiter // guarded by throttleMu; nil: no throttle

	mu      sync.Mutex // guards everything below
	faults  Faults
	rng     *rand.Rand
	seed    int64             // effective seed
	all     []*job            // every job in creation order
	byKey   map[string][]*job // bucket/region -> jobs in creation order
	byID    map[string]*job
	objs    *objectStore // the objects and executions of the batch jobs
	journal *journal     // the state file shared with other processes, nil without one
	blobs   blobs        // the objects stored by PUT Object
}

// New returns a Server configured by opts (see Options for the defaults).
func New(opts Options) *Server {
	s := &Server{opts: opts, creds: opts.Credentials, maxSkew: opts.MaxSkew, loc: opts.Location,
		log: opts.Logger, stats: newCounters(), faults: opts.Faults,
		byKey: map[string][]*job{}, byID: map[string]*job{}, objs: newObjectStore(opts.Objects)}
	if len(s.creds) == 0 {
		s.creds = map[string]string{DefaultSecretID: DefaultSecretKey}
	}
	if s.maxSkew == 0 {
		s.maxSkew = DefaultMaxSkew
	}
	if s.loc == nil {
		s.loc = time.FixedZone("CST", 8*3600)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	seed := uint64(opts.Seed)
	if seed == 0 {
		seed = rand.Uint64()
	}
	s.seed = int64(seed)
	s.rng = rand.New(rand.NewPCG(seed, 0x706c616e72756e))
	if opts.Throttle.QPS > 0 {
		s.SetThrottle(opts.Throttle)
	}
	return s
}

// SetFaults replaces the injected faults; requests already past injection are unaffected.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Stats returns a snapshot of the request counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// Jobs returns a snapshot of every job held, in creation order, states as of Options.Clock.
func (s *Server) Jobs() []Job {
	_ = s.refresh()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, len(s.all))
	for i, j := range s.all {
		out[i] = j.snapshot(now, s.opts.SubmittedFor, s.opts.RunningFor)
	}
	return out
}

func (s *Server) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}

// reply is what an operation answers: a body (nil means 200 with an empty body), an
// error, or a dropped connection.
type reply struct {
	body any
	err  *apiError
	drop bool
	raw  []byte // an object's body, sent as is (GET Object)
	etag string // sets ETag when not empty
}

// route names the operation of r and the job id in its path.
func route(r *http.Request) (op, id string) {
	if _, ok := parseCOSHost(r.Host); ok {
		return routeCOS(r)
	}
	p := r.URL.Path
	if p == basePath || p == basePath+"/" {
		switch r.Method {
		case http.MethodPost:
			return OpCreate, ""
		case http.MethodGet:
			return OpList, ""
		}
		return OpOther, ""
	}
	if op, id, ok := routeObjects(r); ok {
		return op, id
	}
	id, ok := strings.CutPrefix(p, basePath+"/")
	if !ok || strings.Contains(id, "/") {
		return OpOther, ""
	}
	switch r.Method {
	case http.MethodGet:
		return OpDescribe, id
	case http.MethodPut:
		return OpCancel, id
	}
	return OpOther, ""
}

// ServeHTTP answers the four operations of the API and the /_emulator/ inspection endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID, traceID := s.ids()
	h := w.Header()
	h.Set("x-ci-request-id", requestID)
	h.Set("Server", "tencent-ci")
	h.Set("Date", s.now().UTC().Format(http.TimeFormat))
	if strings.HasPrefix(r.URL.Path, inspectPrefix) {
		s.inspect(w, r, requestID, traceID)
		return
	}
	op, id := route(r)
	hook := &answerHook{ResponseWriter: w, end: s.stats.begin(op, time.Now())}
	w = hook
	status := 0
	var rep reply
	defer func() {
		hook.finish(status)
		attrs := []any{"op", op, "method", r.Method, "path", r.URL.Path, "host", r.Host, "status", status, "request_id", requestID}
		if rep.err != nil {
			attrs = append(attrs, "code", rep.err.code)
		}
		s.log.Info("emulator request", attrs...)
	}()
	rep = s.handle(r, op, id)
	switch {
	case rep.drop:
		_, _ = io.Copy(io.Discard, r.Body)
		hook.finish(0)
		dropConnection(hook.ResponseWriter)
	case rep.err != nil:
		status = writeError(w, requestID, traceID, rep.err)
	case rep.raw != nil:
		h.Set("ETag", rep.etag)
		h.Set("Content-Type", "text/plain")
		h.Set("Content-Length", strconv.Itoa(len(rep.raw)))
		w.WriteHeader(http.StatusOK)
		status = http.StatusOK
		if r.Method != http.MethodHead {
			_, _ = w.Write(rep.raw)
		}
	case rep.body == nil:
		if rep.etag != "" {
			h.Set("ETag", rep.etag)
		}
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		status = http.StatusOK
	default:
		switch b := rep.body.(type) {
		case *ciapi.CreateResponse:
			b.RequestId = requestID
		case *ciapi.DescribeResponse:
			b.RequestId = requestID
		case *ciapi.ListResponse:
			b.RequestId = requestID
		case *ciapi.ExecutionListResponse:
			b.RequestId = requestID
		case *ciapi.ExecutionDescribeResponse:
			b.RequestId = requestID
		case *ciapi.MediaJobListResponse:
			b.RequestId = requestID
		case *ciapi.MediaJobDescribeResponse:
			b.RequestId = requestID
		}
		status = writeXML(w, requestID, traceID, rep.body)
	}
}

// handle runs latency and faults, then host routing, authentication and the operation.
func (s *Server) handle(r *http.Request, op, id string) reply {
	f := s.currentFaults()
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return reply{drop: true}
		}
	}
	if rep, faulted := s.injectBefore(f); faulted {
		return rep
	}
	if rep, refused := s.throttled(time.Now()); refused {
		return rep
	}
	t, err := s.target(r)
	if err != nil {
		return reply{err: err}
	}
	if err := s.authenticate(r); err != nil {
		s.stats.add(func(st *Stats) { st.AuthFailures++ })
		return reply{err: err}
	}
	if err := s.refresh(); err != nil {
		return reply{err: err}
	}
	switch op {
	case OpCreate:
		return s.create(r, t, f)
	case OpDescribe:
		return s.describe(t, id)
	case OpList:
		return s.list(r, t)
	case OpCancel:
		return s.cancel(t, id)
	case OpListExecutions, OpDescribeExecution, OpListJobs, OpDescribeJobs:
		return s.handleObjects(r, t, op, id)
	case OpPutObject:
		return s.putObject(r, t, id)
	case OpGetObject:
		return s.getObject(t, id)
	}
	return reply{err: errorf(http.StatusBadRequest, "InvalidUrl", "%s %s is not an operation of this service", r.Method, r.URL.Path)}
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}
