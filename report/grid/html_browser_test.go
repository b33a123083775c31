package grid

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"
)

// TestGridHTMLInBrowser opens the page in headless Chromium and checks what a person sees:
// the grid with one coloured cell per request, the totals, and the tooltip of a failed
// cell when the mouse is over it; the page asks for nothing outside itself. The screenshot
// (1400×900, tooltip open) is kept in $PLANRUN_GRID_SHOTS when set.
func TestGridHTMLInBrowser(t *testing.T) {
	b := startBrowser(t)
	var page bytes.Buffer
	if err := WriteGridHTML(&page, fixtureGrid()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b.open(writeFile(t, dir, "grid.html", page.Bytes()))

	var shape struct {
		Rows, Cells, Filled int
		Legend, Note        string
	}
	b.eval(`({rows: document.querySelectorAll("#grid tbody tr").length,
		cells: document.querySelectorAll("#grid tbody td.c").length,
		filled: document.querySelectorAll("#grid tbody td.c[data-state]").length,
		legend: document.getElementById("legend").innerText})`, &shape)
	if shape.Rows != 6 || shape.Cells != 6*32 || shape.Filled != 126 {
		t.Errorf("grid of %d rows, %d cells, %d with a request; want 6, 192, 126", shape.Rows, shape.Cells, shape.Filled)
	}
	for _, want := range []string{"success 103", "failed 3", "cancelled 4", "running 11", "triggered 4", "not sent 1"} {
		if !strings.Contains(shape.Legend, want) {
			t.Errorf("legend %q lacks %q", shape.Legend, want)
		}
	}

	// Each state has its colour, as painted (computed style), and cells are visible squares.
	var colours map[string][]string
	b.eval(`(() => { const m = {};
		for (const td of document.querySelectorAll("#grid tbody td.c")) {
			const s = td.dataset.state || "empty", r = td.getBoundingClientRect();
			(m[s] = m[s] || []).push(getComputedStyle(td).backgroundColor + " " + Math.round(r.width) + "x" + Math.round(r.height));
		}
		for (const k in m) m[k] = [...new Set(m[k])];
		return m; })()`, &colours)
	for state, want := range map[string]string{
		"success": "rgb(45, 164, 78) 14x14", "failed": "rgb(207, 34, 46) 14x14", "cancelled": "rgb(212, 167, 44) 14x14",
		"running": "rgb(9, 105, 218) 14x14", "triggered": "rgb(164, 117, 249) 14x14", "not_sent": "rgb(209, 217, 224) 14x14",
		"empty": "rgb(246, 248, 250) 14x14",
	} {
		if got := colours[state]; len(got) != 1 || got[0] != want {
			t.Errorf("%s cells look %v, want %s", state, got, want)
		}
	}

	// A success cell whose batch job had failed objects wears a red ring, and says so;
	// a success cell without failed objects has none.
	var ring struct{ Marked, Plain, Title string }
	b.eval(`(() => { const m = document.querySelector("td[data-state=success][data-objects-failed]"),
		p = document.querySelector("td[data-state=success]:not([data-objects-failed])");
		return {marked: m ? getComputedStyle(m).boxShadow : "no such cell", plain: getComputedStyle(p).boxShadow,
			title: m ? m.title : ""}; })()`, &ring)
	if ring.Marked != "rgb(207, 34, 46) 0px 0px 0px 3px inset" || ring.Plain != "none" {
		t.Errorf("success cells: with failed objects %q, without %q; want a 3px red inset ring on the first only", ring.Marked, ring.Plain)
	}
	if !strings.Contains(ring.Title, "state: success (Success)") || !strings.Contains(ring.Title, "2 of 404 objects failed") {
		t.Errorf("tooltip of the ringed success cell: %q", ring.Title)
	}

	// Totals per row and per column, as shown.
	var totals struct {
		Row    []string
		Failed []string
	}
	b.eval(`({row: [...document.querySelectorAll("#grid tbody td.t")].map(e => e.innerText.trim()),
		failed: [...document.querySelectorAll("#grid tfoot tr:nth-child(2) td.v")].map(e => e.innerText.trim())})`, &totals)
	if strings.Join(totals.Row, "|") != "27/31|27/31|26/31 1 failed|22/31 1 failed|0/1 1 failed|1/1" {
		t.Errorf("row totals %q", totals.Row)
	}
	if len(totals.Failed) != 32 || totals.Failed[0] != "1" || totals.Failed[10] != "2" || totals.Failed[11] != "" {
		t.Errorf("failed per column %q", totals.Failed)
	}

	// Hovering the failed day of input/clips/ opens its tooltip next to it.
	var at struct{ X, Y float64 }
	b.eval(`(() => { const td = document.querySelector("td[data-state=failed][data-objects-failed]");
		td.scrollIntoView({block: "center", inline: "center"});
		const r = td.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, &at)
	if hidden := b.evalBool(`document.getElementById("tip").hidden`); !hidden {
		t.Error("a tooltip shows before any hover")
	}
	b.hover(at.X, at.Y)
	var tip struct {
		Hidden, Inside bool
		Text, Display  string
	}
	b.eval(`(() => { const e = document.getElementById("tip"), r = e.getBoundingClientRect();
		return {hidden: e.hidden, text: e.innerText, display: getComputedStyle(e).display,
			inside: r.width > 100 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight}; })()`, &tip)
	if tip.Hidden || tip.Display == "none" || !tip.Inside {
		t.Errorf("tooltip after hover: hidden %v, display %q, inside the window %v", tip.Hidden, tip.Display, tip.Inside)
	}
	for _, want := range []string{"video-backfill-videos-71-", "job id: i00", "window: 2024-01-10 00:00 → 2024-01-11 00:00 +0800",
		"state: failed (Failed)", "code: InternalError", "message: workflow node <Transcode> failed", "3 of 409 objects failed"} {
		if !strings.Contains(tip.Text, want) {
			t.Errorf("tooltip %q lacks %q", tip.Text, want)
		}
	}

	shot := b.screenshot()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != 1400 || sz.Y != 900 {
		t.Errorf("screenshot %v, want 1400×900", sz)
	}
	if dir := os.Getenv("PLANRUN_GRID_SHOTS"); dir != "" {
		t.Logf("screenshot: %s", writeFile(t, dir, "grid.png", shot))
		writeFile(t, dir, "grid.html", page.Bytes())
	}
	if urls := b.requests(); len(urls) > 0 {
		t.Errorf("the page asked for %v", urls)
	}
}

// evalBool evaluates a boolean expression.
func (b *browser) evalBool(expr string) bool {
	b.t.Helper()
	var v bool
	b.eval(expr, &v)
	return v
}
