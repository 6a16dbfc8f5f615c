package jobs

import (
	"context"
	"errors"
	"fmt"

	"grantpipe/pipeline/schedule"
)

// Manual runs work started by hand (a command such as run, ingest, validate
// or report) and records it in the run history like a scheduled job: job
// is its name, the trigger is manual, the outcome ok or failed (panicked,
// and the panic goes on), with the counts work returns. A history that
// cannot be written is logged, not fatal: the work matters more than its
// record.
func (p *Pipeline) Manual(ctx context.Context, job string, work func(context.Context) (schedule.Counts, error)) (err error) {
	h := p.History()
	id, herr := h.Start(job, schedule.Manual, p.cfg.Now())
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
		if ferr := h.Finish(id, p.cfg.Now(), outcome, counts, text); ferr != nil {
			p.cfg.Log.Warn("run history", "job", job, "err", ferr)
		}
		if r != nil {
			panic(r)
		}
	}()
	counts, err = work(ctx)
	return err
}
