package ciapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	_ "github.com/planrun/planrun/internal/testflag" // accepts -update
)

// verify checks r's Authorization the way the service does (docs/service-api.md, "The signature"): only the
// listed headers and parameters, Host from r.Host, decoded path, form-decoded query.
// It returns the signed header and parameter lists.
func verify(t *testing.T, r *http.Request, secretID, secretKey string) (headers, params []string) {
	t.Helper()
	auth := map[string]string{}
	for _, kv := range strings.Split(r.Header.Get("Authorization"), "&") {
		k, v, _ := strings.Cut(kv, "=")
		auth[k] = v
	}
	if auth["q-ak"] != secretID {
		t.Errorf("q-ak = %q, want %q", auth["q-ak"], secretID)
	}
	c := &Canonical{Method: r.Method, Path: r.URL.Path}
	if hl := auth["q-header-list"]; hl != "" {
		headers = strings.Split(hl, ";")
	}
	if pl := auth["q-url-param-list"]; pl != "" {
		params = strings.Split(pl, ";")
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	done := map[string]bool{}
	for _, k := range params {
		if done[k] {
			continue
		}
		done[k] = true
		for qk, vs := range q {
			if strings.ToLower(Encode(qk)) == k {
				for _, v := range vs {
					c.Params = append(c.Params, KV{k, Encode(v)})
				}
			}
		}
	}
	for _, h := range headers {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		if h == "content-length" && v == "" && r.ContentLength >= 0 {
			v = "0"
			if r.ContentLength > 0 {
				v = r.Header.Get("Content-Length")
			}
		}
		c.Headers = append(c.Headers, KV{h, Encode(v)})
	}
	want := c.Signature(secretKey, auth["q-key-time"])
	if auth["q-signature"] != want {
		t.Errorf("signature mismatch for %s %s: got %s, want %s\nformat string %q",
			r.Method, r.URL, auth["q-signature"], want, c.FormatString())
	}
	return headers, params
}
