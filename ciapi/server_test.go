package ciapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const (
	testID     = "AKIDtestSecretId0001234"
	testKey    = "tEsTsEcReTkEy-NeVeR-pRiNt"
	testToken  = "TeMpSeSsIoNtOkEn-never-print"
	testBucket = "examplebucket-1250000000"
	testRegion = "ap-beijing"
	realHost   = "examplebucket-1250000000.ci.ap-beijing.myqcloud.com"
)

// seen is what the fake service recorded about one request.
type seen struct {
	Method, Host, Path, RawQuery string
	Header                       http.Header
	Body                         string
	SignedHeaders, SignedParams  []string
}

// fakeCI is an httptest server that verifies every signature and counts calls per path.
type fakeCI struct {
	t     *testing.T
	srv   *httptest.Server
	creds Credentials

	mu     sync.Mutex
	calls  map[string]int
	seen   []seen
	handle func(w http.ResponseWriter, r *http.Request, n int) // n: 1-based call number for the path
}

func newFakeCI(t *testing.T, creds Credentials, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeCI {
	t.Helper()
	f := &fakeCI{t: t, creds: creds, calls: map[string]int{}, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	hl, pl := verify(f.t, r, f.creds.SecretID, f.creds.SecretKey)
	f.mu.Lock()
	key := r.Method + " " + r.URL.Path
	f.calls[key]++
	n := f.calls[key]
	f.seen = append(f.seen, seen{r.Method, r.Host, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body), hl, pl})
	f.mu.Unlock()
	f.handle(w, r, n)
}

func (f *fakeCI) count(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method+" "+path]
}

func (f *fakeCI) last() seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		f.t.Fatal("no request seen")
	}
	return f.seen[len(f.seen)-1]
}

// newTestClient returns a client on f's plain base URL (the Host stays the real host).
func newTestClient(t *testing.T, f *fakeCI, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{Credentials: f.creds, Endpoint: f.srv.URL, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dialTo returns a transport that connects every request to addr, whatever its URL says.
func dialTo(addr string) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

func xmlResponse(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ci-request-id", "hdr-req-id")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func errorXML(code, msg string) string {
	return "<?xml version='1.0' encoding='utf-8' ?><Error><Code>" + code + "</Code><Message>" + msg +
		"</Message><RequestId>req-" + code + "</RequestId><TraceId>trace-1</TraceId></Error>"
}
