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

// The client against the emulator in setups an independent deployment may use.

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
	page, err := c.List(ctx, revBucket, revRegion, ciapi.ListOptions{Name: name, Type: ciapi.TypeWorkflow, States: "All"})
	if err != nil || !listed(page, name, id) {
		t.Fatalf("list by name %q = %+v, %v", name, page, err)
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
// service sees its own path): the README says a base URL changes only where the
// connection goes, so the signature must cover the service's path.
func TestEndpointWithPathPrefix(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(http.StripPrefix("/ci-proxy", emu))
	defer srv.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: revCreds(), Endpoint: srv.URL + "/ci-proxy"})
	if err != nil {
		t.Fatal(err)
	}
	revRoundTrip(t, c, "prefixed")
}

func TestIPv6LoopbackEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := httptest.NewUnstartedServer(emulator.New(emulator.Options{}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: revCreds(), Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	revRoundTrip(t, c, "ipv6")
}

// listed reports whether page holds the job id named name.
func listed(page *ciapi.ListResponse, name, id string) bool {
	for _, j := range page.JobsDetail {
		if j.Name == name && j.JobId == id {
			return true
		}
	}
	return false
}

// Non-ASCII names travel in the list query, and come back intact.
func TestListByNameNonASCII(t *testing.T) {
	rn, err := emulator.Start(emulator.Options{NamePrefixMatch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: revCreds(), Endpoint: rn.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	long, err := c.Create(ctx, revBucket, revRegion, &ciapi.CreateRequest{Name: "批量任务_1-longer", Input: ciapi.Input{Prefix: "in/"},
		Operation: ciapi.Operation{WorkflowIds: revWorkflow}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.List(ctx, revBucket, revRegion, ciapi.ListOptions{Name: "批量任务_1", Type: ciapi.TypeWorkflow, States: "All"})
	if err != nil || !listed(page, "批量任务_1-longer", long.JobsDetail.JobId) {
		t.Fatalf("list by prefix = %+v, %v", page, err)
	}
	revRoundTrip(t, c, "批量任务_1")
}

// Temporary credentials: the token travels signed, and the emulator insists on it.
func TestTemporaryCredentials(t *testing.T) {
	creds := revCreds()
	creds.SessionToken = "session-token-value"
	rn, err := emulator.Start(emulator.Options{Tokens: map[string]string{creds.SecretID: creds.SessionToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Close()
	c, err := ciapi.New(ciapi.Config{Credentials: creds, Endpoint: rn.URL})
	if err != nil {
		t.Fatal(err)
	}
	revRoundTrip(t, c, "temporary")
}
