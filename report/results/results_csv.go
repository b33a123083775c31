package results

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/report/safetext"
)

// resultsCSVHeader are the columns of --format csv: the JSON record's fields in order,
// error being its error's message (an empty cell where the JSON leaves a field out).
var resultsCSVHeader = []string{"plan", "job", "name", "origin", "job_id", "batch_job_id", "bucket", "region", "object",
	"workflow", "tag", "state", "code", "message", "attempt", "execution_id", "error"}

// resultsCSV writes one row per execution as they arrive, after a header row.
type resultsCSV struct {
	w      *csv.Writer
	opts   ResultsOptions
	header bool
}

// NewCSV returns the CSV writer of results on w: one row per execution.
func NewCSV(w io.Writer, opts ResultsOptions) ResultsWriter { return newResultsCSV(w, opts) }

func newResultsCSV(w io.Writer, opts ResultsOptions) *resultsCSV {
	return &resultsCSV{w: csv.NewWriter(w), opts: opts}
}

func (c *resultsCSV) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(resultsCSVHeader)
}

func (c *resultsCSV) Write(r *executor.ObjectResult) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	if !c.opts.keep(r) {
		return nil
	}
	return c.w.Write(safetext.CSVRow([]string{r.Plan, r.Job, r.Name, r.Origin, r.BatchJobID, r.BatchJobID, r.Bucket, r.Region, r.Object,
		r.Workflow, r.Tag, r.State, r.Code, r.Message, strconv.Itoa(r.Round), r.ExecutionID, errorMessage(r)}))
}

func (c *resultsCSV) Finish([]executor.ObjectCounts) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}
