package session

import (
	"context"
	"fmt"
	"io"

	"github.com/planrun/planrun/executor"
	"github.com/planrun/planrun/output"
	"github.com/planrun/planrun/report"
)

// FileSink is a report.Sink that renders into an output.File: Flush commits the file (renamed into
// place whole), Abort drops it. An error of any event makes Flush drop the file and say so.
type FileSink struct {
	report.Sink
	f   *output.File
	err error
}

// NewFileSink starts the report file path in format; the end of ctx (an interruption)
// bounds how long a FIFO there is waited for (output.CreateFile).
func NewFileSink(ctx context.Context, format, path string, opts ...report.Option) (*FileSink, error) {
	f, err := output.CreateFile(ctx, path)
	if err != nil {
		return nil, err
	}
	s, err := report.New(format, f, opts...)
	if err != nil {
		f.Abort()
		return nil, err
	}
	return &FileSink{Sink: s, f: f}, nil
}

// Result passes r on unless an earlier event failed (the file is dropped at Flush anyway).
func (s *FileSink) Result(r executor.Result) error {
	if s.err == nil {
		s.err = s.Sink.Result(r)
	}
	return s.err
}

// RunDone passes the end of the run on unless an earlier event failed.
func (s *FileSink) RunDone(sum *executor.Summary, wait *executor.WaitSummary, meta report.Meta) error {
	if s.err == nil {
		s.err = s.Sink.RunDone(sum, wait, meta)
	}
	return s.err
}

// Flush finishes the file and moves it into place, or drops it after an error.
func (s *FileSink) Flush() error {
	if s.err == nil {
		s.err = s.Sink.Flush()
	}
	if s.err != nil {
		s.f.Abort()
		return fmt.Errorf("write %s: %w", s.f.Path(), s.err)
	}
	return s.f.Commit()
}

// Abort drops the file; after Flush it does nothing.
func (s *FileSink) Abort() { s.f.Abort() }

// OpenRun opens where a run renders: w in format, and the JSON report at reportPath and
// the JUnit report at junitPath when they are set, written whole on Flush or not at all
// (abort drops them). Colour (WithColor) applies to w only. ctx is as for NewFileSink.
func OpenRun(ctx context.Context, format string, w io.Writer, reportPath, junitPath string, opts ...report.Option) (sink report.Sink, abort func(), err error) {
	stdout, err := report.New(format, w, opts...)
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, report.WithColor(false))
	sinks, files := []report.Sink{stdout}, []*FileSink{}
	abort = func() {
		for _, f := range files {
			f.Abort()
		}
	}
	for _, out := range []struct{ path, format string }{{reportPath, "json"}, {junitPath, "junit"}} {
		if out.path != "" {
			file, err := NewFileSink(ctx, out.format, out.path, opts...)
			if err != nil {
				abort()
				return nil, nil, err
			}
			files, sinks = append(files, file), append(sinks, file)
		}
	}
	return report.Multi(sinks...), abort, nil
}
