package web

import (
	"context"
	"time"

	"grantpipe/pipeline/schedule"
)

// Writer is the one writer of a data directory's database inside the
// process that serves it: DuckDB must never have the file open twice at
// once, and the scheduled jobs, their run history and every request that
// reads or writes the database each open it, work and close it again. Each
// of them does so holding the Writer, so they take turns; a request waits
// for a running job (or upload) to finish, none is lost.
type Writer struct{ turn chan struct{} }

// NewWriter returns a Writer that nobody holds.
func NewWriter() *Writer { return &Writer{turn: make(chan struct{}, 1)} }

// Do runs f holding the Writer. It gives up waiting, with ctx's error, when
// ctx is done before its turn came (a request whose client went away).
func (w *Writer) Do(ctx context.Context, f func() error) error {
	select {
	case w.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-w.turn }()
	return f()
}

// Job wraps a scheduled job's work so that it runs holding the Writer.
func (w *Writer) Job(run func(context.Context) (schedule.Counts, error)) func(context.Context) (schedule.Counts, error) {
	return func(ctx context.Context) (c schedule.Counts, err error) {
		err = w.Do(ctx, func() error {
			c, err = run(ctx)
			return err
		})
		return c, err
	}
}

// History wraps the scheduler's run history, which opens the database for
// the moment of writing, so that it writes holding the Writer.
func (w *Writer) History(h schedule.Recorder) schedule.Recorder { return history{w, h} }

type history struct {
	w *Writer
	h schedule.Recorder
}

func (h history) Start(job, trigger string, at time.Time) (id int64, err error) {
	err = h.w.Do(context.Background(), func() error {
		id, err = h.h.Start(job, trigger, at)
		return err
	})
	return id, err
}

func (h history) Finish(id int64, at time.Time, outcome string, c schedule.Counts, errText string) error {
	return h.w.Do(context.Background(), func() error { return h.h.Finish(id, at, outcome, c, errText) })
}
