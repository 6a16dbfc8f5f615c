package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/parallel"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
)

// writeFeedback writes the feedback workbook of every file ingested, at
// feedback.Path: the district's own workbook with each finding marked at its
// cell. Files whose content would not change are left alone; it returns how
// many were written.
//
// Nothing in a file stops the run: a file whose findings cannot be marked
// in it (beyond the limits, damaged in a way the reader did not see, gone
// from the archive, or excelize panicking on it) gets a workbook with the
// list of its findings and a FEEDBACK finding, recorded with its reading
// findings in submission_findings (once, however often the run is
// repeated). Only the run's own failures are errors: the database, or
// writing the workbooks. Feedback workbooks that no submission owns any
// more are removed.
func (a *app) writeFeedback(ctx context.Context, st *store.Store, cat *messages.Catalog) (int, error) {
	q := func(name string) (string, error) { return st.Query("feedback/" + name + ".sql") }
	latest, err := q("latest_run")
	if err != nil {
		return 0, err
	}
	var run int64
	if err := st.DB.QueryRowContext(ctx, latest).Scan(&run); err != nil {
		return 0, fmt.Errorf("feedback: %w", err)
	}
	subsQ, err := q("submissions")
	if err != nil {
		return 0, err
	}
	findQ, err := q("findings")
	if err != nil {
		return 0, err
	}
	type sub struct {
		id                  int64
		file, stored        string
		accepted            bool
		received, received0 time.Time
	}
	rows, err := st.DB.QueryContext(ctx, subsQ)
	if err != nil {
		return 0, fmt.Errorf("feedback: %w", err)
	}
	var subs []sub
	for rows.Next() {
		var s sub
		if err := rows.Scan(&s.id, &s.file, &s.stored, &s.accepted, &s.received, &s.received0); err != nil {
			rows.Close()
			return 0, fmt.Errorf("feedback: %w", err)
		}
		subs = append(subs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("feedback: %w", err)
	}
	dir := filepath.Join(a.dir().Reports(), "feedback")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("feedback: %w", err)
	}
	// Each submission has a stored file of its own and so a workbook of its
	// own. Should two records ever name the same stored file (one whose
	// file was deleted by hand, its name then reused), the later one owns
	// the workbook: the bytes there are its.
	owner := map[string]int{}
	for i, s := range subs {
		owner[feedback.Path(a.dir(), s.stored)] = i
	}
	// Gather each file's findings (the database, one at a time), then write
	// the workbooks on every core.
	type work struct {
		sub      sub
		path     string
		findings []feedback.Finding
	}
	var todo []work
	var keep []string
	for i, s := range subs {
		path := feedback.Path(a.dir(), s.stored)
		if owner[path] != i {
			a.log.Warn("feedback: stored file shared with a later submission, no workbook of its own", "submission", s.id, "stored", s.stored)
			continue
		}
		var fs []feedback.Finding
		frows, err := st.DB.QueryContext(ctx, findQ, s.id, run)
		if err != nil {
			return 0, fmt.Errorf("feedback: %w", err)
		}
		for frows.Next() {
			var f feedback.Finding
			var de, en string
			var ord, seq int
			if err := frows.Scan(&f.Rule, &f.Severity, &f.Sheet, &f.Cell, &de, &en, &ord, &seq); err != nil {
				frows.Close()
				return 0, fmt.Errorf("feedback: %w", err)
			}
			f.Message = de
			if a.lang == "en" {
				f.Message = en
			}
			fs = append(fs, f)
		}
		frows.Close()
		if err := frows.Err(); err != nil {
			return 0, fmt.Errorf("feedback: %w", err)
		}
		todo = append(todo, work{s, path, fs})
		keep = append(keep, path)
	}
	failures := map[int64]*feedback.Failure{}
	failed := make([]*feedback.Failure, len(todo))
	changed := make([]bool, len(todo))
	err = parallel.Each(len(todo), func(k int) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		w := todo[k]
		src := filepath.Join(a.dir().Root, filepath.FromSlash(w.sub.stored))
		data, fail := a.feedbackOf(src, w.findings, cat, feedback.Options{
			Lang: a.lang, Timestamp: w.sub.received0, File: w.sub.file, Received: w.sub.received, Accepted: w.sub.accepted})
		failed[k] = fail
		if fail != nil {
			a.log.Warn("feedback: findings not marked in the file", "submission", w.sub.id, "file", w.sub.file,
				"reason", fail.Reason(cat, "en"))
		}
		if data == nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(w.path), 0o755); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		var err error
		if changed[k], err = report.ReplaceIfChanged(w.path, data); err != nil {
			return fmt.Errorf("feedback %s: %w", w.sub.file, err)
		}
		return nil
	})
	for k, f := range failed {
		if f != nil {
			failures[todo[k].sub.id] = f
		}
	}
	// What was found is recorded even when writing a workbook failed.
	if rerr := a.recordFeedbackFailures(ctx, st, cat, failures); err == nil {
		err = rerr
	}
	if err != nil {
		return 0, err
	}
	if _, err := feedback.RemoveUnowned(dir, keep); err != nil {
		return 0, err
	}
	written := 0
	for _, c := range changed {
		if c {
			written++
		}
	}
	return written, nil
}

// feedbackOf makes one file's feedback workbook. It never fails the run:
// when feedback.Write refuses its input or panics, the file gets the list of
// its findings alone, and the failure is the file's. data is nil only when
// not even that list could be written (it is logged).
func (a *app) feedbackOf(src string, findings []feedback.Finding, cat *messages.Catalog, opt feedback.Options) (data []byte, fail *feedback.Failure) {
	var buf bytes.Buffer
	res, err := recovered(func() (feedback.Result, error) { return feedback.Write(&buf, src, findings, cat, opt) })
	if err == nil {
		return buf.Bytes(), res.Failure
	}
	fail = &feedback.Failure{Key: "feedback.reason.unreadable", Args: messages.Args{"detail": short(err.Error())}}
	buf.Reset()
	_, err = recovered(func() (feedback.Result, error) {
		return feedback.Result{}, feedback.WriteUnmarked(&buf, findings, cat, opt, fail)
	})
	if err != nil {
		a.log.Error("feedback: no workbook", "file", opt.File, "error", err)
		return nil, fail
	}
	return buf.Bytes(), fail
}

// recovered calls f, turning a panic into an error.
func recovered(f func() (feedback.Result, error)) (res feedback.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// short makes a text fit a message: printable, at most 200 bytes.
func short(s string) string {
	s = datadir.Printable(s)
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// recordFeedbackFailures makes the FEEDBACK findings in submission_findings
// those of failures, by submission id: new ones are added, changed ones
// replaced, those of files now marked removed, and nothing is written when
// nothing changed.
func (a *app) recordFeedbackFailures(ctx context.Context, st *store.Store, cat *messages.Catalog, failures map[int64]*feedback.Failure) error {
	listQ, err := st.Query("feedback/failures.sql")
	if err != nil {
		return err
	}
	clearQ, err := st.Query("feedback/clear_failure.sql")
	if err != nil {
		return err
	}
	recordQ, err := st.Query("feedback/record_failure.sql")
	if err != nil {
		return err
	}
	type message struct{ key, de, en string }
	have := map[int64]message{}
	rows, err := st.DB.QueryContext(ctx, listQ, feedback.Rule)
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	for rows.Next() {
		var id int64
		var m message
		if err := rows.Scan(&id, &m.key, &m.de, &m.en); err != nil {
			rows.Close()
			return fmt.Errorf("feedback: %w", err)
		}
		if _, dup := have[id]; dup {
			m = message{} // two of them: rewrite as one
		}
		have[id] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	want := map[int64]message{}
	for id, f := range failures {
		want[id] = message{feedback.FailedKey, f.Finding(cat, "de").Message, f.Finding(cat, "en").Message}
	}
	tx, err := st.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	defer tx.Rollback()
	for id := range have {
		if _, keep := want[id]; !keep {
			if _, err := tx.ExecContext(ctx, clearQ, id, feedback.Rule); err != nil {
				return fmt.Errorf("feedback: %w", err)
			}
		}
	}
	for id, m := range want {
		if old, ok := have[id]; ok && old == m {
			continue
		}
		if _, err := tx.ExecContext(ctx, clearQ, id, feedback.Rule); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		if _, err := tx.ExecContext(ctx, recordQ, id, feedback.Rule, feedback.Warning, m.key, m.de, m.en); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	return nil
}
