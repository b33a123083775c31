package ciapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
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
