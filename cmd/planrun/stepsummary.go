package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
)

// appendStepSummary appends Markdown to $GITHUB_STEP_SUMMARY when GitHub Actions set it.
func appendStepSummary(e *env, write func(w *bufio.Writer) error) error {
	path := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	bw := bufio.NewWriter(f)
	werr := write(bw)
	if err := bw.Flush(); werr == nil {
		werr = err
	}
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("step summary: %w", werr)
	}
	return nil
}

func writeStepSummaryPreview(e *env, plans []*plan.Plan, shard plan.Shard) error {
	return appendStepSummary(e, func(w *bufio.Writer) error { return writePreviewMarkdown(w, plans, shard) })
}

func writeStepSummaryRun(e *env, sum *executor.Summary, wait *executor.WaitSummary, meta report.Meta) error {
	return appendStepSummary(e, func(w *bufio.Writer) error {
		return report.WriteStepSummary(w, sum, wait, meta)
	})
}
