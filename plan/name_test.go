package plan

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// oneRequest expands p, which must give exactly one request.
func oneRequest(t *testing.T, p *Plan) Request {
	t.Helper()
	var out []Request
	for r := range p.Requests() {
		out = append(out, r)
	}
	if len(out) != 1 {
		t.Fatalf("got %d requests, want 1", len(out))
	}
	return out[0]
}

// namePlan returns a fresh single-request plan of each kind: a windowed workflow request
// and a windowed node request.
func namePlan(t *testing.T, typ string) *Plan {
	loc := mustZone(t, "Asia/Shanghai")
	level := 1
	j := Job{
		Name: "videos", Type: typ, Bucket: "examplebucket-1250000000", Region: "ap-beijing",
		Timezone: loc, TZName: "Asia/Shanghai", Prefixes: []string{"input/video/"},
		Window: &Window{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, loc), End: time.Date(2024, 1, 2, 0, 0, 0, 0, loc)},
	}
	if typ == "job" {
		j.Node = &Node{
			Tag: "Transcode", TemplateID: "t1460606b9752148c4ab182f55163ba7cd", QueueID: "p893bcda225bf4945a378da6662e81a89",
			JobLevel: &level, Callback: "https://hooks.example.com/ci", UserData: "u",
			Output: &Output{Region: "ap-beijing", Bucket: "outbucket-1250000000", Object: "out/${InputName}.mp4"},
		}
	} else {
		j.Workflows = []string{"w7476ff3564ee45b7b490d64bccaba6cc"}
	}
	return &Plan{Path: "a.yaml", Version: 1, Name: "video-backfill", Generation: 1, Jobs: []Job{j}}
}

func TestNameIsPinned(t *testing.T) {
	// The exact name is part of the exactly-once guarantee across machines and releases:
	// changing the serialisation re-triggers every plan. Change this only with a new format.
	r := oneRequest(t, namePlan(t, "workflow"))
	const want = "video-backfill-videos-20240101T0000-"
	if !strings.HasPrefix(r.Name, want) || len(r.Name) != len(want)+NameHashLen {
		t.Fatalf("Name = %s, want %s<16 hex digits>", r.Name, want)
	}
	if r.Name != "video-backfill-videos-20240101T0000-"+r.Digest[:NameHashLen] || len(r.Digest) != 64 {
		t.Errorf("Name %s does not end with the digest %s", r.Name, r.Digest)
	}
	if r.Name != "video-backfill-videos-20240101T0000-8ae0388ea23e98e8" {
		t.Errorf("Name = %s, want the pinned video-backfill-videos-20240101T0000-8ae0388ea23e98e8", r.Name)
	}
}

func TestNamesDeterministic(t *testing.T) {
	for _, typ := range []string{"workflow", "job"} {
		a, b := oneRequest(t, namePlan(t, typ)), oneRequest(t, namePlan(t, typ))
		if a.Name != b.Name || a.Digest != b.Digest {
			t.Errorf("%s: two expansions differ: %s/%s vs %s/%s", typ, a.Name, a.Digest, b.Name, b.Digest)
		}
		// What the service never sees does not matter: file path, job position, the
		// timezone's spelling, the step's spelling.
		p := namePlan(t, typ)
		p.Path, p.Jobs[0].Pos, p.Jobs[0].TZName = "elsewhere/b.yml", Pos{Line: 9, Col: 3}, "+08:00"
		p.Jobs[0].Timezone = time.FixedZone("+08:00", 8*3600)
		if c := oneRequest(t, p); c.Name != a.Name {
			t.Errorf("%s: name changed with path/position/zone spelling: %s vs %s", typ, c.Name, a.Name)
		}
	}
}

func TestNamesChangeWithContent(t *testing.T) {
	changes := map[string]func(p *Plan){
		"generation":   func(p *Plan) { p.Generation = 2 },
		"plan name":    func(p *Plan) { p.Name = "video-backfill2" },
		"job name":     func(p *Plan) { p.Jobs[0].Name = "videos2" },
		"bucket":       func(p *Plan) { p.Jobs[0].Bucket = "otherbucket-1250000000" },
		"region":       func(p *Plan) { p.Jobs[0].Region = "ap-shanghai" },
		"prefix":       func(p *Plan) { p.Jobs[0].Prefixes = []string{"input/video2/"} },
		"no window":    func(p *Plan) { p.Jobs[0].Window = nil },
		"window start": func(p *Plan) { p.Jobs[0].Window.Start = p.Jobs[0].Window.Start.Add(time.Second) },
		"window end":   func(p *Plan) { p.Jobs[0].Window.End = p.Jobs[0].Window.End.Add(time.Hour) },
		"offset only": func(p *Plan) {
			// the same instants rendered with another offset are another request body
			p.Jobs[0].Timezone = mustZone(t, "Asia/Tokyo")
		},
		"input kind": func(p *Plan) {
			p.Jobs[0].Prefixes, p.Jobs[0].Object, p.Jobs[0].Window = nil, "input/video/", nil
		},
	}
	wfChanges := map[string]func(p *Plan){
		"workflow": func(p *Plan) { p.Jobs[0].Workflows = []string{"w0000000000000000000000000000000a"} },
		"type":     func(p *Plan) { p.Jobs[0].Type = "job"; p.Jobs[0].Node = &Node{Tag: "MediaInfo", TemplateID: "t1"} },
	}
	nodeChanges := map[string]func(p *Plan){
		"tag":          func(p *Plan) { p.Jobs[0].Node.Tag = "Snapshot" },
		"template":     func(p *Plan) { p.Jobs[0].Node.TemplateID = "t2" },
		"queue":        func(p *Plan) { p.Jobs[0].Node.QueueID = "" },
		"job level":    func(p *Plan) { l := 2; p.Jobs[0].Node.JobLevel = &l },
		"no job level": func(p *Plan) { p.Jobs[0].Node.JobLevel = nil },
		"level 0":      func(p *Plan) { l := 0; p.Jobs[0].Node.JobLevel = &l },
		"callback":     func(p *Plan) { p.Jobs[0].Node.Callback = "no" },
		"user data":    func(p *Plan) { p.Jobs[0].Node.UserData = "v" },
		"shifted field": func(p *Plan) {
			// "https://hooks.example.com/ci"+"u" moved across the field boundary
			p.Jobs[0].Node.Callback, p.Jobs[0].Node.UserData = "https://hooks.example.com/c", "iu"
		},
		"output region": func(p *Plan) { p.Jobs[0].Node.Output.Region = "ap-shanghai" },
		"output bucket": func(p *Plan) { p.Jobs[0].Node.Output.Bucket = "x-1250000000" },
		"output object": func(p *Plan) { p.Jobs[0].Node.Output.Object = "out/${InputName}.mkv" },
		"no output":     func(p *Plan) { p.Jobs[0].Node.Output = nil },
	}
	run := func(typ string, set map[string]func(*Plan)) {
		base := oneRequest(t, namePlan(t, typ))
		seen := map[string]string{base.Name: "base"}
		for what, change := range set {
			p := namePlan(t, typ)
			change(p)
			r := oneRequest(t, p)
			if other, dup := seen[r.Name]; dup {
				t.Errorf("%s: changing %s gives the same name as %s: %s", typ, what, other, r.Name)
			}
			seen[r.Name] = what
			if !nameRE.MatchString(r.Name) {
				t.Errorf("%s: %s: bad name %q", typ, what, r.Name)
			}
		}
	}
	run("workflow", changes)
	run("workflow", wfChanges)
	run("job", changes)
	run("job", nodeChanges)
}

func TestNamesLongAndOddPartsStayValid(t *testing.T) {
	p := namePlan(t, "workflow")
	p.Name = strings.Repeat("plänß/", 30)
	p.Jobs[0].Name = strings.Repeat("x", 200)
	p.Jobs[0].Window.Start = time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)
	p.Jobs[0].Window.End = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	r := oneRequest(t, p)
	if !nameRE.MatchString(r.Name) || len(r.Name) > MaxNameLen {
		t.Fatalf("name %q (%d chars) is not a valid service name", r.Name, len(r.Name))
	}
	want := strings.Repeat("pl_n__", 6) + "pl_n" + "-" + strings.Repeat("x", MaxNamePart) + "-100000101T0700-"
	if !strings.HasPrefix(r.Name, want) {
		t.Errorf("name %s does not start with the shortened plan and job names %s", r.Name, want)
	}
}

func TestDuplicateEntriesGetDistinctNames(t *testing.T) {
	// The loader rejects duplicates, but expansion alone still keeps names unique.
	p := namePlan(t, "workflow")
	p.Jobs[0].Prefixes = []string{"a/", "b/", "a/"}
	p.Jobs[0].Workflows = []string{"w1", "w1"}
	seen := map[string]bool{}
	for r := range p.Requests() {
		if seen[r.Name] {
			t.Errorf("duplicate name %s", r.Name)
		}
		seen[r.Name] = true
	}
	if len(seen) != 6 {
		t.Errorf("got %d names, want 6", len(seen))
	}
}

func TestNamesUniqueInABigExpansion(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, loc)
	wf := Job{
		Name: "halfhours", Type: "workflow", Bucket: "b-1250000000", Region: "eu-frankfurt", Timezone: loc,
		Prefixes: []string{"a/", "b/"}, Workflows: []string{"w1", "w2"},
		Window: &Window{Start: start, End: start.AddDate(2, 0, 0), Every: &Step{Duration: 30 * time.Minute}},
	}
	node := Job{
		Name: "minutes", Type: "job", Bucket: "b-1250000000", Region: "eu-frankfurt", Timezone: loc,
		Prefixes: []string{"a/"}, Node: &Node{Tag: "MediaInfo", TemplateID: "t1"},
		Window: &Window{Start: start, End: start.AddDate(0, 0, 10), Every: &Step{Duration: time.Minute}},
	}
	p := &Plan{Name: "big", Generation: 3, Jobs: []Job{wf, node}}
	names := make(map[string]struct{}, p.Count())
	digests := make(map[string]struct{}, p.Count())
	n := 0
	for r := range p.Requests() {
		if len(r.Name) > MaxNameLen || !nameRE.MatchString(r.Name) || !strings.HasPrefix(r.Name, "big-"+r.Job+"-") {
			t.Fatalf("bad name %q", r.Name)
		}
		if _, dup := names[r.Name]; dup {
			t.Fatalf("duplicate name %s (request %d)", r.Name, r.Seq)
		}
		if _, dup := digests[r.Digest]; dup {
			t.Fatalf("duplicate digest %s (request %d)", r.Digest, r.Seq)
		}
		names[r.Name], digests[r.Digest] = struct{}{}, struct{}{}
		n++
	}
	if n < 100_000 || n != p.Count() {
		t.Fatalf("expanded %d requests, Count = %d; want the same and over 100000", n, p.Count())
	}
}
