// Package objects is the per-object room: what the executions inside batch jobs did. It
// reads the outcome of every object of the batch jobs a run made (Results), follows each
// failed object into the batch jobs that triggered it again (Latest), builds the retry
// sets of planrun retry (Retries, RetriesVia: derived plans and URL files), and counts
// and saves the per-object counts (SaveCounts). It stands above the batch jobs (package
// executor, whose engine, words and lookups it uses) and sends every call through the
// same one layer (package pace); the executor never imports it. It never prints.
package objects
