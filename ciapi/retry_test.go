package ciapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetriesHonourRetryAfterAndGiveUp(t *testing.T) {
	date := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "7")
		case 2:
			w.Header().Set("Retry-After", date.Add(20*time.Second).Format(http.TimeFormat))
		}
		xmlResponse(w, 503, errorXML("SlowDown", "Please reduce your request rate"))
	})
	c, sl := newTestClient(t, f, func(cfg *Config) { cfg.Now = func() time.Time { return date } })
	_, err := c.Describe(context.Background(), testBucket, testRegion, "bj")
	if n := f.count("GET", "/inventorytriggerjob/bj"); n != 1+DefaultRetries {
		t.Fatalf("calls = %d, want %d", n, 1+DefaultRetries)
	}
	if len(sl.d) != DefaultRetries || sl.d[0] < 7*time.Second || sl.d[1] < 20*time.Second || sl.d[2] >= 800*time.Millisecond {
		t.Errorf("waits = %v, want >=7s, >=20s, then jitter below 800ms", sl.d)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "SlowDown" || !IsRetryable(err) || IsUncertain(err) {
		t.Fatalf("err = %v", err)
	}
	if got, want := err.Error(), "describe: 503 SlowDown: Please reduce your request rate (RequestId: req-SlowDown)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestPermanentErrorsAreNotRetried(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 400, errorXML("InvalidArgument", "bad"))
	})
	c, sl := newTestClient(t, f, nil)
	err := c.Cancel(context.Background(), testBucket, testRegion, "bj")
	if f.count("PUT", "/inventorytriggerjob/bj") != 1 || len(sl.d) != 0 || !IsPermanent(err) || IsRetryable(err) {
		t.Errorf("calls %d sleeps %d err %v", f.count("PUT", "/inventorytriggerjob/bj"), len(sl.d), err)
	}
}

func TestEachAttemptIsSignedAfresh(t *testing.T) {
	var clock atomic.Int64
	clock.Store(1700000000)
	var times []string
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		for _, kv := range strings.Split(r.Header.Get("Authorization"), "&") {
			if v, ok := strings.CutPrefix(kv, "q-sign-time="); ok {
				times = append(times, v)
			}
		}
		if n < 3 {
			xmlResponse(w, 502, "<html>bad gateway</html>")
			return
		}
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
	c, _ := newTestClient(t, f, func(cfg *Config) {
		cfg.Now = func() time.Time { return time.Unix(clock.Add(100), 0) }
	})
	if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
		t.Fatal(err)
	}
	if len(times) != 3 || times[0] == times[1] || times[1] == times[2] {
		t.Errorf("sign times = %v, want 3 distinct", times)
	}
}

func TestCallerCancelStopsRetries(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 500, errorXML("InternalError", "x"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := newTestClient(t, f, func(cfg *Config) {
		cfg.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	})
	_, err := c.Describe(ctx, testBucket, testRegion, "bj")
	if !errors.Is(err, context.Canceled) || IsRetryable(err) || IsPermanent(err) {
		t.Errorf("err = %v (retryable %v)", err, IsRetryable(err))
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 500 {
		t.Errorf("last answer lost: %v", err)
	}
	if n := f.count("GET", "/inventorytriggerjob/bj"); n != 1 {
		t.Errorf("calls = %d after cancel", n)
	}
}

// resetCI answers the first n requests of each path by resetting the connection (RST).
func resetCI(t *testing.T, resets int) *fakeCI {
	return newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= resets {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			return
		}
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
}

func TestConnectionResetIsRetriedAndUncertain(t *testing.T) {
	f := resetCI(t, 2)
	c, _ := newTestClient(t, f, nil)
	if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
		t.Fatalf("describe after two resets: %v", err)
	}
	if n := f.count("GET", "/inventorytriggerjob/bj"); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
	_, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 0 || !ae.Sent || !IsUncertain(err) || !IsRetryable(err) {
		t.Fatalf("create on reset: %v (sent %v uncertain %v)", err, ae != nil && ae.Sent, IsUncertain(err))
	}
	if n := f.count("POST", "/inventorytriggerjob"); n != 1 {
		t.Errorf("create calls = %d, want 1", n)
	}
}

func TestTimeoutAfterSendingIsUncertain(t *testing.T) {
	release := make(chan struct{})
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		<-release
	})
	defer close(release)
	c, _ := newTestClient(t, f, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
	_, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	if err == nil || !IsUncertain(err) || !IsRetryable(err) || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, uncertain %v retryable %v", err, IsUncertain(err), IsRetryable(err))
	}
}

func TestConnectionRefusedIsCertainlyNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := New(Config{Credentials: Credentials{SecretID: testID, SecretKey: testKey}, Endpoint: "http://" + addr,
		Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	if err == nil || IsUncertain(err) || !IsRetryable(err) {
		t.Errorf("err = %v, uncertain %v retryable %v", err, IsUncertain(err), IsRetryable(err))
	}
}

func TestBackoffFullJitter(t *testing.T) {
	for attempt := 0; attempt < 20; attempt++ {
		ceil := min(BackoffCap, BackoffBase<<attempt)
		for range 50 {
			if d := Backoff(attempt, 0); d < 0 || d >= ceil {
				t.Fatalf("Backoff(%d) = %v, want [0,%v)", attempt, d, ceil)
			}
		}
	}
	if d := Backoff(0, 3*time.Second); d < 3*time.Second {
		t.Errorf("Retry-After not honoured: %v", d)
	}
}
