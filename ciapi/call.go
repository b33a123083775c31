package ciapi

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"
)

// Bounds of the response bodies held in memory. A list page of 100 jobs is well under
// maxBody; a body up to freeRead is read at once, a larger one (up to maxBody) first takes
// its size from the client's read budget, which every call in flight shares, so that a
// hostile or broken server cannot make memory grow with --parallel.
const (
	maxBody    = 4 << 20
	freeRead   = 64 << 10
	readBudget = 32 << 20
)

// errTooLarge is the error of a response body larger than maxBody.
var errTooLarge = fmt.Errorf("response body larger than %d bytes", maxBody)

// call is one API call: one HTTP exchange (two when the first is refused for clock skew).
type call struct {
	op, method     string
	bucket, region string
	path, query    string // path after the endpoint's base path; encoded query
	body           []byte // nil: no body
	// object sends the call to COS (see objectTarget), path being "/" and the object key;
	// contentType is the body's type ("": application/xml).
	object      bool
	contentType string
}

// response is a complete answer of the service.
type response struct {
	status int
	header http.Header
	body   []byte
	// root is the body as parseSimpleXML reads it, when the error check already did
	// (see errorShapedRoot); nil otherwise.
	root *xdoc
}

// do sends cl once. The one exception: an answer that says the signature's time window
// missed the service's clock corrects the clock offset from the answer's Date and sends cl
// once more, signed afresh. It never retries anything else: retries, backoff, the rate
// limit and the call slots belong to the caller (the executor), so that a caller's retry
// count is the number of tries the service sees. Every error it returns is an *APIError.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	if err := checkBucketRegion(cl.bucket, cl.region); err != nil {
		return nil, &APIError{Op: cl.op, Err: err}
	}
	resp, err := c.attempt(ctx, cl)
	if err == nil {
		return resp, nil
	}
	var ae *APIError
	errors.As(err, &ae)
	if resp != nil && isSkew(ae) {
		if t, perr := http.ParseTime(resp.header.Get("Date")); perr == nil {
			c.signer.SetClockOffset(t.Sub(c.now()))
			return c.attempt(ctx, cl)
		}
	}
	return nil, err
}

// attempt sends cl once, signed afresh. A non-2xx answer, or a 2xx whose body is an error
// (see errorShaped), comes back as both the response and an *APIError.
func (c *Client) attempt(ctx context.Context, cl call) (*response, error) {
	if err := ctx.Err(); err != nil {
		return nil, &APIError{Op: cl.op, Err: &stopped{err}}
	}
	actx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()
	st := &sentTrace{}
	st.trace.WroteHeaders = func() { st.sent.Store(true) }
	actx = httptrace.WithClientTrace(actx, &st.trace)
	sent := &st.sent
	var u *url.URL
	var host string
	if cl.object {
		u, host = c.ep.objectTarget(cl.bucket, cl.region, cl.path)
	} else {
		u, host = c.target(cl.bucket, cl.region, cl.path)
	}
	u.RawQuery = cl.query
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	// The request takes u as it is: rendering it for NewRequestWithContext to parse back
	// gives the same URL (its path has no RawPath of its own), at a cost on every call.
	req, err := http.NewRequestWithContext(actx, cl.method, "", body)
	if err != nil {
		return nil, &APIError{Op: cl.op, Err: fmt.Errorf("build request: %w", err)}
	}
	req.URL, req.Host = u, host
	// The headers are set directly under their canonical keys, sharing one backing array.
	vals := make([]string, 4)
	vals[0], vals[1] = c.ua, "application/xml"
	req.Header["User-Agent"], req.Header["Accept"] = vals[0:1:1], vals[1:2:2]
	if cl.body != nil {
		sum := md5.Sum(cl.body)
		vals[2], vals[3] = "application/xml", base64.StdEncoding.EncodeToString(sum[:])
		if cl.contentType != "" {
			vals[2] = cl.contentType
		}
		req.Header["Content-Type"], req.Header["Content-Md5"] = vals[2:3:3], vals[3:4:4]
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		switch addr := u.Scheme + "://" + u.Host; {
		case ctx.Err() != nil:
			err = &stopped{err}
		case certError(err):
			err = &certErr{addr: addr, err: err}
		case !sent.Load() && neverSent(err):
			err = &reachError{addr: addr, err: err}
		}
		return nil, c.creds.redactError(&APIError{Op: cl.op, Err: err, Sent: sent.Load()})
	}
	defer resp.Body.Close()
	c.observeDate(resp.Header)
	data, err := c.readBody(actx, resp)
	if err != errTooLarge && (err != nil || int64(len(data)) != resp.ContentLength) {
		// Drain for connection reuse; a body of known length read whole is at its end
		// already (net/http saw its EOF with the last byte).
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	if err != nil {
		err = fmt.Errorf("read response: %w", err)
		if ctx.Err() != nil {
			err = &stopped{err}
		}
		return nil, c.creds.redactError(&APIError{Op: cl.op, Status: resp.StatusCode, Err: err, Sent: true})
	}
	r := &response{status: resp.StatusCode, header: resp.Header, body: data}
	shaped := resp.StatusCode/100 != 2
	if !shaped {
		shaped, r.root = errorShapedRoot(data)
	}
	if shaped { // an error body is an error on any status
		return r, c.creds.redactError(newStatusError(cl.op, resp.StatusCode, resp.Header, data, c.now()))
	}
	return r, nil
}

// sentTrace is the trace of one attempt: sent is set once the request's headers were
// written (one allocation for both).
type sentTrace struct {
	sent  atomic.Bool
	trace httptrace.ClientTrace
}

// withTimeout bounds ctx by d, unless ctx already ends no later than d from now: a
// context and a timer less per call when the caller bounds each call itself (the
// executor does).
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// readBody reads a response body of at most maxBody bytes. A body of known length is
// read into a buffer of that size at once, instead of the doubling reads of io.ReadAll;
// one that declares more than maxBody is refused unread. A body beyond freeRead holds its
// size (maxBody when unknown) of the shared read budget while it is read, waiting for it
// (bounded by ctx).
func (c *Client) readBody(ctx context.Context, resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n > maxBody {
		return nil, errTooLarge
	}
	if n >= 0 {
		if n > freeRead {
			if err := c.budget.Acquire(ctx, n); err != nil {
				return nil, err
			}
			defer c.budget.Release(n)
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, freeRead+1))
	if err != nil || len(data) <= freeRead {
		return data, err
	}
	if err := c.budget.Acquire(ctx, maxBody); err != nil {
		return nil, err
	}
	defer c.budget.Release(maxBody)
	// One buffer of the cap (and a byte to tell a longer body), not the doubling reads of
	// io.ReadAll and a copy: the budget counts what the call holds.
	buf := make([]byte, maxBody+1)
	k := copy(buf, data)
	m, err := io.ReadFull(resp.Body, buf[k:])
	switch {
	case err == nil:
		return nil, errTooLarge
	case !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF):
		return nil, err
	}
	return buf[:k+m], nil
}
