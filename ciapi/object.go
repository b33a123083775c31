package ciapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// PutObject stores body as the object key of bucket (COS "PUT Object", PUT /<key>, Content-Type
// text/plain, Content-MD5 of body), replacing an object of the same key. It is signed as
// every other call, and sent once; see IsRetryable. The host is COS's, not CI's (see
// RealCOSHost):
//
//   - with a base-URL endpoint the connection goes to the base URL, as for every call,
//     and the Host header and the signature are those of <bucket>.cos.<region>.myqcloud.com;
//   - with a template endpoint the first ".ci." of the template's host becomes ".cos."
//     (so the default template reaches COS); a template without ".ci." is used as it is.
//
// The key goes in the path escaped segment by segment (every byte but A-Z a-z 0-9 - _ . ~
// and the "/" between segments), so spaces, "%", "+", "#", "?" and non-ASCII keys reach
// the service as they are. An empty key, or one with a "." or ".." segment (which a proxy
// may resolve), is refused.
func (c *Client) PutObject(ctx context.Context, bucket, region, key string, body []byte) error {
	const op = "put object"
	if err := checkObjectKey(key); err != nil {
		return &APIError{Op: op, Err: err}
	}
	if body == nil {
		body = []byte{} // a PUT of an empty object still carries Content-Length: 0
	}
	_, err := c.do(ctx, call{op: op, method: http.MethodPut, bucket: bucket, region: region,
		path: "/" + key, body: body, object: true, contentType: "text/plain"})
	return err
}

// RealCOSHost returns the COS host name of a bucket, "<bucket>.cos.<region>.myqcloud.com".
func RealCOSHost(bucket, region string) string {
	return bucket + ".cos." + region + ".myqcloud.com"
}

// objectTarget is target for a COS object at path p ("/" and the decoded key): the COS host
// (see PutObject), and a path escaped segment by segment.
func (e endpoint) objectTarget(bucket, region, p string) (u *url.URL, host string) {
	u, host = e.target(bucket, region, p)
	if e.template {
		tmpl := strings.Replace(e.host, ".ci.", ".cos.", 1)
		host = strings.NewReplacer(bucketMark, bucket, regionMark, region).Replace(tmpl)
		u.Host = host
	} else {
		host = RealCOSHost(bucket, region)
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = Encode(s)
	}
	u.RawPath = e.path + strings.Join(segs, "/")
	return u, host
}

// checkObjectKey refuses keys that cannot be sent as a path as they are.
func checkObjectKey(key string) error {
	if key == "" {
		return errors.New("empty object key")
	}
	for _, s := range strings.Split(key, "/") {
		if s == "." || s == ".." {
			return fmt.Errorf("object key %q: a %q segment may be resolved on the way", key, s)
		}
	}
	return nil
}
