package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/planrun/planrun/report/results"
)

func TestNewResultsRefusesUnknownFormat(t *testing.T) {
	if _, err := NewResults("yaml", &bytes.Buffer{}, results.ResultsOptions{}); err == nil || !strings.Contains(err.Error(), "markdown") {
		t.Errorf("err = %v", err)
	}
}

// TestOneTableOfFormats: the commands, the results, the retry preview and the grid all
// resolve their formats through the one table, and a format is offered only where it
// renders.
func TestOneTableOfFormats(t *testing.T) {
	for cmd, want := range map[Command][]string{
		Validate: {"text", "github", "json", "junit"},
		DryRun:   {"text", "github", "json", "markdown"},
		Run:      {"text", "github", "json", "junit"},
		Status:   {"text", "json"},
		Cancel:   {"text", "json"},
		Results:  {"text", "csv", "json", "junit", "markdown"},
		Retry:    {"text", "json"},
		Grid:     {"text", "html", "markdown"},
	} {
		if got := Formats(cmd); !slices.Equal(got, want) {
			t.Errorf("Formats(%s) = %v, want %v", cmd, got, want)
		}
	}
	if _, err := New("csv", &bytes.Buffer{}); err == nil {
		t.Error("New(csv): a results-only format made a Sink")
	}
	if err := WriteGrid(&bytes.Buffer{}, "json", nil, 80, false); err == nil || !strings.Contains(err.Error(), "html") {
		t.Errorf("WriteGrid(json) = %v, want an error naming the grid's formats", err)
	}
}
