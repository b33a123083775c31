package ciapi

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// PutObject sends the body as it is to the COS host, signed, with the key in the path
// surviving spaces, "%", "+", "#", "?" and non-ASCII characters.
func TestPutObjectBaseURL(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey, SessionToken: testToken}
	var uris []string
	f := newFakeCI(t, creds, func(w http.ResponseWriter, r *http.Request, _ int) {
		uris = append(uris, r.RequestURI)
		w.Header().Set("ETag", `"x"`)
	})
	c := newTestClient(t, f, nil)
	body := []byte("https://b.cos.ap-beijing.myqcloud.com/a%20b.mp4\nhttps://b.cos.ap-beijing.myqcloud.com/c.mp4\n")
	for _, tc := range []struct{ key, uri string }{
		{"planrun-lists/a.txt", "/planrun-lists/a.txt"},
		{"dir/a b+c%d#e?f.txt", "/dir/a%20b%2Bc%25d%23e%3Ff.txt"},
		{"列表/視頻 1.txt", "/%E5%88%97%E8%A1%A8/%E8%A6%96%E9%A0%BB%201.txt"},
	} {
		if err := c.PutObject(context.Background(), testBucket, testRegion, tc.key, body); err != nil {
			t.Fatalf("put %q: %v", tc.key, err)
		}
		got := f.last() // its signature was verified by the fake service
		if got.Method != http.MethodPut || got.Host != RealCOSHost(testBucket, testRegion) {
			t.Errorf("put %q: %s to host %s, want PUT to %s", tc.key, got.Method, got.Host, RealCOSHost(testBucket, testRegion))
		}
		if got.Path != "/"+tc.key || uris[len(uris)-1] != tc.uri {
			t.Errorf("put %q: path %q sent as %q, want %q", tc.key, got.Path, uris[len(uris)-1], tc.uri)
		}
		if got.Body != string(body) {
			t.Errorf("put %q: body %q, want %q", tc.key, got.Body, body)
		}
		sum := md5.Sum(body)
		if h := got.Header.Get("Content-MD5"); h != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Errorf("put %q: Content-MD5 %q", tc.key, h)
		}
		if ct := got.Header.Get("Content-Type"); ct != "text/plain" {
			t.Errorf("put %q: Content-Type %q, want text/plain", tc.key, ct)
		}
		for _, h := range []string{"host", "content-md5", "content-length", "x-cos-security-token"} {
			if !strings.Contains(";"+strings.Join(got.SignedHeaders, ";")+";", ";"+h+";") {
				t.Errorf("put %q: %s not signed (signed: %v)", tc.key, h, got.SignedHeaders)
			}
		}
	}
}

// With a template endpoint the ".ci." of the host becomes ".cos.": the connection and
// the Host header are the COS host's.
func TestPutObjectTemplateEndpoint(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey}
	f := newFakeCI(t, creds, func(http.ResponseWriter, *http.Request, int) {})
	var dialed []string
	tr := dialTo(strings.TrimPrefix(f.srv.URL, "http://"))
	tr.Proxy = func(r *http.Request) (*url.URL, error) { dialed = append(dialed, r.URL.Host); return nil, nil }
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Endpoint = "http://{bucket}.ci.{region}.example.test"
		cfg.AllowInsecure = true
		cfg.HTTPClient = &http.Client{Transport: tr}
	})
	if err := c.PutObject(context.Background(), testBucket, testRegion, "k.txt", nil); err != nil {
		t.Fatal(err)
	}
	want := testBucket + ".cos." + testRegion + ".example.test"
	if got := f.last(); got.Host != want || got.Body != "" || got.Header.Get("Content-Length") != "0" {
		t.Errorf("host %q body %q length %q, want host %s and an empty body", got.Host, got.Body, got.Header.Get("Content-Length"), want)
	}
	if len(dialed) != 1 || dialed[0] != want {
		t.Errorf("connected to %v, want %s", dialed, want)
	}
}

// A key that cannot be sent as a path is refused before anything is sent; an error
// answer is an *APIError with the service's code.
func TestPutObjectErrors(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey}
	f := newFakeCI(t, creds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		xmlResponse(w, http.StatusForbidden, errorXML("AccessDenied", "no cos:PutObject"))
	})
	c := newTestClient(t, f, nil)
	for _, key := range []string{"", "a/../b", "./a"} {
		if err := c.PutObject(context.Background(), testBucket, testRegion, key, []byte("x")); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	if n := len(f.seen); n != 0 {
		t.Fatalf("%d requests sent for refused keys", n)
	}
	err := c.PutObject(context.Background(), testBucket, testRegion, "a.txt", []byte("x"))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Code != "AccessDenied" || ae.Op != "put object" {
		t.Fatalf("error %v, want a 403 AccessDenied APIError of put object", err)
	}
}

// FuzzObjectURLRoundTrip: every key survives its object URL, and ExactKey of anything that
// is not an object URL of the bucket is that thing itself.
func FuzzObjectURLRoundTrip(f *testing.F) {
	for _, k := range objectKeys {
		f.Add(k)
	}
	const b, r = "examplebucket-1250000000", "ap-beijing"
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return
		}
		u := ObjectURL(b, r, key)
		if got, ok := KeyOfURL(b, r, u); !ok || got != key {
			t.Fatalf("key %q: URL %q gives %q, %v", key, u, got, ok)
		}
		if _, ok := KeyOfURL(b, r, key); !ok && ExactKey(b, r, key) != key {
			t.Fatalf("ExactKey rewrote %q", key)
		}
	})
}
