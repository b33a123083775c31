package ciapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// skewCI is a service whose clock is serverTime; it refuses signatures whose window does
// not contain it, the way COS does (403 RequestTimeTooSkewed with its Date).
func skewCI(t *testing.T, serverTime time.Time) *fakeCI {
	return newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		var start, end int64
		for _, kv := range strings.Split(r.Header.Get("Authorization"), "&") {
			if v, ok := strings.CutPrefix(kv, "q-key-time="); ok {
				a, b, _ := strings.Cut(v, ";")
				start, _ = strconv.ParseInt(a, 10, 64)
				end, _ = strconv.ParseInt(b, 10, 64)
			}
		}
		w.Header().Set("Date", serverTime.UTC().Format(http.TimeFormat))
		if now := serverTime.Unix(); now < start || now > end {
			xmlResponse(w, 403, errorXML("RequestTimeTooSkewed", "The difference between the request time and the server's time is too large."))
			return
		}
		if r.Method == http.MethodPost {
			xmlResponse(w, 200, "<Response>"+job("n", "bnew")+"</Response>")
			return
		}
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
}

func TestClockSkewIsCorrectedOnce(t *testing.T) {
	local := time.Unix(1700000000, 0)
	for _, skew := range []time.Duration{2 * time.Hour, -10 * time.Minute} {
		f := skewCI(t, local.Add(skew))
		c := newTestClient(t, f, func(cfg *Config) { cfg.Now = func() time.Time { return local } })
		if _, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"}); err != nil {
			t.Fatalf("skew %v: create: %v", skew, err)
		}
		if n := f.count("POST", "/inventorytriggerjob"); n != 2 {
			t.Errorf("skew %v: create calls = %d, want 2", skew, n)
		}
		if got := c.Signer().ClockOffset(); got != skew {
			t.Errorf("offset = %v, want %v", got, skew)
		}
		// The next call uses the corrected clock straight away.
		if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil || f.count("GET", "/inventorytriggerjob/bj") != 1 {
			t.Errorf("describe after correction: %v, %d calls", err, f.count("GET", "/inventorytriggerjob/bj"))
		}
	}
}

func TestClockSkewRetriedOnlyOnce(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Date", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		xmlResponse(w, 401, errorXML("SignatureExpired", "signature expired"))
	})
	c := newTestClient(t, f, nil)
	err := c.Cancel(context.Background(), testBucket, testRegion, "bj")
	if err == nil || IsRetryable(err) || IsUncertain(err) {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("PUT", "/inventorytriggerjob/bj"); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
}

// ServiceClockOffset follows the Date of the latest answer, the same text read again
// against a local clock that moved, and a new text when the service's clock moves.
func TestServiceClockOffsetFollowsTheDate(t *testing.T) {
	local := time.Unix(1700000000, 0)
	server := local.Add(3 * time.Second)
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Date", server.UTC().Format(http.TimeFormat))
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.Now = func() time.Time { return local } })
	steps := []struct {
		localStep, serverStep, want time.Duration
	}{
		{0, 0, 3 * time.Second},
		{time.Second, 0, 2 * time.Second},     // same Date text, the local clock moved
		{0, 5 * time.Second, 7 * time.Second}, // a new Date
		{0, -7 * time.Second, 0},
	}
	for i, s := range steps {
		local, server = local.Add(s.localStep), server.Add(s.serverStep)
		if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got, ok := c.ServiceClockOffset(); !ok || got != s.want {
			t.Errorf("step %d: offset %v (%v), want %v", i, got, ok, s.want)
		}
	}
}

// BenchmarkObserveDate reads the Date of an answer, as every call does (answers within a
// second carry the same text).
func BenchmarkObserveDate(b *testing.B) {
	c := &Client{now: time.Now}
	h := http.Header{"Date": []string{time.Now().UTC().Format(http.TimeFormat)}}
	b.ReportAllocs()
	for b.Loop() {
		c.observeDate(h)
	}
}
