package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

func TestSignatureOneByteChanged(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	req := c.sign(c.request(http.MethodGet, "/inventorytriggerjob?states=All&type=Workflow", nil))
	auth := req.Header.Get("Authorization")
	last := auth[len(auth)-1]
	flipped := byte('0')
	if last == '0' {
		flipped = '1'
	}
	req.Header.Set("Authorization", auth[:len(auth)-1]+string(flipped))
	status, h, body := c.do(req)
	e := decodeErr(t, http.StatusForbidden, status, h, body)
	if e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("code %s", e.Code)
	}
	want := ciapi.CanonicalFor(c.request(http.MethodGet, "/inventorytriggerjob?states=All&type=Workflow", nil))
	if e.FormatString != want.FormatString() {
		t.Errorf("FormatString %q, want %q", e.FormatString, want.FormatString())
	}
	keyTime := auth[strings.Index(auth, "q-key-time=")+len("q-key-time=") : strings.Index(auth, "&q-header-list")]
	if e.StringToSign != want.StringToSign(keyTime) {
		t.Errorf("StringToSign %q, want %q", e.StringToSign, want.StringToSign(keyTime))
	}
	if got := rn.Server.Stats().AuthFailures; got != 1 {
		t.Errorf("AuthFailures = %d", got)
	}
}

func TestSignatureCoversBodyHeadersAndParams(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	// A query parameter changed after signing.
	req := c.sign(c.request(http.MethodGet, "/inventorytriggerjob?name=a", nil))
	req.URL.RawQuery = "name=b"
	status, h, body := c.do(req)
	if e := decodeErr(t, http.StatusForbidden, status, h, body); e.Code != "SignatureDoesNotMatch" {
		t.Errorf("param changed: %s", e.Code)
	}
	// A signed header changed after signing.
	b := mustXML(t, workflowJob("n1", "in/"))
	req = c.sign(c.request(http.MethodPost, "/inventorytriggerjob", b))
	req.Header.Set("Content-Type", "text/xml")
	status, h, body = c.do(req)
	if e := decodeErr(t, http.StatusForbidden, status, h, body); e.Code != "SignatureDoesNotMatch" {
		t.Errorf("header changed: %s", e.Code)
	}
	// An unsigned parameter (the Python SDK's ?cancel) and unsigned headers are ignored.
	req = c.sign(c.request(http.MethodGet, "/inventorytriggerjob", nil))
	req.URL.RawQuery = "cancel"
	req.Header.Set("User-Agent", "anything")
	if status, _, body := c.do(req); status != http.StatusOK {
		t.Errorf("unsigned param: %d %s", status, body)
	}
	// The host, port included, is signed: signing another host fails.
	req = c.request(http.MethodGet, "/inventorytriggerjob", nil)
	req.Host = "otherbucket-1250000000.ci.ap-beijing.myqcloud.com"
	c.sign(req)
	req.Host = testHost
	status, h, body = c.do(req)
	if e := decodeErr(t, http.StatusForbidden, status, h, body); e.Code != "SignatureDoesNotMatch" {
		t.Errorf("host changed: %s", e.Code)
	}
}

func TestSignatureListedAbsentHeaderIsEmpty(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	req := c.request(http.MethodGet, "/inventorytriggerjob", nil)
	cn := ciapi.CanonicalFor(req)
	cn.Headers = append(cn.Headers, ciapi.KV{Key: "x-cos-meta-absent", Value: ""})
	cn.Params = append(cn.Params, ciapi.KV{Key: "absent", Value: ""})
	req.Header.Set("Authorization", cn.Authorization(c.id, c.secret, c.keyTime()))
	if status, _, body := c.do(req); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
}

func TestAuthRefusals(t *testing.T) {
	clock := newFakeClock()
	rn := start(t, Options{Clock: clock.Now, MaxSkew: time.Minute})
	window := func(from, to time.Duration) string {
		n := clock.Now()
		return strconv.FormatInt(n.Add(from).Unix(), 10) + ";" + strconv.FormatInt(n.Add(to).Unix(), 10)
	}
	tests := []struct {
		name       string
		auth       func(c *ciapi.Canonical) string
		status     int
		code, text string
	}{
		{"missing", func(*ciapi.Canonical) string { return "" }, 401, "MissingAuthorization", "missing"},
		{"malformed", func(*ciapi.Canonical) string { return "q-sign-algorithm=sha1&q-ak" }, 401, "InvalidAuthorization", "key=value"},
		{"field missing", func(c *ciapi.Canonical) string {
			a := c.Authorization(DefaultSecretID, DefaultSecretKey, window(0, time.Hour))
			return a[:strings.Index(a, "&q-signature")]
		}, 401, "InvalidAuthorization", "q-signature is missing"},
		{"md5 algorithm", func(c *ciapi.Canonical) string {
			return strings.Replace(c.Authorization(DefaultSecretID, DefaultSecretKey, window(0, time.Hour)), "=sha1", "=md5", 1)
		}, 401, "InvalidAuthorization", "sha1"},
		{"bad window", func(c *ciapi.Canonical) string { return c.Authorization(DefaultSecretID, DefaultSecretKey, "x;y") }, 401, "InvalidAuthorization", "q-sign-time"},
		{"unknown key", func(c *ciapi.Canonical) string {
			return c.Authorization("AKIDunknown", DefaultSecretKey, window(0, time.Hour))
		}, 403, "InvalidAccessKeyId", ""},
		{"expired", func(c *ciapi.Canonical) string {
			return c.Authorization(DefaultSecretID, DefaultSecretKey, window(-3*time.Hour, -2*time.Minute))
		}, 403, "AccessDenied", "Request has expired"},
		{"future", func(c *ciapi.Canonical) string {
			return c.Authorization(DefaultSecretID, DefaultSecretKey, window(2*time.Minute, time.Hour))
		}, 403, "RequestTimeTooSkewed", ""},
		{"host unsigned", func(c *ciapi.Canonical) string {
			c.Headers = nil
			return c.Authorization(DefaultSecretID, DefaultSecretKey, window(0, time.Hour))
		}, 403, "AccessDenied", "host"},
	}
	c := newClient(t, rn)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := c.request(http.MethodGet, "/inventorytriggerjob", nil)
			if a := tt.auth(ciapi.CanonicalFor(req)); a != "" {
				req.Header.Set("Authorization", a)
			}
			status, h, body := c.do(req)
			e := decodeErr(t, tt.status, status, h, body)
			if e.Code != tt.code || !strings.Contains(e.Message, tt.text) {
				t.Errorf("got %s %q, want %s containing %q", e.Code, e.Message, tt.code, tt.text)
			}
		})
	}
	// Within the skew tolerance both edges are accepted.
	for _, w := range []string{window(-2*time.Hour, -30*time.Second), window(30*time.Second, time.Hour)} {
		req := c.request(http.MethodGet, "/inventorytriggerjob", nil)
		req.Header.Set("Authorization", ciapi.CanonicalFor(req).Authorization(DefaultSecretID, DefaultSecretKey, w))
		if status, _, body := c.do(req); status != http.StatusOK {
			t.Errorf("window %s: %d %s", w, status, body)
		}
	}
}

func TestTokenHeadersAndRedaction(t *testing.T) {
	const token = "very-secret-session-token"
	rn := start(t, Options{Tokens: map[string]string{DefaultSecretID: token}})
	c := newClient(t, rn)
	for _, hdr := range tokenHeaders {
		req := c.request(http.MethodGet, "/inventorytriggerjob", nil)
		req.Header.Set(hdr, token)
		if status, _, body := c.do(c.sign(req)); status != http.StatusOK {
			t.Errorf("%s: %d %s", hdr, status, body)
		}
	}
	// A refused signature never echoes the token.
	req := c.request(http.MethodGet, "/inventorytriggerjob", nil)
	req.Header.Set("x-cos-security-token", token)
	c.sign(req)
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "q-signature=", "q-signature=0", 1))
	status, h, body := c.do(req)
	e := decodeErr(t, http.StatusForbidden, status, h, body)
	if e.Code != "SignatureDoesNotMatch" || strings.Contains(string(body), token) || !strings.Contains(e.FormatString, "x-cos-security-token=REDACTED") {
		t.Errorf("got %s %q", e.Code, body)
	}
}

func TestHostRouting(t *testing.T) {
	tests := []struct {
		host           string
		ok             bool
		bucket, region string
	}{
		{host: "examplebucket-1250000000.ci.ap-beijing.myqcloud.com", ok: true, bucket: "examplebucket-1250000000", region: "ap-beijing"},
		{host: "examplebucket-1250000000.ci.ap-beijing.myqcloud.com:9000", ok: true, bucket: "examplebucket-1250000000", region: "ap-beijing"},
		{host: "b-1.ci.ap-guangzhou.localhost:8080", ok: true, bucket: "b-1", region: "ap-guangzhou"},
		{host: "127.0.0.1:9000"},
		{host: "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"},
		{host: "b.ci.ap-beijing"},
	}
	for _, tt := range tests {
		got, ok := parseHost(tt.host)
		if ok != tt.ok || got.bucket != tt.bucket || got.region != tt.region {
			t.Errorf("parseHost(%q) = %+v, %v", tt.host, got, ok)
		}
	}

	rn := start(t, Options{})
	c := newClient(t, rn)
	c.host = rn.Addr
	if e := c.apiErr(http.StatusBadRequest, http.MethodGet, "/inventorytriggerjob", nil); e.Code != "InvalidHost" {
		t.Errorf("code %s", e.Code)
	}
	rn2 := start(t, Options{DefaultBucket: "examplebucket-1250000000", DefaultRegion: "ap-beijing"})
	c2 := newClient(t, rn2)
	c2.host = rn2.Addr
	d := c2.create(workflowJob("direct", "in/"))
	if jobs := rn2.Server.Jobs(); len(jobs) != 1 || jobs[0].ID != d.JobId || jobs[0].Bucket != "examplebucket-1250000000" || jobs[0].Region != "ap-beijing" {
		t.Errorf("jobs %+v", jobs)
	}
	// The same bucket through its real host sees the job.
	c3 := newClient(t, rn2)
	if got := c3.describe(d.JobId); got.JobsDetail == nil {
		t.Errorf("describe through the real host: %+v", got)
	}
}

func TestCommonHeaders(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	for _, auth := range []bool{true, false} {
		req := c.request(http.MethodGet, "/inventorytriggerjob", nil)
		if auth {
			c.sign(req)
		}
		status, h, _ := c.do(req)
		if h.Get("x-ci-request-id") == "" || h.Get("Server") != "tencent-ci" || h.Get("Date") == "" {
			t.Errorf("status %d headers %v", status, h)
		}
		if (status != http.StatusOK) != (h.Get("x-ci-trace-id") != "") {
			t.Errorf("status %d with trace id %q", status, h.Get("x-ci-trace-id"))
		}
	}
}
