package ciapi

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const jobXML = `<JobsDetail><Code>Success</Code><Message/><Type>Workflow</Type><Name>%s</Name><JobId>%s</JobId><State>Running</State><CreationTime>2022-06-27T15:23:10+0800</CreationTime><StartTime>-</StartTime><EndTime>-</EndTime></JobsDetail>`

func job(name, id string) string {
	return strings.Replace(strings.Replace(jobXML, "%s", name, 1), "%s", id, 1)
}

func TestCreateSendsSignedXMLOnce(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey, SessionToken: testToken}
	f := newFakeCI(t, creds, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, "<Response><RequestId>r1</RequestId>"+job("demo", "b3deffea2f84911ec9cb15254008618d9")+"</Response>")
	})
	c := newTestClient(t, f, nil)
	lvl := 1
	req := &CreateRequest{Name: "demo", Type: TypeJob, Input: Input{Prefix: "input"},
		Operation: Operation{TimeInterval: &TimeInterval{Start: "2022-02-01T12:00:00+0800"}, JobLevel: &lvl, Tag: "Transcode",
			JobParam: &JobParam{TemplateId: "t1"}}}
	resp, err := c.Create(context.Background(), testBucket, testRegion, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.JobsDetail.JobId != "b3deffea2f84911ec9cb15254008618d9" || resp.JobsDetail.Name != "demo" || resp.RequestId != "r1" {
		t.Errorf("response = %+v", resp.JobsDetail)
	}
	s := f.last()
	want, _ := xml.Marshal(req)
	if s.Body != string(want) || strings.HasPrefix(s.Body, "<?xml") {
		t.Errorf("body = %s", s.Body)
	}
	sum := md5.Sum(want)
	if got := s.Header.Get("Content-MD5"); got != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("Content-MD5 = %q", got)
	}
	if s.Method != "POST" || s.Path != "/inventorytriggerjob" || s.Host != realHost || s.Header.Get("Content-Type") != "application/xml" {
		t.Errorf("request = %s %s host %s ct %q", s.Method, s.Path, s.Host, s.Header.Get("Content-Type"))
	}
	if got := strings.Join(s.SignedHeaders, ";"); got != "content-length;content-md5;content-type;host;x-cos-security-token" {
		t.Errorf("signed headers = %s", got)
	}
	if s.Header.Get("x-cos-security-token") != testToken {
		t.Errorf("token not sent")
	}
}

func TestCreateIsNeverRetried(t *testing.T) {
	for _, tc := range []struct {
		status               int
		code                 string
		retryable, uncertain bool
	}{
		{503, "SlowDown", true, false},
		{500, "InternalError", true, true},
		{429, "TooManyRequests", true, false},
		{400, "InvalidArgument", false, false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
				xmlResponse(w, tc.status, errorXML(tc.code, "msg"))
			})
			c := newTestClient(t, f, nil)
			_, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Code != tc.code || ae.Op != "create" {
				t.Fatalf("err = %v", err)
			}
			if n := f.count("POST", "/inventorytriggerjob"); n != 1 {
				t.Errorf("calls = %d, want 1", n)
			}
			if IsRetryable(err) != tc.retryable || IsUncertain(err) != tc.uncertain || IsPermanent(err) == tc.retryable {
				t.Errorf("retryable %v uncertain %v permanent %v", IsRetryable(err), IsUncertain(err), IsPermanent(err))
			}
		})
	}
}

// A 2xx to a create that does not show the job (no body, a cut body, no job id) is not a
// success: the create is uncertain (look the Name up before sending it again).
func TestCreateSuccessWithoutJobIsUncertain(t *testing.T) {
	for name, body := range map[string]string{"cut": "<Response><RequestId>r1</Request", "empty": "",
		"no id":    "<Response><RequestId>r1</RequestId></Response>",
		"empty id": "<Response><JobsDetail><JobId></JobId><Name>x</Name></JobsDetail></Response>",
		"blank id": "<Response><JobsDetail><JobId>  </JobId><Name>x</Name></JobsDetail></Response>"} {
		f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
			xmlResponse(w, 200, body)
		})
		c := newTestClient(t, f, nil)
		resp, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
		if err == nil || resp != nil || !IsUncertain(err) || !IsRetryable(err) {
			t.Errorf("%s: resp %v, err = %v, uncertain %v retryable %v", name, resp, err, IsUncertain(err), IsRetryable(err))
		}
	}
	if IsUncertain(&APIError{Op: "describe", Status: 200, Err: errors.New("decode")}) ||
		IsRetryable(&APIError{Op: "list", Status: 200, Err: errors.New("decode")}) {
		t.Error("an unreadable describe or list answer is neither uncertain nor retryable")
	}
}

// An error body is the error it names on any status: a SlowDown answered with 200 is a
// throttle (retried, certainly not created), on every operation; an error of another code
// on a 2xx leaves a create uncertain. A success whose job carries Code Success is none.
func TestErrorBodyWithSuccessStatus(t *testing.T) {
	slow := "<Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>r9</RequestId></Response>"
	for _, tc := range []struct {
		name, body           string
		code                 string
		retryable, uncertain bool
	}{
		{"slowdown in Response", slow, "SlowDown", true, false},
		{"slowdown in Error", errorXML("SlowDown", "slow"), "SlowDown", true, false},
		{"slowdown with declaration", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + slow, "SlowDown", true, false},
		{"slowdown, comment", "<Response><!-- x --><Code>SlowDown</Code></Response>", "SlowDown", true, false},
		{"json slowdown", `{"code":"SlowDown","message":"m"}`, "SlowDown", true, false},
		{"internal error", errorXML("InternalError", "oops"), "InternalError", true, true},
		{"queue paused", errorXML("QueuePaused", "paused"), "QueuePaused", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
				xmlResponse(w, 200, tc.body)
			})
			c := newTestClient(t, f, nil)
			resp, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
			var ae *APIError
			if resp != nil || !errors.As(err, &ae) || ae.Status != 200 || ae.Code != tc.code || ae.Err != nil {
				t.Fatalf("create: resp %v, err = %v", resp, err)
			}
			if IsRetryable(err) != tc.retryable || IsUncertain(err) != tc.uncertain {
				t.Errorf("create: retryable %v uncertain %v", IsRetryable(err), IsUncertain(err))
			}
			page, err := c.List(context.Background(), testBucket, testRegion, ListOptions{})
			if page != nil || !errors.As(err, &ae) || ae.Code != tc.code || IsRetryable(err) != tc.retryable {
				t.Errorf("list: page %v, err = %v: want the error, not an empty page", page, err)
			}
			if err := c.Cancel(context.Background(), testBucket, testRegion, "j1"); !errors.As(err, &ae) || ae.Code != tc.code {
				t.Errorf("cancel: err = %v: want the error, not a cancelled job", err)
			}
		})
	}
	ok := "<Response><JobsDetail><Code>Success</Code><Message/><JobId>j1</JobId><Name>x</Name></JobsDetail><RequestId>r</RequestId></Response>"
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, ok)
	})
	resp, err := newTestClient(t, f, nil).Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	if err != nil || resp.JobsDetail.JobId != "j1" {
		t.Fatalf("a job whose Code is Success: %v, %v", resp, err)
	}
}

func TestErrorShaped(t *testing.T) {
	for body, want := range map[string]bool{
		"": false, "<Response/>": false, "<Response><Code></Code></Response>": false,
		"<Response><Code>SlowDown</Code></Response>":                                          true,
		"<Response><Code>SlowDown</Code><JobsDetail><JobId>j</JobId></JobsDetail></Response>": false,
		"<Response><JobsDetail><Code>Failed</Code></JobsDetail></Response>":                   false,
		"<Response>\n  <Code> SlowDown </Code>\n</Response>":                                  true,
		"<Response><Code>x</Code><Code>y</Code></Response>":                                   true,
		`{"code":0,"message":"ok"}`:                                                           false, `{"code":1020}`: true, `{"code":"SlowDown","JobsDetail":[]}`: false,
		"plain text": false,
	} {
		if got := errorShaped([]byte(body)); got != want {
			t.Errorf("errorShaped(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/inventorytriggerjob/bflaky":
			if n < 3 {
				xmlResponse(w, 500, errorXML("InternalError", "try again"))
				return
			}
			xmlResponse(w, 200, "<Response><RequestId>r</RequestId>"+job("n", "bflaky")+"</Response>")
		case "/inventorytriggerjob/bgone":
			xmlResponse(w, 200, "<Response><RequestId>r2</RequestId><NonExistJobIds>bgone</NonExistJobIds></Response>")
		default:
			xmlResponse(w, 404, errorXML("NoSuchJob", "no"))
		}
	})
	c := newTestClient(t, f, nil)
	ctx := context.Background()
	// Each call is one exchange: the two 500s come back to the caller, the third call succeeds.
	for i := 1; i <= 2; i++ {
		if _, err := c.Describe(ctx, testBucket, testRegion, "bflaky"); !IsRetryable(err) {
			t.Fatalf("describe %d: %v, want a retryable error", i, err)
		}
		if n := f.count("GET", "/inventorytriggerjob/bflaky"); n != i {
			t.Fatalf("calls = %d after %d describes", n, i)
		}
	}
	d, err := c.Describe(ctx, testBucket, testRegion, "bflaky")
	if err != nil || d.JobsDetail.JobId != "bflaky" || d.JobsDetail.State != StateRunning {
		t.Fatalf("describe = %+v, %v", d, err)
	}
	if got := strings.Join(f.last().SignedHeaders, ";"); got != "host" {
		t.Errorf("signed headers of a GET = %s", got)
	}
	for _, id := range []string{"bgone", "bmissing"} {
		_, err = c.Describe(ctx, testBucket, testRegion, id)
		if !errors.Is(err, ErrNotFound) || IsRetryable(err) || IsUncertain(err) || !IsPermanent(err) {
			t.Errorf("describe %s: err = %v", id, err)
		}
	}
	if _, err := c.Describe(ctx, testBucket, testRegion, "../x"); err == nil || IsUncertain(err) {
		t.Errorf("bad job id accepted: %v", err)
	}
}

func TestCancel(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/inventorytriggerjob/bnone" {
			xmlResponse(w, 404, errorXML("NoSuchJob", "no"))
			return
		}
		if n == 1 {
			xmlResponse(w, 503, errorXML("SlowDown", "slow"))
			return
		}
		w.Header().Set("x-ci-request-id", "x")
		w.WriteHeader(200)
	})
	c := newTestClient(t, f, nil)
	if err := c.Cancel(context.Background(), testBucket, testRegion, "bxyz"); !IsRetryable(err) {
		t.Fatalf("first cancel: %v, want the 503 SlowDown back", err)
	}
	if err := c.Cancel(context.Background(), testBucket, testRegion, "bxyz"); err != nil {
		t.Fatal(err)
	}
	s := f.last()
	if s.Method != "PUT" || s.Path != "/inventorytriggerjob/bxyz" || s.RawQuery != "cancel" || s.Body != "" {
		t.Errorf("request = %s %s?%s body %q", s.Method, s.Path, s.RawQuery, s.Body)
	}
	if s.Header.Get("Content-Length") != "0" || !slices.Contains(s.SignedHeaders, "content-length") {
		t.Errorf("Content-Length %q, signed %v", s.Header.Get("Content-Length"), s.SignedHeaders)
	}
	if n := f.count("PUT", "/inventorytriggerjob/bxyz"); n != 2 {
		t.Errorf("calls = %d, want 2 (one per Cancel)", n)
	}
	if err := c.Cancel(context.Background(), testBucket, testRegion, "bnone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancel missing job: %v", err)
	}
}
