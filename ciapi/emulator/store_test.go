package emulator

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/planrun/planrun/ciapi"
)

// hostileKeys are keys a URL file must carry exactly.
var hostileKeys = []string{
	"in/plain.mp4", "in/with space.mp4", "in/100%.mp4", "in/a+b.mp4", "in/hash#1.mp4",
	"in/视频 (1).mp4", " in/lead.mp4", "in/trailing.mp4 ", "/abs.mp4",
	"https%3A%2F%2Fx%2Fy.mp4", "https://other-1250000000.cos.ap-beijing.myqcloud.com/z.mp4",
	"in/q?x=1.mp4",
}

func urlFile(keys []string, extra ...string) []byte {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(ciapi.ObjectURL(testBucket, testRegion, k) + "\n")
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return []byte(b.String())
}

func TestPutAndGetObjectThroughABaseURLEndpoint(t *testing.T) {
	rn := start(t, Options{})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	for _, key := range hostileKeys {
		body := []byte("body of " + key)
		if err := c.PutObject(ctx, testBucket, testRegion, key, body); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
		got, err := c.GetObject(ctx, testBucket, testRegion, key)
		if err != nil || string(got) != string(body) {
			t.Fatalf("get %q = %q, %v; want %q", key, got, err, body)
		}
		if stored, ok := rn.Server.Object(testBucket, testRegion, key); !ok || string(stored) != string(body) {
			t.Fatalf("stored %q = %q, %v", key, stored, ok)
		}
	}
	_, err := c.GetObject(ctx, testBucket, testRegion, "in/never-put.mp4")
	var ae *ciapi.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || ae.Code != ciapi.CodeNoSuchKey {
		t.Fatalf("get of an unknown key: %v, want 404 NoSuchKey", err)
	}
	if _, ok := rn.Server.Object("other-1250000000", testRegion, "in/plain.mp4"); ok {
		t.Fatal("an object of one bucket is visible in another")
	}
	if objs := rn.Server.Objects(); len(objs) != len(hostileKeys) || objs[0].Bucket != testBucket || objs[0].Size == 0 {
		t.Fatalf("objects %+v", objs)
	}
	st := rn.Server.Stats()
	if st.OK[OpPutObject] != len(hostileKeys) || st.AuthFailures != 0 {
		t.Fatalf("stats: %d puts ok, %d auth failures", st.OK[OpPutObject], st.AuthFailures)
	}
}

func TestPutObjectNeedsAValidSignature(t *testing.T) {
	rn := start(t, Options{})
	c, err := ciapi.New(ciapi.Config{Endpoint: rn.URL,
		Credentials: ciapi.Credentials{SecretID: DefaultSecretID, SecretKey: "wrong-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.PutObject(context.Background(), testBucket, testRegion, "lists/a.txt", []byte("x"))
	var ae *ciapi.APIError
	if !errors.As(err, &ae) || ae.Code != "SignatureDoesNotMatch" {
		t.Fatalf("put with a wrong key: %v, want SignatureDoesNotMatch", err)
	}
	if _, ok := rn.Server.Object(testBucket, testRegion, "lists/a.txt"); ok {
		t.Fatal("an unsigned PUT stored its body")
	}
}

func TestPutObjectOnTheCOSHostName(t *testing.T) {
	rn := start(t, Options{})
	c := newClient(t, rn)
	c.host = ciapi.RealCOSHost(testBucket, testRegion)
	status, h, _ := c.do(c.sign(c.request(http.MethodPut, "/lists/x%20y.txt", []byte("hello"))))
	if status != http.StatusOK || h.Get("ETag") == "" {
		t.Fatalf("PUT on the cos host: %d, ETag %q", status, h.Get("ETag"))
	}
	if b, ok := rn.Server.Object(testBucket, testRegion, "lists/x y.txt"); !ok || string(b) != "hello" {
		t.Fatalf("stored %q, %v", b, ok)
	}
}

func TestURLFileJobRunsTheListedKeysExactly(t *testing.T) {
	rn := start(t, Options{})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	other := "https://other-1250000000.cos.ap-beijing.myqcloud.com/in/x.mp4"
	body := urlFile(hostileKeys, other, "not a url at all")
	body = append(body, "\r\n\n"...) // blank lines are skipped
	if err := c.PutObject(ctx, testBucket, testRegion, "planrun-retry-lists/p/l1.txt", body); err != nil {
		t.Fatal(err)
	}
	req := &ciapi.CreateRequest{Name: "urlfile", Type: ciapi.TypeWorkflow,
		Input:     ciapi.Input{UrlFile: ciapi.ObjectURL(testBucket, testRegion, "planrun-retry-lists/p/l1.txt")},
		Operation: ciapi.Operation{WorkflowIds: testWorkflow}}
	resp, err := c.Create(ctx, testBucket, testRegion, req)
	if err != nil {
		t.Fatal(err)
	}
	// A later PUT of the list does not change a job already created.
	if err := c.PutObject(ctx, testBucket, testRegion, "planrun-retry-lists/p/l1.txt", urlFile([]string{"in/late.mp4"})); err != nil {
		t.Fatal(err)
	}
	execs, _ := listAll(t, c, resp.JobsDetail.JobId, testWorkflow, "")
	var got []string
	failed := map[string]string{}
	for _, x := range execs {
		k := ciapi.ExactKey(testBucket, testRegion, x.Object)
		got = append(got, k)
		if x.State == ciapi.StateFailed {
			failed[k] = x.RunId
		}
	}
	want := append(append([]string{}, hostileKeys...), other, "not a url at all")
	if len(got) != len(want) {
		t.Fatalf("executions of %q:\n%q\nwant\n%q", resp.JobsDetail.JobId, got, want)
	}
	seen := map[string]bool{}
	for _, k := range got {
		seen[k] = true
	}
	for _, k := range want {
		if !seen[k] {
			t.Errorf("key %q not run (got %q)", k, got)
		}
	}
	if len(failed) != 2 || failed[other] == "" || failed["not a url at all"] == "" {
		t.Fatalf("failed executions %v, want the two lines that are not URLs of this bucket", failed)
	}
	x, err := c.DescribeExecution(ctx, testBucket, testRegion, failed[other])
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := x.Failure(); code != "InvalidUrl" {
		t.Fatalf("code of a foreign URL: %q, want InvalidUrl", code)
	}
}

func TestURLFileJobHonoursObjectFailures(t *testing.T) {
	objs := ObjectOptions{FailRate: 0.5, PermanentShare: 0.5}
	rn := start(t, Options{Objects: objs})
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	var keys []string
	for i := range 40 {
		keys = append(keys, prefixKey("in/", i))
	}
	create := func(name, list string, ks []string) string {
		t.Helper()
		if err := c.PutObject(ctx, testBucket, testRegion, list, urlFile(ks)); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Create(ctx, testBucket, testRegion, &ciapi.CreateRequest{Name: name,
			Input:     ciapi.Input{UrlFile: ciapi.ObjectURL(testBucket, testRegion, list)},
			Operation: ciapi.Operation{WorkflowIds: testWorkflow}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.JobsDetail.JobId
	}
	first := create("a1", "lists/1.txt", keys)
	var again []string
	for _, x := range rn.Server.Executions(first) {
		if x.State == ciapi.StateFailed {
			again = append(again, x.Object)
		}
	}
	if len(again) == 0 || len(again) == len(keys) {
		t.Fatalf("%d of %d failed; want some", len(again), len(keys))
	}
	second := create("a2", "lists/2.txt", again)
	for _, x := range rn.Server.Executions(second) {
		permanent := objs.Permanent(x.Object, testWorkflow)
		if x.Attempt != 2 || (x.State == ciapi.StateFailed) != permanent {
			t.Errorf("%q: attempt %d %s, permanent %v: a transient failure succeeds on its second attempt, a permanent one fails",
				x.Object, x.Attempt, x.State, permanent)
		}
	}
}

func TestObjectInputIsTheKeyAsSent(t *testing.T) {
	rn := start(t, Options{})
	c := apiClient(t, rn, nil)
	for _, key := range hostileKeys {
		resp, err := c.Create(context.Background(), testBucket, testRegion, &ciapi.CreateRequest{Name: "one",
			Input: ciapi.Input{Object: key}, Operation: ciapi.Operation{WorkflowIds: testWorkflow}})
		if err != nil {
			t.Fatal(err)
		}
		xs := rn.Server.Executions(resp.JobsDetail.JobId)
		if len(xs) != 1 || xs[0].Object != key {
			t.Errorf("object input %q ran %+v", key, xs)
		}
	}
	resp, err := c.Create(context.Background(), testBucket, testRegion, &ciapi.CreateRequest{Name: "url",
		Input:     ciapi.Input{Object: ciapi.ObjectURL(testBucket, testRegion, "in/a b+c.mp4")},
		Operation: ciapi.Operation{WorkflowIds: testWorkflow}})
	if err != nil {
		t.Fatal(err)
	}
	if xs := rn.Server.Executions(resp.JobsDetail.JobId); len(xs) != 1 || xs[0].Object != "in/a b+c.mp4" {
		t.Errorf("an object URL of the bucket ran %+v", xs)
	}
}

// With a state file, stored objects outlive the process: a URL-file batch job loaded by
// the next one still runs the keys its file lists.
func TestStoredObjectsOutliveTheProcess(t *testing.T) {
	opts := Options{StateFile: filepath.Join(t.TempDir(), "emu.json")}
	rn, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := apiClient(t, rn, nil)
	ctx := context.Background()
	keys := []string{"in/a b+c.mp4", "in/trailing.mp4 ", "/abs.mp4"}
	if err := c.PutObject(ctx, testBucket, testRegion, "lists/l.txt", urlFile(keys)); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Create(ctx, testBucket, testRegion, &ciapi.CreateRequest{Name: "l",
		Input:     ciapi.Input{UrlFile: ciapi.ObjectURL(testBucket, testRegion, "lists/l.txt")},
		Operation: ciapi.Operation{WorkflowIds: testWorkflow}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rn.Close(); err != nil {
		t.Fatal(err)
	}
	next := start(t, opts)
	var got []string
	for _, x := range next.Server.Executions(resp.JobsDetail.JobId) {
		got = append(got, x.Object)
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("the next process ran %q, want %q", got, keys)
	}
	if b, ok := next.Server.Object(testBucket, testRegion, "lists/l.txt"); !ok || string(b) != string(urlFile(keys)) {
		t.Fatalf("the next process holds %q, %v", b, ok)
	}
}
