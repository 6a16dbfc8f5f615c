package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"grantpipe/pipeline/lock"
	"grantpipe/pipeline/store"
)

// OpenForStatus opens the data directory's database to read its status
// while another process may hold the directory: when nobody does, it takes
// the lock (command names the taker) and opens normally, which also brings
// an older database's schema up to date; when someone does, it opens
// read-only, between their jobs, and says who holds it (for Status). Close
// the store, then call release.
func (p *Pipeline) OpenForStatus(ctx context.Context, command string) (st *store.Store, holder string, release func(), err error) {
	release = func() {}
	dir := p.cfg.Dir
	l, err := lock.Acquire(dir.Root, command)
	held := ""
	if err != nil {
		var h *lock.HeldError
		if !errors.As(err, &h) {
			return nil, "", release, err
		}
		held = h.Error()
		holder = fmt.Sprintf("pid %d: %s since %s", h.Info.PID, h.Info.Command, h.Info.Since.In(p.loc).Format(time.RFC3339))
		if h.Info.Job != "" {
			holder += fmt.Sprintf(", running %s since %s", h.Info.Job, h.Info.JobFrom.In(p.loc).Format(time.RFC3339))
		}
	} else {
		release = func() { l.Release() }
	}
	if _, err := os.Stat(dir.Database()); err != nil {
		release()
		return nil, "", func() {}, fmt.Errorf("no database in %s yet: run grantpipe run (or schedule) first", dir.Root)
	}
	open := store.Open
	if held != "" {
		open = store.OpenReadOnly
	}
	if st, err = open(ctx, dir.Database(), p.cfg.Queries); err != nil {
		release()
		if held != "" {
			return nil, "", func() {}, fmt.Errorf("the database is busy: %s; status can read it again as soon as the job has finished", held)
		}
		return nil, "", func() {}, err
	}
	return st, holder, release, nil
}
