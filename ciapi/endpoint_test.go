package ciapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewRefusesInsecureEndpoints(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey}
	for _, tc := range []struct {
		endpoint string
		insecure bool
		want     error
	}{
		{"", false, nil},
		{"https://{bucket}.ci.{region}.myqcloud.com", false, nil},
		{"http://127.0.0.1:9000", false, nil},
		{"http://127.1.2.3:9000/base/", false, nil},
		{"http://[::1]:9000", false, nil},
		{"http://localhost:9000", false, nil},
		{"http://example.com", false, ErrInsecureEndpoint},
		{"http://10.0.0.1:9000", false, ErrInsecureEndpoint},
		{"http://{bucket}.ci.{region}.myqcloud.com", false, ErrInsecureEndpoint},
		{"http://example.com", true, nil},
		{"ftp://127.0.0.1", false, ErrInvalidEndpoint},
		{"https://{bucket}.example.com", false, ErrInvalidEndpoint},
		{"https://example.com/{bucket}/{region}", false, ErrInvalidEndpoint},
		{"https://user:pw@example.com", false, ErrInvalidEndpoint},
		{"127.0.0.1:9000", false, ErrInvalidEndpoint},
	} {
		_, err := New(Config{Credentials: creds, Endpoint: tc.endpoint, AllowInsecure: tc.insecure})
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("New(%q, insecure=%v) = %v, want %v", tc.endpoint, tc.insecure, err, tc.want)
		}
	}
	if _, err := New(Config{Endpoint: "http://127.0.0.1:1"}); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no credentials: %v", err)
	}
}

func TestTemplateEndpointSetsHost(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
	addr := strings.TrimPrefix(f.srv.URL, "http://")
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Endpoint = "http://{bucket}-{region}.emu.invalid:8080/"
		cfg.AllowInsecure = true
		cfg.HTTPClient = &http.Client{Transport: dialTo(addr)}
	})
	if _, err := c.Describe(context.Background(), "b-125", "ap-x", "bj"); err != nil {
		t.Fatal(err)
	}
	if s := f.last(); s.Host != "b-125-ap-x.emu.invalid:8080" || s.Path != "/inventorytriggerjob/bj" {
		t.Errorf("host %q path %q", s.Host, s.Path)
	}
	if _, err := c.Describe(context.Background(), "evil.com/x", "ap-x", "bj"); err == nil {
		t.Errorf("bucket that changes the host accepted")
	}
}

func TestPlainBaseURLKeepsRealHost(t *testing.T) {
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.Endpoint = f.srv.URL })
	if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
		t.Fatal(err) // verify() in the fake service checked the signature over the real host
	}
	if s := f.last(); s.Host != realHost || s.Path != "/inventorytriggerjob/bj" {
		t.Errorf("host %q path %q", s.Host, s.Path)
	}
	// A base URL with a path (TestEndpointWithPathPrefix in deployments_test.go: a proxy that strips it)
	// sends to the prefixed path but signs the service's.
}

// The default endpoint over TLS, with the connection diverted to a local TLS server that
// presents a certificate the client is told to trust: Host and signature are the real host's.
func TestDefaultEndpointOverTLS(t *testing.T) {
	creds := Credentials{SecretID: testID, SecretKey: testKey}
	var host string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		verify(t, r, creds.SecretID, creds.SecretKey)
		host = r.Host
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	}))
	defer srv.Close()
	tr := dialTo(srv.Listener.Addr().String())
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tr.TLSClientConfig.ServerName = "example.com" // a name the test certificate holds
	c, err := New(Config{Credentials: creds, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Describe(context.Background(), testBucket, testRegion, "bj"); err != nil {
		t.Fatal(err)
	}
	if host != realHost {
		t.Errorf("host = %q", host)
	}

	// Without trusting the test certificate, verification fails and nothing is sent.
	c2, _ := New(Config{Credentials: creds, Endpoint: srv.URL})
	_, err = c2.Create(context.Background(), testBucket, testRegion, &CreateRequest{Name: "x"})
	if err == nil || IsUncertain(err) || IsRetryable(err) || !IsPermanent(err) {
		t.Errorf("untrusted certificate: %v (uncertain %v retryable %v)", err, IsUncertain(err), IsRetryable(err))
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	other := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		xmlResponse(w, 200, "<Response>"+job("n", "bj")+"</Response>")
	})
	f := newFakeCI(t, Credentials{SecretID: testID, SecretKey: testKey}, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Location", other.srv.URL+r.URL.Path)
		xmlResponse(w, 307, errorXML("TemporaryRedirect", "moved"))
	})
	c := newTestClient(t, f, nil)
	_, err := c.Describe(context.Background(), testBucket, testRegion, "bj")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 307 || !IsPermanent(err) || other.count("GET", "/inventorytriggerjob/bj") != 0 {
		t.Errorf("err = %v, redirected calls = %d", err, other.count("GET", "/inventorytriggerjob/bj"))
	}
}
