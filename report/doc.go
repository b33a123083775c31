// Package report renders the outcome of a planrun run for people and machines: a streamed
// JSON report of every request (--report, --format json), a streamed JUnit XML report
// (--junit, --format junit), the aligned text summary (README, "Commands"), GitHub Actions
// workflow commands and a Markdown step summary. Streaming writers hold no per-request
// data in memory, so a plan of a million requests reports in bounded memory. Nothing here
// ever sees credentials; endpoints are rendered without any user information.
//
// report renders only, to an io.Writer: it reads neither the state nor the service and
// writes no file (session reads the state and streams it in; output writes the files).
// Its rooms: report/results (per-object results), report/grid (the status grid),
// report/progress (the live lines of a run), report/help (usage and completion), and
// report/layout and report/safetext (the text kit every room draws with).
//
// After --wait, JUnitReport.ApplyWait turns the test case of every request whose job ended
// Failed or Cancel, or vanished, into a failure (type the job's Code, message its Message),
// and the JSON report's "wait" object holds "states" (jobs per last known state),
// "unfinished", and "failed": one {"plan", "job", "name", "bucket", "region", "job_id",
// "state", "code", "message"} per such job, code and message being the service's (left out
// when it gave none).
package report
