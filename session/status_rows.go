package session

import (
	"context"
	"io"

	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// WriteStatus renders the state's requests of the named plans (all when none), those keep
// accepts when set, to w in format: each request at its latest attempt (run --rerun).
func WriteStatus(ctx context.Context, w io.Writer, format string, store *state.Store, plans []string, keep func(*state.Record) bool, opts ...report.Option) error {
	sink, err := report.New(format, w, append(opts, report.For(report.Status))...)
	if err != nil {
		return err
	}
	for rec, err := range store.Latest(ctx, plans...) { // each request once, at its latest attempt
		if err != nil {
			return err
		}
		if keep != nil && !keep(&rec) {
			continue
		}
		if err := sink.Status(rec); err != nil {
			return err
		}
	}
	return sink.Flush()
}
