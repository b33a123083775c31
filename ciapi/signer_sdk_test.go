package ciapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// capture is a RoundTripper that records the request it is given and answers 200.
type capture struct{ req *http.Request }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	return &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(nil)), Request: r}, nil
}

// TestSignerMatchesOfficialSDK signs many varied requests with our Signer and with the
// official Go SDK (same times, same headers) and wants the same Authorization.
func TestSignerMatchesOfficialSDK(t *testing.T) {
	start := time.Unix(1700000000, 0)
	type tc struct {
		method, host, path, rawQuery string
		body                         string
		headers                      [][2]string
		token                        string
	}
	cases := []tc{
		{method: "GET", host: "examplebucket-1250000000.ci.ap-beijing.myqcloud.com", path: "/inventorytriggerjob/b3deffea2f84911ec9cb15254008618d9"},
		{method: "GET", host: "examplebucket-1250000000.ci.ap-beijing.myqcloud.com", path: "/inventorytriggerjob",
			rawQuery: "startCreationTime=2022-02-25T12%3A00%3A00%2B0800&states=All&size=100&name=%E6%89%B9%E9%87%8F+%E4%BB%BB%E5%8A%A1_1"},
		{method: "GET", host: "b-1.ci.ap-guangzhou.myqcloud.com", path: "/inventorytriggerjob",
			rawQuery: "a=1+2&b=1%2B2&c=x%20y&d=a,b,c&e=&f&g=z&g=a&g=%C3%A9&g=~&G=m&plus=+"},
		{method: "PUT", host: "b-1.ci.ap-guangzhou.myqcloud.com", path: "/inventorytriggerjob/bxyz", rawQuery: "cancel"},
		{method: "PUT", host: "127.0.0.1:9000", path: "/inventorytriggerjob/bxyz", rawQuery: "cancel", token: "tmp-token/with+plus="},
		{method: "POST", host: "examplebucket-1250000000.ci.ap-beijing.myqcloud.com", path: "/inventorytriggerjob",
			body: "<Request><Name>demo</Name></Request>", headers: [][2]string{{"Content-Type", "application/xml"}}},
		{method: "POST", host: "examplebucket-1250000000.ci.ap-beijing.myqcloud.com:8443", path: "/inventorytriggerjob",
			body: "<Request><Name>任务 1</Name></Request>", token: "T0k3n.abc_def~",
			headers: [][2]string{{"Content-Type", "application/xml; charset=utf-8"}, {"X-Ci-Trace", "a b+c"}, {"x-cos-meta-Name", "值 1"}}},
		{method: "DELETE", host: "h-1.ci.ap-shanghai.myqcloud.com", path: "/obj/路径 with space+plus/(x)!*'", rawQuery: "versionId=a%2Fb&Upper=V"},
		{method: "GET", host: "h-1.ci.ap-shanghai.myqcloud.com", path: "/a%2Fb/c",
			headers: [][2]string{{"X-Ci-A", "1"}, {"X-Ci-A", "0"}, {"Range", "bytes=0-9"}, {"User-Agent", "not signed"}, {"Date", "not signed"}}},
		{method: "PUT", host: "h-1.ci.ap-shanghai.myqcloud.com", path: "/o", body: "hello",
			headers: [][2]string{{"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="}, {"Cache-Control", "no-cache"}}},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.method), func(t *testing.T) {
			u := &url.URL{Scheme: "https", Host: c.host, Path: c.path, RawQuery: c.rawQuery}
			if p, err := url.PathUnescape(c.path); err == nil && p != c.path {
				u.Path, u.RawPath = p, c.path
			}
			var body io.Reader
			if c.body != "" {
				body = bytes.NewReader([]byte(c.body))
			}
			req, err := http.NewRequest(c.method, u.String(), body)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range c.headers {
				req.Header.Add(h[0], h[1])
			}
			before := req.Header.Clone()
			cp := &capture{}
			s := &Signer{Credentials: Credentials{SecretID: "AKIDexampleid1234", SecretKey: "secretKEY+/=", SessionToken: c.token},
				Base: cp, Now: func() time.Time { return start }, Expire: 2 * time.Hour}
			if _, err := s.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(req.Header) != fmt.Sprint(before) {
				t.Errorf("Signer modified the caller's request headers")
			}
			ours := cp.req.Header.Get("Authorization")

			// The SDK signs a request with exactly the headers we sent (minus ours).
			sdkReq, err := http.NewRequest(c.method, u.String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			sdkReq.Header = cp.req.Header.Clone()
			sdkReq.Header.Del("Authorization")
			sdkReq.Host = cp.req.Host
			cos.AddAuthorizationHeader(s.SecretID, s.SecretKey, c.token, sdkReq, &cos.AuthTime{
				SignStartTime: start, SignEndTime: start.Add(2 * time.Hour),
				KeyStartTime: start, KeyEndTime: start.Add(2 * time.Hour),
			})
			if sdk := sdkReq.Header.Get("Authorization"); ours != sdk {
				t.Errorf("Authorization differs\nours %s\nsdk  %s", ours, sdk)
			}
			if c.token != "" && cp.req.Header.Get("x-cos-security-token") != c.token {
				t.Errorf("token header = %q", cp.req.Header.Get("x-cos-security-token"))
			}
		})
	}
}
