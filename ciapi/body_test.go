package ciapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// A body that declares more than a page can hold is refused unread; one that streams on
// without a length is cut at the cap.
func TestHugeResponseBodiesAreRefused(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		if r.URL.Query().Get("name") == "declared" {
			w.Header().Set("Content-Length", strconv.Itoa(400<<20))
			w.WriteHeader(200)
			_, _ = w.Write([]byte("<Response>"))
			return
		}
		w.WriteHeader(200)
		chunk := []byte("<Response>" + strings.Repeat(" ", 64<<10))
		for written := 0; written < 64<<20; written += len(chunk) { // stops when the client hangs up
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := newTestClient(t, f, nil)
	for _, name := range []string{"declared", "streamed"} {
		_, err := c.List(context.Background(), testBucket, testRegion, ListOptions{Name: name})
		if !errors.Is(err, errTooLarge) {
			t.Errorf("%s: %v, want the body refused as too large", name, err)
		}
	}
}

// Large bodies share one read budget across every call in flight; small ones never wait.
func TestLargeBodiesShareTheReadBudget(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		pad := 10
		if r.URL.Query().Get("name") == "large" {
			pad = 2 * freeRead
		}
		xmlResponse(w, 200, "<Response><RequestId>r</RequestId>"+strings.Repeat(" ", pad)+"</Response>")
	})
	c := newTestClient(t, f, nil)
	if err := c.budget.Acquire(context.Background(), readBudget); err != nil { // calls in flight hold it all
		t.Fatal(err)
	}
	if _, err := c.List(context.Background(), testBucket, testRegion, ListOptions{Name: "small"}); err != nil {
		t.Fatalf("a small body waited for the budget: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.List(ctx, testBucket, testRegion, ListOptions{Name: "large"}); err == nil {
		t.Fatal("a large body was read while the budget was exhausted")
	}
	c.budget.Release(readBudget)
	if _, err := c.List(context.Background(), testBucket, testRegion, ListOptions{Name: "large"}); err != nil {
		t.Fatalf("large body with the budget free: %v", err)
	}
}

// A body without a length is read into one buffer the size of the cap, not grown by
// doubling reads and copied again: what a call holds is what the read budget counts
// (before, a streamed body under the cap allocated about four times the cap).
func TestStreamedBodyAllocatesOneBuffer(t *testing.T) {
	c := newTestClient(t, newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, nil), nil)
	body := bytes.Repeat([]byte("x"), 3<<20)
	read := func() []byte {
		resp := &http.Response{ContentLength: -1, Body: io.NopCloser(iotest.HalfReader(bytes.NewReader(body)))}
		data, err := c.readBody(context.Background(), resp)
		if err != nil || !bytes.Equal(data, body) {
			t.Fatalf("a %d MiB streamed body under the cap: %d bytes, %v", len(body)>>20, len(data), err)
		}
		return data
	}
	read() // warm up
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	read()
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > maxBody+maxBody/4 {
		t.Errorf("reading a %d MiB streamed body allocated %.1f MiB, want at most %.1f MiB (one buffer of the cap)",
			len(body)>>20, float64(got)/(1<<20), float64(maxBody+maxBody/4)/(1<<20))
	}
}
