// Package follow follows the batch jobs that executor triggered to their end (Wait,
// Refresh: the state's rows brought up to date by list sweeps and describes, summarized in
// an executor.WaitSummary) and cancels them (Cancel, CancelEach: the jobs of a plan's
// requests, their retries and, with executor.Options.AllGenerations, earlier generations).
// It builds its engine on the batch jobs' executor.Engine, so its calls share the one
// service layer (slots, limiter, timeout, retries), the sweeps and the lookups. executor
// never imports it; callers (session, bench) call it directly. It never prints.
package follow
