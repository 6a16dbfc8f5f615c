package web

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
)

// An upload waits for the Writer in a queue, and whoever gets the Writer
// takes every upload waiting then: one ingest run stores each file in its
// own transaction as before, then the one check and the one feedback step
// cover them all.
// A burst of uploads thus costs its files and one check, not one check a
// file (an upload at 14 districts was 56 % check, 12 % opening the
// database).

// pendingUpload is an upload waiting for its turn, and then its result.
type pendingUpload struct {
	user   accounts.User
	name   string // the file's name, safe (see uploaded)
	data   []byte
	remote string
	fr     *ingest.FileResult
	err    error
	done   chan struct{} // closed once fr or err is set
}

// uploadQueue holds the uploads no batch has taken yet.
type uploadQueue struct {
	mu      sync.Mutex
	waiting []*pendingUpload
}

func (q *uploadQueue) add(p *pendingUpload) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = append(q.waiting, p)
}

// remove takes p out of the queue; false when a batch took it already.
func (q *uploadQueue) remove(p *pendingUpload) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, w := range q.waiting {
		if w == p {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// take empties the queue and returns what was in it.
func (q *uploadQueue) take() []*pendingUpload {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.waiting
	q.waiting = nil
	return batch
}

// submit queues an upload and waits until a batch has taken it in (this
// request's own, once it holds the Writer, or an earlier holder's). A
// request whose client goes away before any batch took its upload leaves
// nothing behind: its file was not written.
func (s *Server) submit(ctx context.Context, p *pendingUpload) error {
	p.done = make(chan struct{})
	s.uploads.add(p)
	err := s.cfg.Writer.Do(ctx, func() error {
		// The batch runs to its end even when this request's client
		// goes away: it carries other requests' uploads.
		s.runUploads(context.WithoutCancel(ctx))
		return nil
	})
	if err != nil && s.uploads.remove(p) {
		return err
	}
	<-p.done
	return p.err
}

// runUploads takes the waiting uploads, holding the Writer, and does
// their work in one run on the open database: each file written into its
// district's inbox folder, the files ingested (these files only), then the
// check and the feedback, and each upload in the audit log.
func (s *Server) runUploads(ctx context.Context) {
	batch := s.uploads.take()
	if len(batch) == 0 {
		return
	}
	var err error
	defer func() {
		// Every upload of the batch gets its answer, even when the work
		// panicked (the run is recorded as panicked): nobody waits forever.
		if r := recover(); r != nil {
			s.cfg.Log.Error("upload panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("upload: panic: %v", r)
		}
		for _, p := range batch {
			if err != nil && p.err == nil {
				p.fr, p.err = nil, err
			}
			close(p.done)
		}
	}()
	err = s.cfg.Pipeline.Manual(ctx, "upload", func(ctx context.Context, st *store.Store) (c schedule.Counts, err error) {
		return c, s.onStore(st, func() error {
			byPath := map[string]*pendingUpload{}
			var paths []string
			for _, p := range batch {
				path, err := s.inboxFile(p)
				if err != nil {
					p.err = err
					continue
				}
				byPath[path] = p
				paths = append(paths, path)
			}
			if len(paths) == 0 {
				return nil
			}
			// One ingest run for the batch's files (one checkpoint), each
			// file still stored in its own transaction.
			res, err := s.cfg.Pipeline.Ingest(ctx, st, paths)
			if err != nil {
				return err
			}
			for i := range res.Files {
				if p := byPath[res.Files[i].Source]; p != nil {
					p.fr = &res.Files[i]
					c.Files++
				}
			}
			for _, p := range byPath {
				if p.fr == nil {
					p.err = fmt.Errorf("upload %s: not ingested", p.name)
				}
			}
			if c.Files == 0 {
				return nil
			}
			checked, err := s.cfg.Pipeline.Validate(ctx, st, jobs.Check{})
			if err != nil {
				return err
			}
			c.Findings = checked.Count()
			if c.Reports, err = s.cfg.Pipeline.Feedback(ctx, st); err != nil {
				return err
			}
			for _, p := range batch {
				if p.fr == nil {
					continue
				}
				if err := s.accounts.Audit(ctx, p.user.Login, "upload", fmt.Sprintf("%s: %s, submission %d", p.name, p.fr.Outcome, p.fr.SubmissionID), p.remote); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// inboxFile writes an upload into its district's inbox folder under a
// name no file there has, dated now by the server's clock (the ingest
// reads the arrival from the file's time), and returns its path. It runs
// holding the Writer, so that no scheduled ingest takes the file first:
// the upload reports on it.
func (s *Server) inboxFile(p *pendingUpload) (string, error) {
	dir := s.cfg.Dir.InboxOf(p.user.District)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := freeName(dir, p.name)
	if err := os.WriteFile(path, p.data, 0o644); err != nil {
		return "", err
	}
	now := s.cfg.Now()
	if err := os.Chtimes(path, now, now); err != nil {
		return "", err
	}
	return path, nil
}
