package plan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/planrun/planrun/internal/testflag"
)

// TestExpandGolden loads every plan in testdata/expand/*.yaml, expands it and compares the
// result with the .golden file beside it (refresh with: go test ./plan -update).
//
// Golden format: a first line "# <count> requests", then one line per request in expansion
// order, with tab-separated fields
//
//	seq  name  bucket  region  type  kind:input  workflow  start  end
//
// where an empty workflow, start or end is written "-". For node requests a second,
// indented line "node: tag=... template=... queue=... level=... callback=... user_data=...
// output=region/bucket/object" shows the node.
func TestExpandGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "expand", "*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("want at least 5 plans in testdata/expand, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			p, err := Load(f)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			got := renderExpansion(p)
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *testflag.Update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test ./plan -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("expansion of %s differs from %s:\n got:\n%s\nwant:\n%s", f, golden, got, want)
			}
		})
	}
}

// renderExpansion writes p's expansion in the golden format documented above.
func renderExpansion(p *Plan) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %d requests\n", p.Count())
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for r := range p.Requests() {
		fmt.Fprintf(&b, "%d\t%s\t%s\t%s\t%s\t%s:%s\t%s\t%s\t%s\n", r.Seq, r.Name, r.Bucket, r.Region, r.Type,
			r.InputKind, r.Input, dash(r.Workflow), dash(r.StartText()), dash(r.EndText()))
		if n := r.Node; n != nil {
			level, out := "-", "-"
			if n.JobLevel != nil {
				level = fmt.Sprint(*n.JobLevel)
			}
			if n.Output != nil {
				out = n.Output.Region + "/" + n.Output.Bucket + "/" + n.Output.Object
			}
			fmt.Fprintf(&b, "\tnode: tag=%s template=%s queue=%s level=%s callback=%s user_data=%s output=%s\n",
				n.Tag, n.TemplateID, dash(n.QueueID), level, dash(n.Callback), dash(n.UserData), out)
		}
	}
	return b.Bytes()
}
