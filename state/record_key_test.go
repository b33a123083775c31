package state

import (
	"context"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

func TestRowKeepsTheRequestKey(t *testing.T) {
	// A row names its request by the same key the plan expands: every field, and the
	// window at the offset it was sent with, comes back from the state as it went in.
	ctx := context.Background()
	s := openStore(t, "")
	npt := time.FixedZone("NPT", 5*3600+45*60)
	k := request.Key{Seq: 7, Plan: "p", Job: "j", Name: "p-j-20240101T0000-0123456789abcdef", Bucket: "b-1250000000",
		Region: "ap-beijing", Type: "Workflow", InputKind: "Prefix", Input: "in/", Workflow: "w1",
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, npt), End: time.Date(2024, 1, 1, 1, 0, 0, 0, npt)}
	plain := request.Key{Plan: "p", Job: "o", Name: "p-o-0123456789abcdef", Type: "Job", InputKind: "Object", Input: "a.mp4"}
	if err := s.Sync(ctx, &Write{Records: []Record{{Key: k, Status: request.Triggered, JobID: "b1"}, {Key: plain, Status: request.Planned}}}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Lookup(ctx, "p", k.Name)
	if err != nil || !ok {
		t.Fatalf("lookup: %v %v", ok, err)
	}
	g := got.Key
	if !g.Start.Equal(k.Start) || !g.End.Equal(k.End) || g.StartText() != "2024-01-01T00:00:00+0545" || g.EndText() != "2024-01-01T01:00:00+0545" {
		t.Errorf("window read back as %s..%s", g.StartText(), g.EndText())
	}
	g.Start, g.End = k.Start, k.End
	if g != k || got.Status != request.Triggered {
		t.Errorf("row read back as %+v %s, want %+v", g, got.Status, k)
	}
	got, ok, err = s.Lookup(ctx, "p", plain.Name)
	if err != nil || !ok || got.Key != plain || got.Windowed() {
		t.Errorf("row without a window read back as %+v (%v %v), want %+v", got.Key, ok, err, plain)
	}
}
