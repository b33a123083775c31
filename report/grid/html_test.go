package grid

import (
	"strings"
	"testing"
)

func TestGridHTMLGolden(t *testing.T) {
	var b strings.Builder
	if err := WriteGridHTML(&b, fixtureGrid()); err != nil {
		t.Fatal(err)
	}
	golden(t, "grid.html.golden", b.String())
	page := b.String()
	if n := strings.Count(page, `<td class="c" data-state=`); n != 126 {
		t.Errorf("%d cells with a state, want one per request (126)", n)
	}
	for _, want := range []string{
		`data-state="failed" data-objects-failed="3" title="video-backfill-videos-71-`,
		`3 of 409 objects failed`,
		"code: InternalError\nmessage: workflow node &lt;Transcode&gt; failed",
		`<h1>planrun · video-backfill</h1>`,
		`read 2024-02-01 09:30:00 UTC`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, external := range []string{"http://", "https://", "src=", "href=", "@import", "url("} {
		if i := strings.Index(page, external); i >= 0 && !strings.Contains(page[max(0, i-200):i], "title=") &&
			!strings.Contains(page[max(0, i-200):i], "Manifest ") {
			t.Errorf("page refers to something outside itself: %q", page[max(0, i-60):min(len(page), i+60)])
		}
	}
}
