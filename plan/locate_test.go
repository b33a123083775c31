package plan

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/planrun/planrun/plan/yamlsrc"
)

// TestScanEntryAgreesWithPairs: the scan that entry uses for small mappings finds the
// same entry as yamlsrc.Pairs (repeated keys, merge keys, alias keys), or says it is not
// sure, for mappings both below and above the size where Pairs switches to a map.
func TestScanEntryAgreesWithPairs(t *testing.T) {
	many := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "k%d: %d\n", i, i)
		}
		return b.String()
	}
	docs := []string{
		"a: 1\nb: 2\n",
		"a: 1\na: 2\n",
		"base: &b {x: 1, a: 9}\nm:\n  <<: *b\n  a: 2\n",
		"base: &b {x: 1, a: 9}\nm:\n  a: 2\n  <<: [*b, {y: 3}]\n",
		"k: &k a\nm:\n  *k : 1\n  b: 2\n",
		many(40) + "k3: again\n",
		"base: &b\n" + indent(many(40)) + "m:\n  <<: *b\n  k1: own\n",
	}
	names := []string{"a", "b", "x", "y", "k1", "k3", "k39", "none", "<<"}
	for _, doc := range docs {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
			t.Fatal(err)
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				idx := map[string]yamlsrc.Pair{}
				for _, p := range yamlsrc.Pairs(n, nil) {
					idx[p.Name] = p
				}
				for _, name := range names {
					want, wantOK := idx[name]
					got, ok, sure := scanEntry(n, name)
					if sure && (ok != wantOK || got.Key != want.Key || got.Value != want.Value || got.Via != want.Via) {
						t.Errorf("%q: scanEntry(%q) = %v %v, Pairs has %v %v", doc, name, got, ok, want, wantOK)
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&root)
	}
}

// TestPairsRepeatedKeys: a repeated key is reported at its second occurrence, whether
// the mapping is small (scanned) or large (indexed), and through a merge.
func TestPairsRepeatedKeys(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "k%d: %d\n", i, i)
	}
	for _, doc := range []string{"a: 1\nb: 2\na: 3\n", b.String() + "k30: again\n"} {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
			t.Fatal(err)
		}
		var got []int
		ps := yamlsrc.Pairs(root.Content[0], func(at *yaml.Node, msg string) { got = append(got, at.Line) })
		if want := strings.Count(doc, "\n"); len(got) != 1 || got[0] != want || len(ps) != want-1 {
			t.Errorf("%d keys: repeated key reported at lines %v, %d pairs; want line %d, %d pairs", want, got, len(ps), want, want-1)
		}
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
