package executor

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/internal/testenv"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/plan/request"
	"github.com/planrun/planrun/state"
)

// disguise is how the front of the emulator answers the first create of a Name.
type disguise int

const (
	plainAnswer  disguise = iota // the emulator's own answer
	slowDown200                  // 200 <Response><Code>SlowDown</Code>: nothing created
	hiddenID200                  // created, answered 200 with an empty JobId
	refusedID200                 // nothing created, answered 200 with an empty JobId
	disguiseKinds
)

// disguisingFront is an httptest server in front of an emulator that answers the first
// create of each Name in turn with one of the disguises above; later creates of a Name,
// and every other call, reach the emulator as they are.
type disguisingFront struct {
	emu     *emulator.Server
	mu      sync.Mutex
	kinds   map[string]disguise
	creates map[string]int // creates received per Name
	lookups map[string]int // lists filtered by Name, per Name
	used    [disguiseKinds]int
}

var nameInBody = regexp.MustCompile(`<Name>([^<]*)</Name>`)

func newDisguisingFront(t *testing.T, opts emulator.Options) (*disguisingFront, *ciapi.Client) {
	t.Helper()
	f := &disguisingFront{emu: emulator.New(opts), kinds: map[string]disguise{}, creates: map[string]int{},
		lookups: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, testenv.Client(t, srv.URL)
}

func (f *disguisingFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		if name := r.URL.Query().Get("name"); name != "" {
			f.mu.Lock()
			f.lookups[name]++
			f.mu.Unlock()
		}
		f.emu.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	name := ""
	if m := nameInBody.FindSubmatch(body); m != nil {
		name = string(m[1])
	}
	f.mu.Lock()
	f.creates[name]++
	kind, seen := f.kinds[name]
	if !seen {
		kind = disguise(len(f.kinds) % int(disguiseKinds))
		f.kinds[name] = kind
	}
	first := f.creates[name] == 1
	if first {
		f.used[kind]++
	}
	f.mu.Unlock()
	if !first {
		kind = plainAnswer
	}
	w.Header().Set("Content-Type", "application/xml")
	emptyID := "<Response><JobsDetail><Code>Success</Code><Name>" + name +
		"</Name><JobId></JobId><State>Submitted</State></JobsDetail><RequestId>r-front</RequestId></Response>"
	switch kind {
	case slowDown200:
		_, _ = io.WriteString(w, "<Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"+
			"<RequestId>r-slow</RequestId></Response>")
	case hiddenID200:
		rec := httptest.NewRecorder()
		f.emu.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		_, _ = io.WriteString(w, emptyID)
	case refusedID200:
		_, _ = io.WriteString(w, emptyID)
	default:
		f.emu.ServeHTTP(w, r)
	}
}

// jobIDs returns the id of the emulator's job of each Name.
func jobIDs(emu *emulator.Server) map[string]string {
	ids := map[string]string{}
	for _, j := range emu.Jobs() {
		ids[j.Name] = j.ID
	}
	return ids
}

// checkRowsHoldJobIDs fails unless every row of p records the id of its Name's job.
func checkRowsHoldJobIDs(t *testing.T, store *state.Store, p *plan.Plan, ids map[string]string) {
	t.Helper()
	n := 0
	for rec, err := range store.Records(background(t), p.Name) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if !rec.Done() || rec.JobID == "" || rec.JobID != ids[rec.Name] {
			t.Errorf("%s: row %s with job id %q, want done with %q", rec.Name, rec.Status, rec.JobID, ids[rec.Name])
		}
	}
	if n != p.Count() {
		t.Errorf("%d rows, want %d", n, p.Count())
	}
}

// A service that answers some creates with a SlowDown under HTTP 200 and others with a
// 200 whose JobId is empty (some having made the job, some not): the run ends with every
// request created exactly once on the service, and the state holding each real job id.
// Nothing is "triggered" that the service does not show.
func TestDisguisedAnswersLoseNoJobAndDuplicateNone(t *testing.T) {
	for _, lookup := range []int{0, -1} { // look each Name up, or sweep the list
		front, client := newDisguisingFront(t, emulator.Options{SubmittedFor: time.Hour})
		p := testenv.Hourly("disguised", 11, 1).Parse(t)
		store := openStore(t, "")
		opts := quick()
		opts.LookupThreshold = lookup
		sum, err := Run(background(t), client, store, []*plan.Plan{p}, opts)
		if err != nil || sum.Total.Triggered != p.Count() || sum.Total.Failed != 0 {
			t.Fatalf("lookup threshold %d: summary %+v, %v", lookup, sum.Total, err)
		}
		for k := plainAnswer; k < disguiseKinds; k++ {
			if front.used[k] == 0 {
				t.Fatalf("disguise %d never used: the test proves nothing", k)
			}
		}
		sameNames(t, jobNames(t, &emulator.Running{Server: front.emu}), names(p)) // fails on a Name made twice
		checkRowsHoldJobIDs(t, store, p, jobIDs(front.emu))
		for name, kind := range front.kinds {
			// A throttle in disguise is retried as a throttle: no lookup beyond the one a
			// fresh state makes before the first create.
			if kind == slowDown200 && front.lookups[name] > 1 {
				t.Errorf("%s: %d lookups after a 200 SlowDown, want at most 1", name, front.lookups[name])
			}
			if kind == slowDown200 || kind == refusedID200 {
				if front.creates[name] != 2 {
					t.Errorf("%s: %d creates after a refusal in disguise, want 2", name, front.creates[name])
				}
			} else if front.creates[name] != 1 {
				t.Errorf("%s: %d creates, want 1", name, front.creates[name])
			}
		}
	}
}

// A state written by an older version, with rows "triggered" but no job id (some of
// those jobs exist, some were never made): the next run is not fooled by them. It finds
// the existing jobs by Name and records their ids, and creates the missing ones, once.
func TestTriggeredRowWithoutJobIDIsReconciled(t *testing.T) {
	emu, client := testenv.Start(t, emulator.Options{SubmittedFor: time.Hour})
	p := testenv.Hourly("oldrows", 5, 1).Parse(t)
	store := openStore(t, "")
	var rows []Record
	made := 0
	for r := range p.Requests() {
		rec := recordFor(&r, request.Triggered)
		rec.Attempts = 1
		rows = append(rows, rec)
		if r.Seq%2 == 0 {
			if _, err := client.Create(background(t), r.Bucket, r.Region, CreateRequest(&r)); err != nil {
				t.Fatal(err)
			}
			made++
		}
	}
	if err := store.Sync(background(t), &state.Write{Records: rows}); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(background(t), client, store, []*plan.Plan{p}, quick())
	if err != nil || sum.Total.Skipped != made || sum.Total.Triggered != p.Count()-made {
		t.Fatalf("summary %+v, %v: want %d found on the service, %d created", sum.Total, err, made, p.Count()-made)
	}
	sameNames(t, jobNames(t, emu), names(p))
	checkRowsHoldJobIDs(t, store, p, jobIDs(emu.Server))
}
