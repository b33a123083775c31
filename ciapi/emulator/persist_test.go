package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// sharedOpts are the options of emulators sharing the state file path, with jobs that stay
// Submitted long enough to be cancelled.
func sharedOpts(path string) Options {
	return Options{StateFile: path, SubmittedFor: time.Hour, RunningFor: time.Hour}
}

// createN creates n batch jobs named prefix-i through c and returns their ids.
func createN(t *testing.T, c *ciapi.Client, prefix string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		req := workflowJob(prefix+"-"+string(rune('a'+i)), "in/")
		cr, err := c.Create(context.Background(), testBucket, testRegion, &req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cr.JobsDetail.JobId)
	}
	return ids
}

// describeState is the state c sees of job id ("NotFound" when it sees none).
func describeState(t *testing.T, c *ciapi.Client, id string) string {
	t.Helper()
	d, err := c.Describe(context.Background(), testBucket, testRegion, id)
	if errors.Is(err, ciapi.ErrNotFound) {
		return "NotFound"
	}
	if err != nil {
		t.Fatal(err)
	}
	return d.JobsDetail.State
}

// TestStateFileSharedByTwoEmulators is issue 23's race: two processes (here two
// emulators in one process) on one state file. Each sees at once the jobs the other
// created and cancelled, and the one that started first and stops last does not save a
// stale copy over the other's jobs.
func TestStateFileSharedByTwoEmulators(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.emulator.json")
	a, err := Start(sharedOpts(path)) // results --emulator: starts first, ends last
	if err != nil {
		t.Fatal(err)
	}
	b := start(t, sharedOpts(path)) // run --emulator
	ca, cb := apiClient(t, a, nil), apiClient(t, b, nil)
	fromB := createN(t, cb, "run", 3)
	fromA := createN(t, ca, "res", 1)
	for _, id := range fromB {
		if st := describeState(t, ca, id); st != ciapi.StateSubmitted {
			t.Errorf("A sees B's job %s as %s", id, st)
		}
	}
	// cancel --emulator while run --emulator --wait polls: the run sees the cancel.
	if err := ca.Cancel(context.Background(), testBucket, testRegion, fromB[0]); err != nil {
		t.Fatalf("A cancels B's job: %v", err)
	}
	if st := describeState(t, cb, fromB[0]); st != ciapi.StateCancel {
		t.Errorf("B sees its cancelled job as %s", st)
	}
	// A cancel of a job already cancelled by the other is refused, as on the service.
	if err := cb.Cancel(context.Background(), testBucket, testRegion, fromB[0]); err == nil {
		t.Error("a second cancel from B was accepted")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// A third process sees everything, in one order, with the cancel.
	c := start(t, sharedOpts(path))
	jobs := c.Server.Jobs()
	if len(jobs) != 4 {
		t.Fatalf("a later emulator holds %d jobs, want 4", len(jobs))
	}
	for i, id := range append(fromB, fromA...) {
		if jobs[i].ID != id {
			t.Errorf("job %d is %s, want %s (creation order)", i, jobs[i].ID, id)
		}
	}
	if jobs[0].State != ciapi.StateCancel {
		t.Errorf("the cancel was lost: %s", jobs[0].State)
	}
	for _, j := range b.Server.Jobs() {
		if j.Name == "" {
			t.Errorf("B holds a job without its request: %+v", j)
		}
	}
}

// TestStateFileKeepsTheJobsOfAKilledEmulator: every create is on disk once answered, so a
// process killed before it could save anything (never closed here) loses no job.
func TestStateFileKeepsTheJobsOfAKilledEmulator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.emulator.json")
	killed := start(t, sharedOpts(path))
	ids := createN(t, apiClient(t, killed, nil), "k", 5)
	later := start(t, sharedOpts(path))
	c := apiClient(t, later, nil)
	for _, id := range ids {
		if st := describeState(t, c, id); st != ciapi.StateSubmitted {
			t.Errorf("job %s of the killed emulator: %s", id, st)
		}
	}
}

// TestStateFileAfterACutLine: a line cut short by a kill (no line break) is skipped, and
// the lines after it are read.
func TestStateFileAfterACutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.emulator.json")
	first := start(t, sharedOpts(path))
	ids := createN(t, apiClient(t, first, nil), "c", 1)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"job":{"bucket":"examplebucket-12`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	second := start(t, sharedOpts(path))
	ids = append(ids, createN(t, apiClient(t, second, nil), "d", 1)...)
	third := start(t, sharedOpts(path))
	c := apiClient(t, third, nil)
	for _, id := range ids {
		if st := describeState(t, c, id); st != ciapi.StateSubmitted {
			t.Errorf("job %s after a cut line: %s", id, st)
		}
	}
}

// TestStateFileVersion1IsRead: a file of the earlier layout (one JSON document) is read,
// and grows by the changes appended after it.
func TestStateFileVersion1IsRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.emulator.json")
	req := workflowJob("old", "in/")
	// The layout of version 1: {"version":1,"objects":{...},"jobs":[...]}, no line break.
	v1 := struct {
		Version int           `json:"version"`
		Objects ObjectOptions `json:"objects"`
		Jobs    []savedJob    `json:"jobs"`
	}{1, ObjectOptions{PerPrefix: 7}, []savedJob{{Bucket: testBucket, Region: testRegion,
		ID: "b00000000000000000000000000000001", Request: req, Created: time.Now().Add(-3 * time.Hour)}}}
	data, err := json.Marshal(v1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rn := start(t, sharedOpts(path))
	ids := createN(t, apiClient(t, rn, nil), "new", 1)
	again := start(t, sharedOpts(path))
	c := apiClient(t, again, nil)
	for _, id := range []string{"b00000000000000000000000000000001", ids[0]} {
		if st := describeState(t, c, id); st == "NotFound" {
			t.Errorf("job %s lost", id)
		}
	}
	if got := len(again.Server.Executions("b00000000000000000000000000000001")); got != 7 {
		t.Errorf("%d executions, want the 7 objects of the saved options", got)
	}
}

// TestHostileStateFilesRefused is issue 23's unbounded read: /dev/zero (behind a link), a
// FIFO, a file beyond the cap and a file that is no emulator state are refused at once,
// naming the cause; none is read or changed.
func TestHostileStateFilesRefused(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{}
	if _, err := os.Stat("/dev/zero"); err == nil {
		zero := filepath.Join(dir, "zero.json")
		if err := os.Symlink("/dev/zero", zero); err != nil {
			t.Fatal(err)
		}
		cases[zero] = "not a regular file"
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := mkfifo(fifo); err == nil {
		cases[fifo] = "not a regular file"
	}
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxStateFileSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	cases[big] = "MiB read at most"
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, []byte(`{"hello":"world"}`+"\n"+strings.Repeat("x", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases[other] = "no emulator header"
	zeros := filepath.Join(dir, "zeros.json")
	if f, err := os.Create(zeros); err == nil {
		f.Truncate(MaxStateFileSize - 1) // one line of zeros, just under the cap
		f.Close()
	}
	cases[zeros] = "no emulator header"
	for path, want := range cases {
		before, _ := os.Lstat(path)
		rn, err := Start(Options{StateFile: path})
		if err == nil {
			rn.Close()
			t.Errorf("%s: started", path)
			continue
		}
		if !errors.Is(err, ErrStateFile) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want ErrStateFile (%s)", path, err, want)
		}
		if cerr := CheckStateFile(path); path != other && path != zeros && !errors.Is(cerr, ErrStateFile) {
			t.Errorf("CheckStateFile(%s) = %v", path, cerr)
		}
		after, _ := os.Lstat(path)
		if before.Size() != after.Size() || before.Mode() != after.Mode() {
			t.Errorf("%s changed", path)
		}
	}
}

// TestSaveAndLoadElsewhere: Save to another file writes a copy that Load reads whole.
func TestSaveAndLoadElsewhere(t *testing.T) {
	dir := t.TempDir()
	rn := start(t, sharedOpts(filepath.Join(dir, "s.emulator.json")))
	c := apiClient(t, rn, nil)
	ids := createN(t, c, "s", 2)
	if err := c.Cancel(context.Background(), testBucket, testRegion, ids[1]); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(dir, "copy.json")
	if err := rn.Server.Save(cp); err != nil {
		t.Fatal(err)
	}
	s := New(sharedOpts(""))
	if err := s.Load(cp); err != nil {
		t.Fatal(err)
	}
	jobs := s.Jobs()
	if len(jobs) != 2 || jobs[0].ID != ids[0] || jobs[1].State != ciapi.StateCancel {
		t.Errorf("loaded %+v", jobs)
	}
}

// TestLongLinesRefused is issue 23's unbounded line: a line far longer than any the
// emulator writes (20 MiB, after a real job; or one job of that size inside a version 1
// header) is refused, naming the file and the line, once MaxLine bytes were read; the file
// is left as it was.
func TestLongLinesRefused(t *testing.T) {
	dir := t.TempDir()
	grow := func(path string, n int64) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		info, _ := f.Stat()
		if err := f.Truncate(info.Size() + n); err != nil { // sparse: zeros, no line break
			t.Fatal(err)
		}
		if _, err := f.WriteString("\n"); err != nil {
			t.Fatal(err)
		}
	}
	afterJob := filepath.Join(dir, "after-job.emulator.json")
	rn := start(t, sharedOpts(afterJob))
	createN(t, apiClient(t, rn, nil), "l", 1)
	grow(afterJob, 20<<20)
	v1 := filepath.Join(dir, "v1.emulator.json")
	long := `{"version":1,"objects":{"perPrefix":2},"jobs":[{"id":"` + strings.Repeat("x", 20<<20) + `"}]}`
	if err := os.WriteFile(v1, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, line := range map[string]string{afterJob: "line 3", v1: "line 1"} {
		before, _ := os.Stat(path)
		rn, err := Start(Options{StateFile: path})
		if err == nil {
			rn.Close()
			t.Errorf("%s: started", path)
		} else if !errors.Is(err, ErrStateFile) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), line) {
			t.Errorf("%s: %v, want ErrStateFile naming the file and %s", path, err, line)
		}
		if err := New(Options{}).Load(path); !errors.Is(err, ErrStateFile) || !strings.Contains(err.Error(), line) {
			t.Errorf("Load(%s) = %v, want ErrStateFile naming %s", path, err, line)
		}
		if after, _ := os.Stat(path); after.Size() != before.Size() {
			t.Errorf("%s changed: %d bytes, was %d", path, after.Size(), before.Size())
		}
	}
}
