package pace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// The table of operations the tests drive names every Service method once.
func TestOperationsCoverService(t *testing.T) {
	n := reflect.TypeOf((*Service)(nil)).Elem().NumMethod()
	seen := map[string]bool{}
	for _, op := range operations {
		seen[op.name] = true
	}
	if len(operations) != n || len(seen) != n {
		t.Fatalf("the tests call %d operations (%d names), Service has %d methods", len(operations), len(seen), n)
	}
}

// --retries N means N+1 tries of every operation as the server counts them (a create
// is tried once: the caller decides), with a backoff between tries.
func TestRetriesMeanNPlusOneTries(t *testing.T) {
	srv, client := newArrivals(t, errorAnswer(http.StatusInternalServerError, "InternalError"))
	for _, retries := range []int{0, 1, 3} {
		for _, op := range operations {
			sleeps := &fakeSleep{}
			l := New(client, Config{Parallel: 2, Retries: retries, Timeout: 5 * time.Second, Sleep: sleeps.sleep})
			err := op.call(context.Background(), l)
			var ae *ciapi.APIError
			if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError {
				t.Fatalf("%s: error %v, want the 500", op.name, err)
			}
			want := retries + 1
			if op.name == "create" {
				want = 1
			}
			got := srv.byPath()
			sum := 0
			for _, n := range got {
				sum += n
			}
			if len(got) != 1 || sum != want {
				t.Errorf("retries %d, %s: the server saw %v, want %d tries of one call", retries, op.name, got, want)
			}
			if len(sleeps.waits) != want-1 {
				t.Errorf("retries %d, %s: %d waits between %d tries", retries, op.name, len(sleeps.waits), want)
			}
			if n := l.Counts().Sent(); n != int64(want) {
				t.Errorf("retries %d, %s: Sent %d, want %d", retries, op.name, n, want)
			}
		}
	}
}

// Answers that retrying cannot change are not retried: a 4xx, a not-found, and a
// configuration refusal.
func TestNoRetryOfPermanentAnswers(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
	}{{400, "InvalidArgument"}, {404, "NoSuchJob"}, {403, "AccessDenied"}} {
		srv, client := newArrivals(t, errorAnswer(tc.status, tc.code))
		l := New(client, Config{Retries: 3, Sleep: (&fakeSleep{}).sleep})
		for _, op := range operations {
			if err := op.call(context.Background(), l); err == nil {
				t.Fatalf("%s answered %d: no error", op.name, tc.status)
			}
		}
		if n := srv.total(); n != len(operations) {
			t.Errorf("%d %s: %d tries for %d calls, want one each", tc.status, tc.code, n, len(operations))
		}
	}
}

// failing is a Service whose every call fails with the next error of errs (the last one
// again when they run out) and records the context of each call.
type failing struct {
	Service
	mu   sync.Mutex
	errs []error
	ctxs []context.Context
	live []error       // each call's ctx.Err() when it ran
	hold chan struct{} // when not nil, each call waits for it first
}

func (f *failing) next(ctx context.Context) error {
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ctxs = append(f.ctxs, ctx)
	f.live = append(f.live, ctx.Err())
	err := f.errs[0]
	if len(f.errs) > 1 {
		f.errs = f.errs[1:]
	}
	return err
}

func (f *failing) Describe(ctx context.Context, _, _, _ string) (*ciapi.DescribeResponse, error) {
	return &ciapi.DescribeResponse{}, f.next(ctx)
}

func (f *failing) Create(ctx context.Context, _, _ string, _ *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	return &ciapi.CreateResponse{}, f.next(ctx)
}

func (f *failing) tries() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.ctxs)
}

// The waits between tries are a full-jitter exponential backoff, never shorter than the
// Retry-After the service asked for (bounded by MaxRetryAfter); a success ends the tries.
func TestBackoffAndRetryAfterBetweenTries(t *testing.T) {
	slow := func(after time.Duration) error {
		return &ciapi.APIError{Op: "describe", Status: 503, Code: ciapi.CodeSlowDown, RetryAfter: after}
	}
	svc := &failing{errs: []error{slow(0), slow(0), slow(7 * time.Second), slow(0), slow(time.Hour), nil}}
	sleeps := &fakeSleep{}
	top := func(n int64) int64 { return n - 1 } // the jitter at its ceiling
	l := New(svc, Config{Retries: 9, Sleep: sleeps.sleep, Rand: top, BackoffBase: 100 * time.Millisecond, BackoffCap: time.Second})
	if _, err := l.Describe(context.Background(), testBucket, testRegion, testJobID); err != nil {
		t.Fatalf("describe: %v", err)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 7 * time.Second, 800 * time.Millisecond, MaxRetryAfter}
	if !reflect.DeepEqual(sleeps.waits, want) || svc.tries() != 6 {
		t.Errorf("waits %v over %d tries, want %v over 6", sleeps.waits, svc.tries(), want)
	}
}

func TestBackoffFullJitterCapped(t *testing.T) {
	top := func(n int64) int64 { return n - 1 }
	for attempt, want := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 7: 30 * time.Second, 60: 30 * time.Second} {
		if got := Backoff(attempt, 0, 0, 0, top); got != want {
			t.Errorf("attempt %d: ceiling %v, want %v", attempt, got, want)
		}
	}
	if got := Backoff(3, 0, 0, 0, func(int64) int64 { return 0 }); got != 0 {
		t.Errorf("full jitter reaches 0, got %v", got)
	}
	for range 1000 {
		if d := Backoff(2, 0, 0, 0, nil); d < 0 || d > time.Second {
			t.Fatalf("backoff %v outside [0, 1s]", d)
		}
	}
}

// An endpoint that refuses connections before it ever answered is a configuration
// problem: not retried. Once it answered, a refusal is an outage: retried.
func TestUnreachableIsRetriedOnlyAfterAnAnswer(t *testing.T) {
	refused := &ciapi.APIError{Op: "describe", Err: fmt.Errorf("%w: %w", ciapi.ErrUnreachable, syscall.ECONNREFUSED)}
	svc := &failing{errs: []error{refused}}
	l := New(svc, Config{Retries: 3, Sleep: (&fakeSleep{}).sleep})
	if _, err := l.Describe(context.Background(), testBucket, testRegion, testJobID); !l.Futile(err) || svc.tries() != 1 {
		t.Fatalf("before any answer: %d tries, futile %v; want 1 try, futile", svc.tries(), l.Futile(err))
	}
	svc.errs = []error{nil, refused, refused, nil}
	if _, err := l.Describe(context.Background(), testBucket, testRegion, testJobID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Describe(context.Background(), testBucket, testRegion, testJobID); err != nil || svc.tries() != 5 {
		t.Fatalf("after an answer: %v after %d tries in all, want success after 5", err, svc.tries())
	}
}

// A try that outlives the timeout is a timeout like any other, retried; each try gets a
// deadline of its own.
func TestEachTryHasItsTimeout(t *testing.T) {
	svc := &failing{errs: []error{context.DeadlineExceeded, nil}}
	l := New(svc, Config{Retries: 1, Timeout: time.Minute, Sleep: (&fakeSleep{}).sleep})
	if _, err := l.Describe(context.Background(), testBucket, testRegion, testJobID); err != nil {
		t.Fatalf("describe: %v", err)
	}
	if svc.tries() != 2 {
		t.Fatalf("%d tries, want 2", svc.tries())
	}
	for i, ctx := range svc.ctxs {
		if _, ok := ctx.Deadline(); !ok {
			t.Errorf("try %d ran without a deadline", i+1)
		}
	}
}

// A create stopped before it is sent says so (ErrNotSent, and the context's error); once
// sent, it finishes even when the caller's context ends, bounded by the timeout.
func TestCreateRunsDetachedOnceSent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	svc := &failing{errs: []error{nil}}
	l := New(svc, Config{Parallel: 1, Timeout: time.Minute})
	_, err := l.Create(ctx, testBucket, testRegion, &ciapi.CreateRequest{})
	if !errors.Is(err, ErrNotSent) || !errors.Is(err, context.Canceled) || svc.tries() != 0 {
		t.Fatalf("create on a stopped context: %v after %d tries, want ErrNotSent and none sent", err, svc.tries())
	}

	svc.hold = make(chan struct{})
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := l.Create(ctx, testBucket, testRegion, &ciapi.CreateRequest{})
		done <- err
	}()
	for l.Counts().InFlight() != 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	close(svc.hold)
	if err := <-done; err != nil {
		t.Fatalf("create in flight when the caller stopped: %v", err)
	}
	if err := svc.live[0]; err != nil {
		t.Errorf("the create's context ended with the caller's: %v", err)
	} else if _, ok := svc.ctxs[0].Deadline(); !ok {
		t.Error("the create ran without the timeout")
	}
}

// blocking is a Service whose describes wait until released, recording the most in
// flight at once.
type blocking struct {
	Service
	now, peak atomic.Int32
	release   chan struct{}
}

func (b *blocking) Describe(ctx context.Context, _, _, _ string) (*ciapi.DescribeResponse, error) {
	n := b.now.Add(1)
	for p := b.peak.Load(); n > p && !b.peak.CompareAndSwap(p, n); p = b.peak.Load() {
	}
	<-b.release
	b.now.Add(-1)
	return &ciapi.DescribeResponse{}, nil
}

// Parallel bounds the calls in flight; Counts sees them, and a Counts shared by two
// layers sees both.
func TestSlotsAndCounts(t *testing.T) {
	svc := &blocking{release: make(chan struct{})}
	counts := &Counts{}
	a := New(svc, Config{Parallel: 3, Counts: counts})
	b := New(svc, Config{Parallel: 2, Counts: counts})
	var wg sync.WaitGroup
	for i := range 10 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Go(func() { _, _ = l.Describe(context.Background(), testBucket, testRegion, testJobID) })
	}
	for counts.InFlight() != 5 {
		time.Sleep(time.Millisecond)
	}
	close(svc.release)
	wg.Wait()
	if p := svc.peak.Load(); p != 5 {
		t.Errorf("%d calls in flight at once, want 3 + 2 (the two layers' slots)", p)
	}
	if counts.Sent() != 10 || counts.InFlight() != 0 || a.Counts() != counts {
		t.Errorf("sent %d, in flight %d; want 10 and 0", counts.Sent(), counts.InFlight())
	}
}

// recorder is a Pacer that admits at once and records every answer.
type recorder struct {
	mu      sync.Mutex
	waits   int
	answers []error
}

func (r *recorder) Wait(context.Context) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits++
	return time.Now(), nil
}

func (r *recorder) Observe(_ time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, err)
}

func (*recorder) Rate() float64 { return 42 }

// Every try of every operation waits on the pacer and reports its answer to it, so that
// an adaptive pace sees results, cancels and object PUTs as it sees creates.
func TestPacerSeesEveryTry(t *testing.T) {
	srv, client := newArrivals(t, errorAnswer(http.StatusServiceUnavailable, ciapi.CodeSlowDown))
	p := &recorder{}
	l := New(client, Config{Pacer: p, Retries: 1, Sleep: (&fakeSleep{}).sleep})
	for _, op := range operations {
		_ = op.call(context.Background(), l)
	}
	n := srv.total()
	throttles := 0
	for _, err := range p.answers {
		if IsThrottle(err) {
			throttles++
		}
	}
	if want := 2*len(operations) - 1; n != want || p.waits != n || throttles != n {
		t.Errorf("%d tries at the server, %d pacer waits, %d throttles observed; want %d of each", n, p.waits, throttles, want)
	}
	if l.Rate() != 42 {
		t.Errorf("Rate %v, want the pacer's", l.Rate())
	}
}

func TestFixedBurst(t *testing.T) {
	for _, c := range []struct {
		qps      float64
		parallel int
		burst    int
		rate     float64
	}{{10, 4, 4, 10}, {2.5, 8, 3, 2.5}, {0.5, 8, 1, 0.5}, {20, 8, 8, 20}} {
		f := NewFixed(c.qps, c.parallel)
		if f.Limiter().Burst() != c.burst || f.Rate() != c.rate {
			t.Errorf("qps %v parallel %d: burst %d rate %v", c.qps, c.parallel, f.Limiter().Burst(), f.Rate())
		}
	}
	if r := NewFixed(0, 8).Rate(); r <= 1e300 {
		t.Errorf("qps 0: rate %v, want unlimited", r)
	}
}
