package grid

import (
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// A cell whose objects were retried says after how many attempts its objects failed; a
// total over several requests says "up to"; one attempt says nothing of attempts.
func TestGridCellSaysAfterHowManyAttempts(t *testing.T) {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, gridZone)
	cell := func(d, failed, attempts int) GridCell {
		return GridCell{Key: request.Key{Plan: "p", Job: "j", InputKind: "Prefix", Input: "in/", Workflow: "w",
			Name: "p-j-" + string(rune('a'+d)), Start: day.AddDate(0, 0, d), End: day.AddDate(0, 0, d+1)},
			State: GridSuccess, Objects: 412, ObjectsFailed: failed, HasCounts: true, Attempts: attempts}
	}
	render := func(cells ...GridCell) (term, md, html string) {
		g := NewGrid(time.Time{})
		for _, c := range cells {
			g.Add(c)
		}
		var a, b, c strings.Builder
		if err := WriteGridTerm(&a, g, 200, false); err != nil {
			t.Fatal(err)
		}
		if err := WriteGridMarkdown(&b, g); err != nil {
			t.Fatal(err)
		}
		if err := WriteGridHTML(&c, g); err != nil {
			t.Fatal(err)
		}
		return a.String(), b.String(), c.String()
	}

	term, md, html := render(cell(0, 3, 2))
	for name, out := range map[string]string{"terminal": term, "markdown": md, "html": html} {
		if !strings.Contains(out, "3 of 412 objects failed after 2 attempts") {
			t.Errorf("%s grid of one retried request does not say after 2 attempts:\n%s", name, out)
		}
	}
	if !strings.Contains(md, "| 3 of 412 after 2 attempts |") {
		t.Errorf("markdown row:\n%s", md)
	}

	term, _, html = render(cell(0, 3, 2), cell(1, 0, 1))
	if !strings.Contains(term, "3 of 824 objects failed after up to 2 attempts") {
		t.Errorf("terminal total of two requests:\n%s", term)
	}
	if !strings.Contains(html, "3 of 412 objects failed after 2 attempts") || !strings.Contains(html, "0 of 412 objects failed\"") {
		t.Errorf("html cells: the retried one says after 2 attempts, the other nothing:\n%s", html)
	}

	term, md, html = render(cell(0, 3, 1), cell(1, 0, 0))
	if out := term + md + html; strings.Contains(out, "attempts") || !strings.Contains(term, "3 of 824 objects failed") {
		t.Errorf("one attempt says nothing of attempts:\n%s", out)
	}
}
