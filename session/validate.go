package session

import (
	"context"
	"io"

	"github.com/planrun/planrun/output"
	"github.com/planrun/planrun/report"
)

// Validate is planrun validate: the schema and semantic checks of the plan files under
// paths, each expanding to at most maxRequests requests (0: no limit), in --format and
// the --junit file. Failed when a plan is invalid.
func (s *Session) Validate(ctx context.Context, paths []string, maxRequests int) error {
	if len(paths) == 0 {
		return s.Usagef("no plan file or folder given")
	}
	if maxRequests < 0 {
		return s.Usagef("%s must not be negative (0: no limit)", s.Flag("max-requests"))
	}
	files, err := s.Discover(paths)
	if err != nil {
		return err
	}
	if err := output.CheckOutputs("", files, output.Output{Flag: "--junit", Path: s.Out.JUnit}); err != nil {
		return s.Usagef("%v", err)
	}
	results, err := s.Load(files, maxRequests)
	if err != nil {
		return err
	}
	if err := report.WriteChecks(s.IO.Stdout, s.Out.Format, results); err != nil {
		return err
	}
	if s.Out.JUnit != "" {
		if err := output.WriteFile(ctx, s.Out.JUnit, func(w io.Writer) error { return report.WriteChecks(w, "junit", results) }); err != nil {
			return err
		}
	}
	for _, r := range results {
		if len(r.Problems) > 0 {
			return Failed
		}
	}
	return nil
}
