package session

import (
	"context"
	"io"

	"github.com/planrun/planrun/report"
	"github.com/planrun/planrun/state"
)

// WriteStatus renders the state's requests of the named plans (all when none), those keep
// accepts when set, to w in format.
func WriteStatus(ctx context.Context, w io.Writer, format string, store *state.Store, plans []string, keep func(*state.Record) bool, opts ...report.Option) error {
	sink, err := report.New(format, w, append(opts, report.For(report.Status))...)
	if err != nil {
		return err
	}
	for rec, err := range store.Records(ctx, plans...) {
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
