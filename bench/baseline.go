package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
)

// loopbackTransport dials addr whatever the request's URL says, so a client keeps the real
// Host header (and signs it) while talking to the local emulator. It keeps up to conns idle
// connections, so that conns workers reuse their connections.
func loopbackTransport(addr string, conns int) *http.Transport {
	var d net.Dialer
	return &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", addr)
		},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
	}
}

// bodies renders the exact create bodies of a plan's requests, before any timing.
func bodies(p *plan.Plan) ([][]byte, error) {
	var out [][]byte
	for r := range p.Requests() {
		b, err := executor.Body(&r)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", r.Name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// baseline is the minimal client planrun is compared with: parallel goroutines posting
// pre-rendered bodies through ciapi.Signer (the same signature) over a bare net/http
// transport, reading each answer and checking its status. No state, no decoding, no
// retries. It returns the wall time of the whole loop.
func baseline(ctx context.Context, addr, bucket string, body [][]byte, parallel int) (time.Duration, error) {
	tr := loopbackTransport(addr, parallel)
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: &ciapi.Signer{
		Credentials: ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey},
		Base:        tr,
	}}
	url := "http://" + ciapi.RealHost(bucket, benchRegion) + "/inventorytriggerjob"
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, parallel)
	start := time.Now()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(body) || ctx.Err() != nil {
					return
				}
				if err := post(ctx, hc, url, body[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return elapsed, fmt.Errorf("baseline: %w", err)
	}
	return elapsed, ctx.Err()
}

// post sends one create and drains the answer.
func post(ctx context.Context, hc *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/xml")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("create: status %s", resp.Status)
	}
	return nil
}
