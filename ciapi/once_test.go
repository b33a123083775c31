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

// Every call is one exchange: throttling, 5xx and resets come back to the caller (the
// executor retries), with the Retry-After the service asked for.
func TestEveryCallIsSentOnce(t *testing.T) {
	date := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "7")
		xmlResponse(w, 503, errorXML("SlowDown", "Please reduce your request rate"))
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.Now = func() time.Time { return date } })
	ctx := context.Background()
	_, err := c.Describe(ctx, testBucket, testRegion, "bj")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "SlowDown" || ae.RetryAfter != 7*time.Second || !IsRetryable(err) || IsUncertain(err) {
		t.Fatalf("err = %v", err)
	}
	if got, want := err.Error(), "describe: 503 SlowDown: Please reduce your request rate (RequestId: req-SlowDown)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, errList := c.List(ctx, testBucket, testRegion, ListOptions{})
	errCancel := c.Cancel(ctx, testBucket, testRegion, "bj")
	_, errCreate := c.Create(ctx, testBucket, testRegion, &CreateRequest{Name: "x"})
	for op, err := range map[string]error{"list": errList, "cancel": errCancel, "create": errCreate} {
		if !errors.As(err, &ae) || ae.Code != "SlowDown" || !IsRetryable(err) {
			t.Errorf("%s: err = %v, want the SlowDown answer", op, err)
		}
	}
	for _, k := range []struct{ method, path string }{{"GET", "/inventorytriggerjob/bj"}, {"GET", "/inventorytriggerjob"},
		{"PUT", "/inventorytriggerjob/bj"}, {"POST", "/inventorytriggerjob"}} {
		if n := f.count(k.method, k.path); n != 1 {
			t.Errorf("%s %s reached the server %d times, want 1", k.method, k.path, n)
		}
	}
}

func TestPermanentErrorsArePermanent(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 400, errorXML("InvalidArgument", "bad"))
	})
	c := newTestClient(t, f, nil)
	err := c.Cancel(context.Background(), testBucket, testRegion, "bj")
	if f.count("PUT", "/inventorytriggerjob/bj") != 1 || !IsPermanent(err) || IsRetryable(err) {
		t.Errorf("calls %d err %v", f.count("PUT", "/inventorytriggerjob/bj"), err)
	}
}

func TestEachCallIsSignedAfresh(t *testing.T) {
	var clock atomic.Int64
	clock.Store(1700000000)
	var times []string
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		for _, kv := range strings.Split(r.Header.Get("Authorization"), "&") {
			if v, ok := strings.CutPrefix(kv, "q-sign-time="); ok {
				times = append(times, v)
			}
		}
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Now = func() time.Time { return time.Unix(clock.Add(100), 0) }
	})
	for range 2 {
		if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
			t.Fatal(err)
		}
	}
	if len(times) != 2 || times[0] == times[1] {
		t.Errorf("sign times = %v, want 2 distinct", times)
	}
}

func TestCallerCancelSendsNothing(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 500, errorXML("InternalError", "x"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newTestClient(t, f, nil)
	_, err := c.Describe(ctx, testBucket, testRegion, "bj")
	if !errors.Is(err, context.Canceled) || IsRetryable(err) || IsPermanent(err) {
		t.Errorf("err = %v (retryable %v)", err, IsRetryable(err))
	}
	if n := f.count("GET", "/inventorytriggerjob/bj"); n != 0 {
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

func TestConnectionResetIsRetryableAndUncertain(t *testing.T) {
	f := resetCI(t, 1)
	c := newTestClient(t, f, nil)
	if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); !IsRetryable(err) {
		t.Fatalf("describe on reset: %v, want retryable", err)
	}
	if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
		t.Fatalf("describe after the reset: %v", err)
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
	c := newTestClient(t, f, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
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
	c, err := New(Config{Credentials: Credentials{SecretID: testID, SecretKey: testKey}, Endpoint: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	if err == nil || IsUncertain(err) || !IsRetryable(err) {
		t.Errorf("err = %v, uncertain %v retryable %v", err, IsUncertain(err), IsRetryable(err))
	}
}
