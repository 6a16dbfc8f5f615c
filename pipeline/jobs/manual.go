package jobs

import (
	"context"
	"errors"
	"fmt"

	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
)

// Manual runs work started by hand (a command such as run, ingest, validate
// or report) on the opened database and records it in the run history like
// a scheduled job: job is its name, the trigger is manual, the outcome ok,
// failed or cancelled (panicked, and the panic goes on), with the counts
// work returns. A history that cannot be written is logged, not fatal: the
// work matters more than its record.
//
// The record is written in the same session as the work: opening the
// database once before the work just to record its start lost sight of a
// submission a crashed run had committed (DuckDB replayed its write-ahead
// log, but the next session's look-up by sha256 missed the row, and the
// file was stored twice; TestCrashAtEveryPointLosesNothing).
func (p *Pipeline) Manual(ctx context.Context, job string, work func(context.Context, *store.Store) (schedule.Counts, error)) (err error) {
	st, err := p.Open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id, herr := st.StartJobRun(ctx, job, schedule.Manual, p.cfg.Now())
	if herr != nil {
		p.cfg.Log.Warn("run history", "job", job, "err", herr)
	}
	var counts schedule.Counts
	defer func() {
		if herr != nil {
			return
		}
		outcome, text := schedule.OK, ""
		r := recover()
		switch {
		case r != nil:
			outcome, text = schedule.Panicked, fmt.Sprint("panic: ", r)
		case errors.Is(err, context.Canceled):
			outcome, text = schedule.Cancelled, err.Error()
		case err != nil:
			outcome, text = schedule.Failed, err.Error()
		}
		c := store.JobCounts{Files: counts.Files, Findings: counts.Findings, Reports: counts.Reports}
		// The run's own context may be done; its record is still written.
		if ferr := st.FinishJobRun(context.WithoutCancel(ctx), id, p.cfg.Now(), outcome, c, text); ferr != nil {
			p.cfg.Log.Warn("run history", "job", job, "err", ferr)
		}
		if r != nil {
			panic(r)
		}
	}()
	counts, err = work(ctx, st)
	return err
}
