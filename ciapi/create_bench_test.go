package ciapi

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// cannedCreate is a RoundTripper that answers every request with one create answer,
// without a network: what Client.Create itself costs a call (building and signing the
// request, reading and checking the answer).
type cannedCreate struct{ body []byte }

func (c cannedCreate) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/xml"}, "Date": {"Tue, 08 Dec 2026 03:00:00 GMT"},
		"Content-Length": {strconv.Itoa(len(c.body))}}
	return &http.Response{StatusCode: 200, Header: h, ContentLength: int64(len(c.body)),
		Body: io.NopCloser(bytes.NewReader(c.body)), Request: req}, nil
}

// BenchmarkCreateCall is one Client.Create over a transport that answers at once with a
// full create answer (see cannedCreate), to a base-URL endpoint (as the bench's
// emulator) and to the default endpoint, a host template (nothing goes on the wire).
func BenchmarkCreateCall(b *testing.B) {
	b.Run("base", func(b *testing.B) { benchmarkCreateCall(b, "http://127.0.0.1:1") })
	b.Run("template", func(b *testing.B) { benchmarkCreateCall(b, "") })
}

func benchmarkCreateCall(b *testing.B, endpoint string) {
	answer, err := xml.Marshal(fullCreateResponse())
	if err != nil {
		b.Fatal(err)
	}
	c, err := New(Config{Credentials: Credentials{SecretID: "AKIDexample", SecretKey: "secret"},
		Endpoint: endpoint, HTTPClient: &http.Client{Transport: cannedCreate{answer}},
		Timeout: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	lvl := 1
	req := &CreateRequest{Name: "plan-job-20240101T0000-3f9c0a1b2d4e5f60", Type: "Job",
		Input: Input{Prefix: "input/video/"},
		Operation: Operation{WorkflowIds: "w7476ff3564ee45b7b490d64bccaba6cc", JobLevel: &lvl,
			TimeInterval: &TimeInterval{Start: "2024-01-01T00:00:00+0800", End: "2024-01-02T00:00:00+0800"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // as the pace layer bounds a create
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Create(ctx, "examplebucket-1250000000", "ap-beijing", req); err != nil {
			b.Fatal(err)
		}
	}
}
