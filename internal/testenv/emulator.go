package testenv

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
)

// Start starts the emulator of opts on loopback, closed when tb ends, and returns it with a
// real client whose transport always dials it (see Client).
func Start(tb testing.TB, opts emulator.Options) (*emulator.Running, *ciapi.Client) {
	tb.Helper()
	emu, err := emulator.Start(opts)
	if err != nil {
		tb.Fatalf("start emulator: %v", err)
	}
	tb.Cleanup(func() { emu.Close() })
	return emu, Client(tb, emu.URL)
}

// Client returns a real client, signing with the emulator's default credentials, whose
// transport always dials the server at base URL u (the emulator, or a front of it): the
// Host header and the signature stay those of the service host the client names. Each
// attempt times out after 5 seconds; mods change the configuration before the client is
// made.
func Client(tb testing.TB, u string, mods ...func(*ciapi.Config)) *ciapi.Client {
	tb.Helper()
	addr := strings.TrimPrefix(u, "http://")
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}
	tb.Cleanup(tr.CloseIdleConnections)
	cfg := ciapi.Config{
		Credentials: ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey},
		Endpoint:    u,
		HTTPClient:  &http.Client{Transport: tr},
		Timeout:     5 * time.Second,
	}
	for _, m := range mods {
		m(&cfg)
	}
	client, err := ciapi.New(cfg)
	if err != nil {
		tb.Fatalf("new client: %v", err)
	}
	return client
}
