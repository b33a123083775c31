package emulator

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/planrun/planrun/ciapi"
)

// Requests as other official clients and hand-written clients send them.

// signOnly signs req over host and the named headers only, and no query parameter (as the
// Python SDK signs its cancel, whose ?cancel stays unsigned).
func (c *client) signOnly(req *http.Request, headers ...string) *http.Request {
	can := &ciapi.Canonical{Method: req.Method, Path: req.URL.Path,
		Headers: []ciapi.KV{{Key: "host", Value: ciapi.Encode(req.Host)}}}
	for _, h := range headers {
		can.Headers = append(can.Headers, ciapi.KV{Key: h, Value: ciapi.Encode(req.Header.Get(h))})
	}
	req.Header.Set("Authorization", can.Authorization(c.id, c.secret, c.keyTime()))
	return req
}

func TestPythonStyleRequests(t *testing.T) {
	const token = "tmp-token"
	rn := start(t, Options{Tokens: map[string]string{DefaultSecretID: token}})
	c := newClient(t, rn)
	body := mustXML(t, workflowJob("py", "in/"))
	req := c.request(http.MethodPost, "/inventorytriggerjob", body)
	req.Header.Set("x-ci-security-token", token)
	status, _, b := c.do(c.signOnly(req, "x-ci-security-token"))
	if status != http.StatusOK {
		t.Fatalf("create with x-ci-security-token, only host signed: %d %s", status, b)
	}
	var cr ciapi.CreateResponse
	mustUnmarshal(t, b, &cr)
	req = c.request(http.MethodPut, "/inventorytriggerjob/"+cr.JobsDetail.JobId+"?cancel", nil)
	req.Header.Set("x-ci-security-token", token)
	if status, _, b := c.do(c.signOnly(req)); status != http.StatusOK && status != http.StatusBadRequest {
		t.Fatalf("cancel with unsigned ?cancel: %d %s", status, b)
	}
}

// A client may set Transfer-Encoding itself and sign it (the SDK's signed set includes
// transfer-encoding); net/http's server moves it out of r.Header.
func TestSignedTransferEncoding(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	body := mustXML(t, workflowJob("chunked", "in/"))
	req, err := http.NewRequest(http.MethodPost, "http://"+testHost+"/inventorytriggerjob", struct{ *bytes.Reader }{bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	req.TransferEncoding = []string{"chunked"}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Transfer-Encoding", "chunked")
	status, _, b := c.do(c.signOnly(req, "content-type", "transfer-encoding"))
	if status != http.StatusOK {
		t.Fatalf("chunked create signing transfer-encoding: %d %s", status, b)
	}
}
