package ciapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
)

// With a proxy configured (HTTP_PROXY, here an in-process proxy function on loopback), a
// plain-http base-URL endpoint must still receive the request: through the proxy, the
// signed request would name the real service host and travel there in clear text.
func TestBaseURLEndpointBypassesTheProxy(t *testing.T) {
	emu, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	var proxied atomic.Int32
	var target atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		target.Store(r.Host)
		http.Error(w, "proxy", http.StatusBadGateway)
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	tr := &http.Transport{Proxy: func(*http.Request) (*url.URL, error) { return pu, nil }}
	defer tr.CloseIdleConnections()
	creds := ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey, SessionToken: "token"}
	c, err := ciapi.New(ciapi.Config{Credentials: creds, Endpoint: emu.URL, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(context.Background(), revBucket, revRegion, ciapi.ListOptions{}); err != nil {
		t.Errorf("list through the endpoint: %v", err)
	}
	if n := proxied.Load(); n != 0 {
		t.Fatalf("%d requests went through the proxy, for host %v; want them at the endpoint", n, target.Load())
	}
	if n := emu.Server.Stats().Calls[emulator.OpList]; n != 1 {
		t.Errorf("the endpoint got %d list calls, want 1", n)
	}
}
