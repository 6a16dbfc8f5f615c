package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/parallel"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
)

// writeFeedback writes reports/feedback/<name>.feedback.xlsx for every file
// ingested: the district's own workbook with each finding marked at its
// cell. Files whose content would not change are left alone; it returns how
// many were written.
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
	dir := filepath.Join(a.dir().Reports(), "feedback")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("feedback: %w", err)
	}
	// Gather each file's findings (the database, one at a time), then write
	// the workbooks on every core.
	type work struct {
		sub      sub
		findings []feedback.Finding
	}
	var todo []work
	for _, s := range subs {
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
		todo = append(todo, work{s, fs})
	}
	// Files of the same name: the later one's feedback wins, as before.
	byName := map[string]int{}
	for i, w := range todo {
		byName[strings.TrimSuffix(w.sub.file, filepath.Ext(w.sub.file))] = i
	}
	var order []int
	for _, i := range byName {
		order = append(order, i)
	}
	sort.Ints(order)
	changedFlags := make([]bool, len(order))
	err = parallel.Each(len(order), func(k int) error {
		w := todo[order[k]]
		var buf bytes.Buffer
		err := feedback.Write(&buf, filepath.Join(a.dir().Root, filepath.FromSlash(w.sub.stored)), w.findings, cat, feedback.Options{
			Lang: a.lang, Timestamp: w.sub.received0, File: w.sub.file, Received: w.sub.received, Accepted: w.sub.accepted})
		if err != nil {
			return fmt.Errorf("feedback %s: %w", w.sub.file, err)
		}
		name := strings.TrimSuffix(w.sub.file, filepath.Ext(w.sub.file))
		changedFlags[k], err = report.ReplaceIfChanged(filepath.Join(dir, name+".feedback.xlsx"), buf.Bytes())
		return err
	})
	written := 0
	for _, c := range changedFlags {
		if c {
			written++
		}
	}
	return written, err
}
