package main

import (
	"context"
	"errors"
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

// fileResult is the outcome of checking one plan file.
type fileResult struct {
	Path     string
	Plan     *plan.Plan // nil when invalid
	Problems []plan.Problem
	Requests int
}

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
		if err := checkOutputs("validate", "", files, output{"--junit", *junitFile}); err != nil {
			return err
		}
		results, err := loadPlans(files, *maxRequests)
		if err != nil {
			return err
		}
		printWarnings(e, results)
		if err := writeValidation(e, *format, results); err != nil {
			return err
		}
		if *junitFile != "" {
			err := report.WriteFile(*junitFile, func(w io.Writer) error {
				sink, err := report.New("junit", w)
				if err != nil {
					return err
				}
				return sink.Checks(planChecks(results))
			})
			if err != nil {
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

// loadPlans loads and checks every file; problems are collected, not returned as errors.
// Only an unreadable file is an error.
func loadPlans(files []string, maxRequests int) ([]fileResult, error) {
	results := make([]fileResult, 0, len(files))
	names := map[string]string{} // plan name -> the first file that uses it
	for _, f := range files {
		p, err := plan.Load(f)
		r := fileResult{Path: f, Plan: p}
		var probs plan.Problems
		switch {
		case errors.As(err, &probs):
			r.Problems = probs
			r.Plan = nil
		case err != nil:
			return nil, fmt.Errorf("validate %s: %w", f, err)
		default:
			if first, dup := names[p.Name]; dup {
				r.Problems = append(r.Problems, plan.Problem{File: f, Line: p.NamePos.Line, Col: p.NamePos.Col, Path: "name",
					Message: fmt.Sprintf("plan name %q is also used by %s: plan names prefix every job name on the service, so give each plan its own", p.Name, first)})
				r.Plan = nil
				break
			}
			names[p.Name] = f
			r.Requests = p.Count()
			if maxRequests > 0 && r.Requests > maxRequests {
				r.Problems = []plan.Problem{{File: f, Line: 1, Col: 1, Message: fmt.Sprintf(
					"plan expands to %d requests, more than the limit of %d; raise it with --max-requests %d if that is intended",
					r.Requests, maxRequests, r.Requests)}}
			}
		}
		results = append(results, r)
	}
	return results, nil
}
