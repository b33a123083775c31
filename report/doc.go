// Package report renders the outcome of a planrun run for people and machines: a streamed
// JSON report of every request (--report, --format json), a streamed JUnit XML report
// (--junit, --format junit), the aligned text summary of CONTRACT §4, GitHub Actions
// workflow commands and a Markdown step summary. Streaming writers hold no per-request
// data in memory, so a plan of a million requests reports in bounded memory. Nothing here
// ever sees credentials; endpoints are rendered without any user information.
package report
