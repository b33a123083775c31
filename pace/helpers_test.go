package pace

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

const (
	testBucket = "examplebucket-1250000000"
	testRegion = "ap-beijing"
	testRunID  = "i3f6b8ee8b9b511ee9d3e525400ffd3e0"
	testJobID  = "b4f7b1d3eb9b511ee9d3e525400ffd3e0"
)

// arrivals is an httptest server that records when each request arrived, per method and
// path, and answers with answer.
type arrivals struct {
	mu  sync.Mutex
	at  []time.Time
	per map[string]int
	srv *httptest.Server
}

func newArrivals(t *testing.T, answer http.HandlerFunc) (*arrivals, *ciapi.Client) {
	t.Helper()
	a := &arrivals{per: map[string]int{}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.at = append(a.at, time.Now())
		a.per[r.Method+" "+r.URL.Path]++
		a.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(a.srv.Close)
	c, err := ciapi.New(ciapi.Config{
		Credentials: ciapi.Credentials{SecretID: "AKIDtestSecretId0001234", SecretKey: "tEsTsEcReTkEy"},
		Endpoint:    a.srv.URL, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, c
}

// total returns how many requests arrived.
func (a *arrivals) total() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.at)
}

// byPath returns the requests per "METHOD path" and forgets them.
func (a *arrivals) byPath() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.per
	a.per, a.at = map[string]int{}, nil
	return m
}

// errorAnswer answers every request with status and an error body of code.
func errorAnswer(status int, code string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<Error><Code>" + code + "</Code><Message>m</Message><RequestId>r</RequestId></Error>"))
	}
}

// operation is one call of every Service method, on svc.
type operation struct {
	name string
	call func(ctx context.Context, svc Service) error
}

// operations lists a call of every Service operation (the compiler does not check this
// list: TestOperationsCoverService does).
var operations = []operation{
	{"create", func(ctx context.Context, s Service) error {
		_, err := s.Create(ctx, testBucket, testRegion, &ciapi.CreateRequest{Name: "n", Type: ciapi.TypeWorkflow})
		return err
	}},
	{"describe", func(ctx context.Context, s Service) error {
		_, err := s.Describe(ctx, testBucket, testRegion, testJobID)
		return err
	}},
	{"list", func(ctx context.Context, s Service) error {
		_, err := s.List(ctx, testBucket, testRegion, ciapi.ListOptions{Type: ciapi.TypeWorkflow})
		return err
	}},
	{"cancel", func(ctx context.Context, s Service) error { return s.Cancel(ctx, testBucket, testRegion, testJobID) }},
	{"list executions", func(ctx context.Context, s Service) error {
		_, err := s.ListExecutions(ctx, testBucket, testRegion, ciapi.ExecutionListOptions{WorkflowId: "w1", JobId: testJobID})
		return err
	}},
	{"describe execution", func(ctx context.Context, s Service) error {
		_, err := s.DescribeExecution(ctx, testBucket, testRegion, testRunID)
		return err
	}},
	{"list node jobs", func(ctx context.Context, s Service) error {
		_, err := s.ListMediaJobs(ctx, testBucket, testRegion, ciapi.MediaJobListOptions{Tag: "Transcode", InventoryTriggerJobId: testJobID})
		return err
	}},
	{"put object", func(ctx context.Context, s Service) error {
		return s.PutObject(ctx, testBucket, testRegion, "lists/a b.txt", []byte("x\n"))
	}},
}

// fakeSleep records the waits a layer asks for and returns at once.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}
