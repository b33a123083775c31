package ciapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// Answers an independent server (or the real service) may give, which the client
// must read like the plain form the emulator sends.

const answerJobID = "b3deffea2f84911ec9cb15254008618d9"

func TestCreateAnswerShapes(t *testing.T) {
	bodies := map[string]string{
		"single-quoted declaration": `<?xml version='1.0' encoding='utf-8' ?><Response><RequestId>r</RequestId><JobsDetail><Name>demo</Name><JobId>` + answerJobID + `</JobId><State>Running</State></JobsDetail></Response>`,
		"namespace":                 `<Response xmlns="http://ci.example/doc"><RequestId>r</RequestId><JobsDetail><Name>demo</Name><JobId>` + answerJobID + `</JobId><State>Running</State></JobsDetail></Response>`,
		"pretty CRLF": "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Response>\r\n  <RequestId>r</RequestId>\r\n  <JobsDetail>\r\n    <Name>demo</Name>\r\n    <JobId>" +
			answerJobID + "</JobId>\r\n    <State>Running</State>\r\n  </JobsDetail>\r\n</Response>\r\n",
		"CDATA and entities": `<Response><RequestId><![CDATA[r]]></RequestId><JobsDetail><Name><![CDATA[demo]]></Name><JobId>` + answerJobID + `</JobId><State>Run&#x6E;ing</State></JobsDetail></Response>`,
		"comment and PI":     `<Response><!-- c --><?pi x?><RequestId>r</RequestId><JobsDetail><Name>demo</Name><JobId>` + answerJobID + `</JobId><State>Running</State></JobsDetail></Response>`,
		"unknown elements, other order": `<Response><JobsDetail><State>Running</State><Extra><Deep>1</Deep></Extra><JobId>` + answerJobID +
			`</JobId><Name>demo</Name><Percent>0</Percent></JobsDetail><RequestId>r</RequestId><Unknown/></Response>`,
		"utf-8 BOM":         "\xEF\xBB\xBF<Response><RequestId>r</RequestId><JobsDetail><Name>demo</Name><JobId>" + answerJobID + "</JobId><State>Running</State></JobsDetail></Response>",
		"attribute on leaf": `<Response><RequestId>r</RequestId><JobsDetail><Name lang="en">demo</Name><JobId>` + answerJobID + `</JobId><State>Running</State></JobsDetail></Response>`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
				xmlResponse(w, 200, body)
			})
			c := newTestClient(t, f, nil)
			resp, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "demo", Input: Input{Prefix: "p"}})
			if err != nil {
				t.Fatal(err)
			}
			if d := resp.JobsDetail; d.JobId != answerJobID || d.Name != "demo" || d.State != StateRunning || resp.RequestId != "r" {
				t.Errorf("decoded %+v (RequestId %q)", d, resp.RequestId)
			}
		})
	}
}

func TestCreateAnswerWithoutNameOrType(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, `<Response><RequestId>r</RequestId><JobsDetail><Code>Success</Code><JobId>`+answerJobID+`</JobId><State>Submitted</State></JobsDetail></Response>`)
	})
	c := newTestClient(t, f, nil)
	resp, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "demo", Input: Input{Prefix: "p"}})
	if err != nil || resp.JobsDetail.JobId != answerJobID {
		t.Fatalf("create = %+v, %v", resp, err)
	}
}

func TestGzipAndChunkedAnswers(t *testing.T) {
	body := `<Response><RequestId>r</RequestId><JobsDetail><Name>demo</Name><JobId>` + answerJobID + `</JobId></JobsDetail></Response>`
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		if n == 1 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte(body))
			zw.Close()
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(b.Bytes())
			return
		}
		// chunked: several writes with flushes and no Content-Length
		for _, part := range []string{body[:10], body[10:40], body[40:]} {
			w.Write([]byte(part))
			w.(http.Flusher).Flush()
		}
	})
	c := newTestClient(t, f, nil)
	for i := 0; i < 2; i++ {
		resp, err := c.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "demo", Input: Input{Prefix: "p"}})
		if err != nil || resp.JobsDetail.JobId != answerJobID {
			t.Fatalf("create %d = %+v, %v", i, resp, err)
		}
	}
}

// A server whose describe answer always carries a JobsDetail element (e.g. a value struct
// marshalled empty) says "unknown" with NonExistJobIds: the client must not report an
// empty job as found.
func TestDescribeUnknownWithEmptyJobsDetail(t *testing.T) {
	for name, body := range map[string]string{
		"empty element":  `<Response><RequestId>r</RequestId><JobsDetail/><NonExistJobIds>` + answerJobID + `</NonExistJobIds></Response>`,
		"empty children": `<Response><RequestId>r</RequestId><JobsDetail><Code></Code><Message></Message><JobId></JobId><State></State></JobsDetail><NonExistJobIds>` + answerJobID + `</NonExistJobIds></Response>`,
		"no detail":      `<Response><RequestId>r</RequestId><NonExistJobIds>` + answerJobID + `</NonExistJobIds></Response>`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
				xmlResponse(w, 200, body)
			})
			c := newTestClient(t, f, nil)
			d, err := c.Describe(context.Background(), testBucket, testRegion, answerJobID)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("describe = %+v, %v; want ErrNotFound", d, err)
			}
		})
	}
}

func TestDescribe404AndCancelAnswers(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.Method == http.MethodGet:
			xmlResponse(w, 404, `<Response><Code>NoSuchJob</Code><Message>no such job</Message></Response>`)
		case strings.HasSuffix(r.URL.Path, "a"):
			w.WriteHeader(http.StatusNoContent)
		default:
			xmlResponse(w, 200, `<Response><RequestId>r</RequestId></Response>`)
		}
	})
	c := newTestClient(t, f, nil)
	if _, err := c.Describe(context.Background(), testBucket, testRegion, answerJobID); !errors.Is(err, ErrNotFound) || IsRetryable(err) {
		t.Errorf("describe 404 = %v", err)
	}
	for _, id := range []string{"b1a", "b1b"} {
		if err := c.Cancel(context.Background(), testBucket, testRegion, id); err != nil {
			t.Errorf("cancel %s = %v", id, err)
		}
	}
}

// Go writes header values trimmed of surrounding white space, so a server can only verify
// a signature over the trimmed value.
func TestSignerHeaderValueWithSurroundingSpaces(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(200)
	})
	s := &Signer{Credentials: f.creds}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/inventorytriggerjob", nil)
	req.Header.Set("x-cos-meta-note", "  padded value\t")
	req.Header.Set("Content-Type", " application/xml ")
	resp, err := s.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := f.last().Header.Get("x-cos-meta-note"); got != "padded value" {
		t.Fatalf("the wire value is %q (the premise of this test changed)", got)
	}
	// verify (in fakeCI) reports the mismatch.
}

// Non-ASCII and reserved characters in query values, and a repeated key, are signed so that
// a verifier that form-decodes the query agrees.
func TestSignerQueryValues(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(200)
	})
	s := &Signer{Credentials: f.creds}
	for _, q := range []string{
		"name=" + Encode("批量 任务+/a?b&c=d"),
		"name=%E6%89%B9+x",             // '+' is a space when form-decoded
		"states=Running&states=Failed", // repeated key
		"A=1&a=2",                      // keys equal once lower-cased
		"cancel",                       // valueless
	} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/inventorytriggerjob?"+q, nil)
		resp, err := s.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}
