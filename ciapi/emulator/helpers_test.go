package emulator

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

const (
	testHost     = "examplebucket-1250000000.ci.ap-beijing.myqcloud.com"
	testWorkflow = "w7476ff3564ee45b7b490d64bccaba6cc"
)

// fakeClock is a settable Options.Clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// start serves an emulator for the test's duration.
func start(t *testing.T, opts Options) *Running {
	t.Helper()
	rn, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rn.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return rn
}

// client sends requests to rn with the real-looking Host header.
type client struct {
	t          *testing.T
	rn         *Running
	host       string
	id, secret string
	now        func() time.Time
	hc         *http.Client
}

func newClient(t *testing.T, rn *Running) *client {
	return &client{t: t, rn: rn, host: testHost, id: DefaultSecretID, secret: DefaultSecretKey,
		now: time.Now, hc: &http.Client{Transport: rn.Transport()}}
}

// request builds an unsigned request for target (path and query) on c.host.
func (c *client) request(method, target string, body []byte) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, "http://"+c.host+target, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
		req.Header.Set("Content-MD5", md5Base64(body))
	}
	return req
}

// keyTime is a one-hour signature window starting at c.now().
func (c *client) keyTime() string {
	n := c.now().Unix()
	return strconv.FormatInt(n, 10) + ";" + strconv.FormatInt(n+3600, 10)
}

// sign signs req as a client does, over every parameter and signed header.
func (c *client) sign(req *http.Request) *http.Request {
	req.Header.Set("Authorization", ciapi.CanonicalFor(req).Authorization(c.id, c.secret, c.keyTime()))
	return req
}

// do sends req and returns the status, headers and body.
func (c *client) do(req *http.Request) (int, http.Header, []byte) {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// call signs and sends a request.
func (c *client) call(method, target string, body []byte) (int, http.Header, []byte) {
	c.t.Helper()
	return c.do(c.sign(c.request(method, target, body)))
}

// create posts cr and returns the job detail; it fails the test on any error.
func (c *client) create(cr ciapi.CreateRequest) *ciapi.JobDetail {
	c.t.Helper()
	status, _, body := c.call(http.MethodPost, "/inventorytriggerjob", mustXML(c.t, cr))
	if status != http.StatusOK {
		c.t.Fatalf("create %s: %d %s", cr.Name, status, body)
	}
	var resp ciapi.CreateResponse
	mustUnmarshal(c.t, body, &resp)
	return resp.JobsDetail
}

// describe returns the describe answer for id.
func (c *client) describe(id string) ciapi.DescribeResponse {
	c.t.Helper()
	status, _, body := c.call(http.MethodGet, "/inventorytriggerjob/"+id, nil)
	if status != http.StatusOK {
		c.t.Fatalf("describe %s: %d %s", id, status, body)
	}
	var resp ciapi.DescribeResponse
	mustUnmarshal(c.t, body, &resp)
	return resp
}

// apiErr sends a signed request and decodes the <Error> answer, checking the status.
func (c *client) apiErr(wantStatus int, method, target string, body []byte) ciapi.ErrorBody {
	c.t.Helper()
	status, h, b := c.do(c.sign(c.request(method, target, body)))
	return decodeErr(c.t, wantStatus, status, h, b)
}

func decodeErr(t *testing.T, wantStatus int, status int, h http.Header, body []byte) ciapi.ErrorBody {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	var e ciapi.ErrorBody
	mustUnmarshal(t, body, &e)
	if e.RequestId == "" || e.RequestId != h.Get("x-ci-request-id") || e.TraceId != h.Get("x-ci-trace-id") {
		t.Errorf("error ids %q/%q do not match headers %q/%q", e.RequestId, e.TraceId, h.Get("x-ci-request-id"), h.Get("x-ci-trace-id"))
	}
	return e
}

func workflowJob(name, prefix string) ciapi.CreateRequest {
	return ciapi.CreateRequest{Name: name, Type: ciapi.TypeWorkflow, Input: ciapi.Input{Prefix: prefix},
		Operation: ciapi.Operation{WorkflowIds: testWorkflow}}
}

func mustXML(t *testing.T, v any) []byte {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := xml.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
