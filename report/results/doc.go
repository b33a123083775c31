// Package results renders per-object results: the executions of batch jobs, read one at a
// time, as text, JSON Lines, CSV, JUnit XML or Markdown (planrun results, and the --results
// file of a run), with their totals per job and workflow, the problems that kept them from
// being complete, and the failed objects' lines a retry shows. Every writer streams: what
// it keeps grows with the jobs and workflows, never with the objects.
package results
