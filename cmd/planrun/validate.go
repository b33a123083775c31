package main

import (
	"context"
	"flag"

	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/session"
)

const validateUsage = `Usage: planrun validate [flags] PATH...

Checks plan files against the plan schema and the semantic rules: all problems at once, sorted,
each as file:line:col: where: what. A PATH may be a folder: every *.yaml and *.yml under it is
checked. No network, no credentials.

Examples:
  planrun validate plans/
  planrun validate --format github plans/prod.yaml
  planrun validate --format junit plans/ > validate.xml`

func setupValidate(fs *flag.FlagSet) runFunc {
	s := session.New(fs, "validate", session.FilesGroup)
	s.Out.Register(fs, "", report.Formats(report.Validate), "junit")
	maxRequests := fs.Int("max-requests", defaultMaxRequests, "refuse a plan that expands to more requests than this (0: no limit)")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := s.Start(e.io()); err != nil {
			return err
		}
		return s.Validate(ctx, paths, *maxRequests)
	}
}
