package ciapi_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/ciapi/emulator"
)

// Review: the client against the emulator in setups an independent deployment may use.

const (
	revBucket   = "examplebucket-1250000000"
	revRegion   = "ap-beijing"
	revWorkflow = "w7476ff3564ee45b7b490d64bccaba6cc"
)

func revCreds() ciapi.Credentials {
	return ciapi.Credentials{SecretID: emulator.DefaultSecretID, SecretKey: emulator.DefaultSecretKey}
}

func revRoundTrip(t *testing.T, c *ciapi.Client, name string) {
	t.Helper()
	ctx := context.Background()
	resp, err := c.Create(ctx, revBucket, revRegion, &ciapi.CreateRequest{Name: name, Input: ciapi.Input{Prefix: "in/"},
		Operation: ciapi.Operation{WorkflowIds: revWorkflow}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := resp.JobsDetail.JobId
	if _, err := c.Describe(ctx, revBucket, revRegion, id); err != nil {
		t.Fatalf("describe: %v", err)
	}
	found, err := c.FindByName(ctx, revBucket, revRegion, ciapi.TypeWorkflow, name)
	if err != nil || found.JobId != id {
		t.Fatalf("find by name %q = %+v, %v", name, found, err)
	}
	if err := c.Cancel(ctx, revBucket, revRegion, id); err != nil {
		var ae *ciapi.APIError
		// The emulator's jobs finish at once; a finished job refuses cancel with 400.
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
			t.Fatalf("cancel: %v", err)
		}
	}
}

// An endpoint with a path prefix, in front of a proxy that strips it (the only way the
// service sees its own path): the contract says a base URL changes only where the
// connection goes, so the signature must cover the service's path.
func TestReviewEndpointWithPathPrefix(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(http.StripPrefix("/ci-proxy", emu))
	defer srv.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: revCreds(), Endpoint: srv.URL + "/ci-proxy", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	revRoundTrip(t, c, "prefixed")
}

func TestReviewIPv6LoopbackEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := httptest.NewUnstartedServer(emulator.New(emulator.Options{}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: revCreds(), Endpoint: srv.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	revRoundTrip(t, c, "ipv6")
}

// Non-ASCII names travel in the list query; a prefix-matching name filter must not make
// FindByName pick a longer name.
func TestReviewFindByNameNonASCIIAndPrefixFilter(t *testing.T) {
	rn, err := emulator.Start(emulator.Options{NamePrefixMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: revCreds(), Endpoint: rn.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	long, err := c.Create(ctx, revBucket, revRegion, &ciapi.CreateRequest{Name: "批量任务_1-longer", Input: ciapi.Input{Prefix: "in/"},
		Operation: ciapi.Operation{WorkflowIds: revWorkflow}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := c.FindByName(ctx, revBucket, revRegion, ciapi.TypeWorkflow, "批量任务_1"); !errors.Is(err, ciapi.ErrNotFound) {
		t.Fatalf("find shorter name = %+v, %v; want not found (only %s exists)", d, err, long.JobsDetail.JobId)
	}
	revRoundTrip(t, c, "批量任务_1")
}

// Temporary credentials: the token travels signed, and the emulator insists on it.
func TestReviewTemporaryCredentials(t *testing.T) {
	creds := revCreds()
	creds.SessionToken = "session-token-value"
	rn, err := emulator.Start(emulator.Options{Tokens: map[string]string{creds.SecretID: creds.SessionToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: creds, Endpoint: rn.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	revRoundTrip(t, c, "temporary")
}
