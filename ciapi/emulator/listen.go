package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// shutdownGrace is how long Serve waits for requests in flight once its context is done.
const shutdownGrace = 5 * time.Second

// Serve answers requests on ln with s until ctx is done, then shuts down gracefully and
// returns nil; it returns an error only when serving fails.
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve emulator: %w", err)
	case <-ctx.Done():
	}
	// Stop accepting, let the requests being handled finish (up to the grace), then close
	// every connection. (http.Server.Shutdown alone would also wait up to 5s for accepted
	// connections that never sent a request.)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	shut := make(chan struct{})
	go func() { _ = srv.Shutdown(sctx); close(shut) }()
	for s.Stats().InFlight > 0 && sctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	_ = srv.Close()
	<-shut
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve emulator: %w", err)
	}
	return nil
}

// ListenAndServe listens on addr (e.g. "127.0.0.1:9000") and serves s until ctx is done.
func ListenAndServe(ctx context.Context, addr string, s *Server) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for emulator: %w", err)
	}
	return Serve(ctx, ln, s)
}

// Running is an emulator serving on a random loopback port, for in-process use.
type Running struct {
	// URL is the base URL of the listener, e.g. "http://127.0.0.1:40123".
	URL string
	// Addr is the listener's host:port.
	Addr string
	// Server is the emulator, for Jobs, Stats and SetFaults.
	Server *Server

	stop      context.CancelFunc
	done      chan error
	stateFile string
}

// Start serves a new Server configured by opts on 127.0.0.1 at a random port.
func Start(opts Options) (*Running, error) {
	srv, err := NewFromFile(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for emulator: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &Running{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(),
		Server: srv, stop: stop, done: make(chan error, 1), stateFile: opts.StateFile}
	go func() { r.done <- Serve(ctx, ln, r.Server) }()
	return r, nil
}

// Close stops the emulator and waits for it, then saves what it holds to
// Options.StateFile when set; it is safe to call more than once.
func (r *Running) Close() error {
	r.stop()
	err, ok := <-r.done
	if ok {
		close(r.done)
		if r.stateFile != "" {
			err = errors.Join(err, r.Server.Save(r.stateFile))
		}
	}
	return err
}

// Transport returns an http.Transport that connects every request to the emulator whatever
// its URL says, so a client keeps the real Host header (and signs it) while talking to
// loopback.
func (r *Running) Transport() *http.Transport {
	return &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, r.Addr)
		},
		DisableCompression: true,
	}
}
