package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/planrun/planrun/plan"
	"github.com/planrun/planrun/report"
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
	format := fs.String("format", "text", "output: "+strings.Join(report.Formats(report.Validate), ", "))
	maxRequests := fs.Int("max-requests", defaultMaxRequests, "refuse a plan that expands to more requests than this (0: no limit)")
	exclude := registerExclude(fs)
	junitFile := fs.String("junit", "", "also write a JUnit XML report to this `file`")
	return func(ctx context.Context, paths []string, e *env) error {
		if err := report.CheckFormat(report.Validate, *format); err != nil {
			return usagef("validate: %v", err)
		}
		if len(paths) == 0 {
			return usagef("validate: no plan file or folder given")
		}
		files, err := plan.Discover(paths, *exclude...)
		if err != nil {
			return usageError{fmt.Errorf("validate: %w", err)}
		}
		if len(files) == 0 {
			return usagef("validate: no *.yaml or *.yml files under %v", paths)
		}
		if err := report.CheckOutputs("", files, report.Output{Flag: "--junit", Path: *junitFile}); err != nil {
			return usagef("validate: %v", err)
		}
		results, err := plan.LoadFiles(files, *maxRequests)
		if err != nil {
			return err
		}
		report.WriteWarnings(e.stderr, results)
		if err := report.WriteChecks(e.stdout, *format, results); err != nil {
			return err
		}
		if *junitFile != "" {
			if err := report.WriteFile(*junitFile, func(w io.Writer) error { return report.WriteChecks(w, "junit", results) }); err != nil {
				return err
			}
		}
		for _, r := range results {
			if len(r.Problems) > 0 {
				return exitError{exitFailed}
			}
		}
		return nil
	}
}
