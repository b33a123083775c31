package objects

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// DefaultMaxAttempts is the most attempts of an object planrun retry makes, the first
// (the plan's own batch job) included.
const DefaultMaxAttempts = 3

// Ways a retry triggers objects again (RetryConfig.Via, planrun retry --via).
const (
	// ViaURLFile writes, per request and round, the failed objects' URLs to a URL file in
	// the bucket (split in parts of at most ListCap objects) and creates one batch job per
	// part with Input.UrlFile: the default.
	ViaURLFile = "url-file"
	// ViaObject creates one batch job per failed object, with the object as its input.
	ViaObject = "object"
)

// DefaultListCap is how many objects one URL file (and so one retry batch job) lists at
// most; a longer list is split into parts. The service documents no limit on the objects
// of a batch job; 10,000 keeps a part's file near a megabyte and a part's executions a
// hundred list pages.
const DefaultListCap = 10000

// MaxListBytes bounds one URL file; a part ends before a line would pass it.
const MaxListBytes = 8 << 20

// ObjectPutter stores objects in a bucket (COS PUT Object); *ciapi.Client satisfies it.
type ObjectPutter interface {
	PutObject(ctx context.Context, bucket, region, key string, body []byte) error
}

// Compile-time check that the real client fits.
var _ ObjectPutter = (*ciapi.Client)(nil)

// RetryConfig says how Retries triggers objects again.
type RetryConfig struct {
	// MaxAttempts is the most attempts of an object, the first included; below 1 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Via is ViaURLFile (the default when empty) or ViaObject.
	Via string
	// ListPrefix is where the URL files go, in each request's bucket; empty means
	// plan.DefaultListPrefix of each plan. It must not overlap a plan's input prefixes
	// (plan.CheckListPrefix).
	ListPrefix string
	// Put writes the URL files; nil means the service itself, through the engine's layer
	// (paced, and retried: a PUT of the same body is idempotent).
	Put ObjectPutter
	// DryRun computes the lists (and their names) without writing them.
	DryRun bool
	// ListCap is the most objects of one URL file; 0 means DefaultListCap.
	ListCap int
	// MaxRequests, when positive, stops Retries with an error matching
	// ErrTooManyRequests as soon as the retry needs more batch jobs than that.
	MaxRequests int
	// Lean leaves RetrySet.Retry empty: with ViaURLFile the objects go to the URL files as
	// they are read and only their count (RetrySet.Retrying) is kept.
	Lean bool
}

// ErrListRefused reports a URL file the bucket refused (e.g. 403 AccessDenied): the
// retry stops; --via object retries without writing to the bucket.
var ErrListRefused = errors.New("the bucket refused the URL file of a retry; planrun retry --via object triggers each object alone without writing to the bucket")

// RetrySet is what planrun retry triggers: the objects whose latest attempt failed, as
// derived plans of requests that Run sends like any plan's.
type RetrySet struct {
	// Plans are one derived plan per plan with something to retry (plan.Derived): with
	// ViaURLFile one request per URL file (plan.ListRetryRequest), with ViaObject one per
	// object (plan.RetryRequest).
	Plans []*plan.Plan
	// Retry lists the latest (failed) attempt of each object that Plans trigger again
	// (empty with RetryConfig.Lean).
	Retry []executor.ObjectResult
	// Retrying counts the objects that Plans trigger again.
	Retrying int
	// Lists are the URL files written (or, on a dry run, that would be), in order.
	Lists []RetryList
	// Exhausted lists the objects that failed MaxAttempts times: not retried. With
	// RetryConfig.Lean it keeps the first MaxKeptExhausted of them; ExhaustedCount and
	// ExhaustedByCode count them all.
	Exhausted []executor.ObjectResult
	// ExhaustedCount is how many objects failed MaxAttempts times.
	ExhaustedCount int
	// ExhaustedByCode counts them by the code of their last failure ("(no code)" when the
	// service gave none, "(detail call failed)" when its details could not be read).
	ExhaustedByCode map[string]int
	// Counts are the per-object counts of every batch job read, latest attempts counted.
	Counts []executor.ObjectCounts
	// Objects is how many objects (per workflow or tag, each once) were read; Failed how
	// many of them failed at their latest attempt (and never succeeded).
	Objects, Failed int
	// Unfinished is how many objects have a retry that has not ended yet.
	Unfinished int
	// Duplicates counts the results of an object read more than once (listed on two
	// pages, or Failed and Success): each object is retried at most once a round, and
	// never after a success.
	Duplicates int
	// Unknown counts the failed objects left alone because their retry round could not
	// be read (a lookup failed): retrying them could trigger them twice.
	Unknown int
}

// RetryList is one URL file of a retry: the objects of one request and round (or one part
// of them) and the batch job that runs them.
type RetryList struct {
	Plan, Job, Origin string
	Bucket, Region    string
	Key, URL          string // the file's key in the bucket and its object URL
	Name              string // the batch job's name (plan.ListRetryName)
	Workflow, Tag     string
	Attempt, Part     int
	Objects           int
}

// Retries reads the latest attempt of every object of the plans' batch jobs jobs (see
// ResultBatchJobs and Latest) and returns what to trigger again one batch job per object
// (RetryConfig.Via ViaObject), with at most maxAttempts attempts.
func Retries(ctx context.Context, api executor.LatestAPI, store *state.Store, plans []*plan.Plan, jobs []executor.BatchJob, maxAttempts int, opts executor.Options) (*RetrySet, error) {
	return RetriesVia(ctx, api, store, plans, jobs, RetryConfig{MaxAttempts: maxAttempts, Via: ViaObject}, opts)
}

// RetriesVia reads the latest attempt of every object of the plans' batch jobs jobs and
// returns what to trigger again: every object whose latest attempt failed, unless it
// failed cfg.MaxAttempts times (then it is Exhausted). A success is never retried, nor an
// object whose retry is still running, and an object read twice is retried once.
//
// With ViaURLFile, the objects of each request are written, once the request's results are
// read, to URL files under the list prefix (one per request, workflow or tag and round,
// parts of at most ListCap objects), which the returned requests name as Input.UrlFile. A
// file's key and its batch job's name are deterministic (plan.ListRetryName; a round's
// parts already on the service keep their numbers and new ones follow), so a crash between
// writing a file and creating its batch job, or a rerun on another machine, writes the
// same file again and Run creates each batch job once. A file refused by the bucket stops
// Retries with an error matching ErrListRefused.
//
// With ViaObject, each object is one request (plan.RetryRequest). Either way the requests
// are run with Run, exactly once whatever the number of runs, machines and crashes.
func RetriesVia(ctx context.Context, api executor.LatestAPI, store *state.Store, plans []*plan.Plan, jobs []executor.BatchJob, cfg RetryConfig, opts executor.Options) (*RetrySet, error) {
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Via == "" {
		cfg.Via = ViaURLFile
	}
	if cfg.ListCap <= 0 {
		cfg.ListCap = DefaultListCap
	}
	switch cfg.Via {
	case ViaURLFile:
		for _, p := range plans {
			if err := plan.CheckListPrefix(p, listPrefix(cfg, p.Name)); err != nil {
				return nil, err
			}
		}
	case ViaObject:
	default:
		return nil, fmt.Errorf("retry: unknown way %q (want %s or %s)", cfg.Via, ViaURLFile, ViaObject)
	}
	e := newEngine(api, store, opts)
	w := &retryWriter{cfg: cfg, set: &RetrySet{}, rounds: newRounds(), e: e, api: e.api, put: cfg.Put, seed: maphash.MakeSeed()}
	if w.put == nil {
		w.put = e.api
	}
	defer w.cands.reset() // removes a spool file left by an error
	counts, err := e.latest(ctx, e.api, jobs, w.rounds, func(r executor.ObjectResult) error { return w.add(ctx, r) })
	if err == nil {
		err = w.flush(ctx)
	}
	set := w.set
	set.Counts = counts
	if err != nil {
		return set, err
	}
	return set, w.build(plans)
}

// listPrefix is the list prefix of the plan named name.
func listPrefix(cfg RetryConfig, name string) string {
	if cfg.ListPrefix != "" {
		return cfg.ListPrefix
	}
	return plan.DefaultListPrefix(name)
}

// retryWriter turns the results of Latest, request by request, into retries: it holds one
// request's failed objects (and one bit per object read of it) until the request's last
// result, then writes its URL files.
type retryWriter struct {
	cfg    RetryConfig
	set    *RetrySet
	rounds *rounds
	e      *engine
	api    executor.LatestAPI
	put    ObjectPutter

	origin string // plan + "\x00" + origin of the request being read
	seen   map[uint64]uint8
	cands  spool // the failed objects of the request being read
	seed   maphash.Seed
	// byObject are the failed objects retried one by one (ViaObject), per plan, in order.
	byObject map[string][]executor.ObjectResult
	requests int // batch jobs the retry needs so far
}

// Bits of retryWriter.seen.
const (
	seenSucceeded = 1 << iota
	seenFailed
)

func (w *retryWriter) hash(r *executor.ObjectResult) uint64 {
	var h maphash.Hash
	h.SetSeed(w.seed)
	h.WriteString(r.RetryKey())
	h.WriteByte(0)
	h.WriteString(r.Object)
	return h.Sum64()
}

// add takes the latest attempt of one object.
func (w *retryWriter) add(ctx context.Context, r executor.ObjectResult) error {
	if id := r.Plan + "\x00" + r.Origin; id != w.origin {
		if err := w.flush(ctx); err != nil {
			return err
		}
		w.origin, w.seen = id, map[uint64]uint8{}
	}
	h := w.hash(&r)
	bits, dup := w.seen[h]
	if dup {
		w.set.Duplicates++
	} else {
		w.set.Objects++
		if r.Round > 1 && !ciapi.Terminal(r.State) {
			w.set.Unfinished++
		}
	}
	switch {
	case r.State == ciapi.StateSuccess:
		bits |= seenSucceeded
	case r.Failed() && bits&seenFailed == 0:
		w.seen[h] = bits | seenFailed
		return w.cands.add(r)
	}
	w.seen[h] = bits
	return nil
}

// flush decides the fate of the failed objects of the request just read and, with
// ViaURLFile, writes their URL files, a part at a time.
func (w *retryWriter) flush(ctx context.Context) error {
	var rounds []*roundWriter
	err := w.cands.each(func(r *executor.ObjectResult) error {
		if w.seen[w.hash(r)]&seenSucceeded != 0 {
			return nil // failed, then succeeded: never retried
		}
		w.set.Failed++
		if r.Round >= w.cfg.MaxAttempts {
			w.set.ExhaustedCount++
			if w.set.ExhaustedByCode == nil {
				w.set.ExhaustedByCode = map[string]int{}
			}
			w.set.ExhaustedByCode[r.FailureCode()]++
			if !w.cfg.Lean || len(w.set.Exhausted) < MaxKeptExhausted {
				w.set.Exhausted = append(w.set.Exhausted, *r)
			}
			return nil
		}
		if w.cfg.Via == ViaObject {
			if err := w.need(1); err != nil {
				return err
			}
			w.set.Retrying++
			if !w.cfg.Lean {
				w.set.Retry = append(w.set.Retry, *r)
			}
			if w.byObject == nil {
				w.byObject = map[string][]executor.ObjectResult{}
			}
			w.byObject[r.Plan] = append(w.byObject[r.Plan], *r)
			return nil
		}
		k := roundKey{plan: r.Plan, origin: r.Origin, wf: r.RetryKey(), attempt: r.Round + 1}
		j := slices.IndexFunc(rounds, func(rw *roundWriter) bool { return rw.k == k })
		if j < 0 {
			rounds = append(rounds, w.startRound(ctx, k, r))
			j = len(rounds) - 1
		}
		return rounds[j].add(ctx, r)
	})
	if err != nil {
		return err
	}
	for _, rw := range rounds {
		if err := rw.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// need counts n more batch jobs and refuses them beyond RetryConfig.MaxRequests.
func (w *retryWriter) need(n int) error {
	w.requests += n
	if m := w.cfg.MaxRequests; m > 0 && w.requests > m {
		return &executor.LimitError{Requests: w.requests, Max: m, Retry: true}
	}
	return nil
}

// roundWriter writes the URL files of one request's round, a part at a time: parts
// numbered after those the service already holds.
type roundWriter struct {
	w       *retryWriter
	k       roundKey
	like    executor.ObjectResult // the round's first object: bucket, region, job, workflow or tag
	unknown bool                  // the round could not be read: its objects are left alone
	part    int
	body    []byte
	objs    []executor.ObjectResult // the part's objects (none with RetryConfig.Lean)
	n       int
}

// startRound begins the round k, whose first object is like.
func (w *retryWriter) startRound(ctx context.Context, k roundKey, like *executor.ObjectResult) *roundWriter {
	rw := &roundWriter{w: w, k: k, like: *like}
	rd := w.rounds.peek(k)
	if rd == nil { // never followed (e.g. ctx ended): find what the round holds now
		rd = w.rounds.get(ctx, w.e, w.api, k, like)
	}
	if rd.err != nil {
		rw.unknown = true
		w.e.o.Logger.Warn("not retrying objects whose retry round could not be read", "origin", k.origin,
			"attempt", k.attempt, "error", rd.err)
	}
	rw.part = len(rd.parts)
	return rw
}

// add lists r in the current part, writing the part first when it is full.
func (rw *roundWriter) add(ctx context.Context, r *executor.ObjectResult) error {
	if rw.unknown {
		rw.w.set.Unknown++
		return nil
	}
	line := ciapi.ObjectURL(rw.like.Bucket, rw.like.Region, r.Object) + "\n"
	if rw.n == rw.w.cfg.ListCap || (rw.n > 0 && len(rw.body)+len(line) > MaxListBytes) {
		if err := rw.flush(ctx); err != nil {
			return err
		}
	}
	rw.body = append(rw.body, line...)
	rw.n++
	if !rw.w.cfg.Lean {
		rw.objs = append(rw.objs, *r)
	}
	return nil
}

// flush writes the current part, if it lists anything.
func (rw *roundWriter) flush(ctx context.Context) error {
	if rw.n == 0 {
		return nil
	}
	w, k, like := rw.w, rw.k, &rw.like
	if err := w.need(1); err != nil {
		return err
	}
	name := plan.ListRetryName(k.origin, k.wf, k.attempt, rw.part)
	key := plan.ListKey(listPrefix(w.cfg, k.plan), name)
	if !w.cfg.DryRun {
		err := w.put.PutObject(ctx, like.Bucket, like.Region, key, rw.body)
		if err != nil {
			if ciapi.IsAccessDenied(err) {
				return fmt.Errorf("write %s to bucket %s: %w (%w)", key, like.Bucket, ErrListRefused, err)
			}
			return fmt.Errorf("write URL file %s to bucket %s: %w", key, like.Bucket, err)
		}
	}
	w.set.Lists = append(w.set.Lists, RetryList{Plan: k.plan, Job: like.Job, Origin: k.origin, Bucket: like.Bucket,
		Region: like.Region, Key: key, URL: ciapi.ObjectURL(like.Bucket, like.Region, key), Name: name,
		Workflow: like.Workflow, Tag: like.Tag, Attempt: k.attempt, Part: rw.part, Objects: rw.n})
	w.set.Retrying += rw.n
	w.set.Retry = append(w.set.Retry, rw.objs...)
	rw.body, rw.objs, rw.n = rw.body[:0], rw.objs[:0], 0
	rw.part++
	return nil
}

// build makes the derived plans of the retries.
func (w *retryWriter) build(plans []*plan.Plan) error {
	for _, p := range plans {
		needed := map[string]*plan.Request{}
		var lists []RetryList
		for _, l := range w.set.Lists {
			if l.Plan == p.Name {
				lists = append(lists, l)
				needed[l.Origin] = nil
			}
		}
		objs := w.byObject[p.Name]
		for i := range objs {
			needed[objs[i].Origin] = nil
		}
		if len(needed) == 0 {
			continue
		}
		for r := range p.Requests() {
			if _, ok := needed[r.Name]; ok {
				needed[r.Name] = &r
			}
		}
		for name, r := range needed {
			if r == nil {
				return fmt.Errorf("plan %s: no request named %s", p.Name, name)
			}
		}
		if w.cfg.Via == ViaObject {
			w.set.Plans = append(w.set.Plans, plan.Derived(p, retryRequests(objs, needed)))
			continue
		}
		reqs := make([]plan.Request, len(lists))
		for i, l := range lists {
			reqs[i] = plan.ListRetryRequest(needed[l.Origin], l.URL, l.Attempt, l.Part)
			reqs[i].Seq = i
		}
		w.set.Plans = append(w.set.Plans, plan.Derived(p, slices.Values(reqs)))
	}
	return nil
}

// retryRequests yields the requests that trigger the objects rs again, one each.
func retryRequests(rs []executor.ObjectResult, origins map[string]*plan.Request) iter.Seq[plan.Request] {
	return func(yield func(plan.Request) bool) {
		for seq := range rs {
			r := &rs[seq]
			req := plan.RetryRequest(origins[r.Origin], r.Object, r.Round+1)
			req.Seq = seq
			if !yield(req) {
				return
			}
		}
	}
}

// NameOf returns the name of the batch job that triggers Retry[i] again: its URL file's
// (ViaURLFile, whose objects are in Retry in list order) or its own (ViaObject). Retry must
// be complete (not RetryConfig.Lean).
func (s *RetrySet) NameOf(i int) string {
	if len(s.Lists) == 0 {
		r := &s.Retry[i]
		return plan.RetryName(r.Origin, r.RetryKey(), r.Object, r.Round+1)
	}
	for _, l := range s.Lists {
		if i < l.Objects {
			return l.Name
		}
		i -= l.Objects
	}
	return ""
}

// Retried returns results that name every request whose objects the retry triggers again
// (what Recount needs): Retry, or with RetryConfig.Lean one per URL file.
func (s *RetrySet) Retried() []executor.ObjectResult {
	if len(s.Retry) > 0 || len(s.Lists) == 0 {
		return s.Retry
	}
	out := make([]executor.ObjectResult, len(s.Lists))
	for i, l := range s.Lists {
		out[i] = executor.ObjectResult{Key: request.Key{Plan: l.Plan, Job: l.Job, Bucket: l.Bucket, Region: l.Region,
			Workflow: l.Workflow}, Origin: l.Origin, Tag: l.Tag, Round: l.Attempt - 1}
	}
	return out
}

// MaxKeptExhausted is how many exhausted objects a lean RetrySet keeps (about 300 bytes
// each): enough to show examples and list them on a terminal, bounded at a million.
const MaxKeptExhausted = 1000
