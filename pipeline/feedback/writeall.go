package feedback

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"grantpipe/pipeline/atomicfile"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/parallel"
	"grantpipe/pipeline/store"
)

// WriteAll writes the feedback workbook of every file ingested, at Path:
// the district's own workbook with each of its findings marked at its
// cell, in lang, and the ministry's findings listed apart. A file that a
// later one replaced keeps the findings of the last check in which it
// counted and says which file replaced it, and when. Files whose content
// would not change are left alone; it returns how many were written.
//
// Nothing in a file stops the run: a file whose findings cannot be marked
// in it (beyond the limits, damaged in a way the reader did not see, gone
// from the archive, or excelize panicking on it) gets a workbook with the
// list of its findings and a FEEDBACK finding, recorded with its reading
// findings (once, however often the run is repeated). Only the run's own
// failures are errors: the database, or writing the workbooks. Feedback
// workbooks that no submission owns any more are removed.
//
// Received times are shown in loc, the programme's time zone.
func WriteAll(ctx context.Context, st *store.Store, d datadir.Dir, cat *messages.Catalog, lang string, loc *time.Location, log *slog.Logger) (int, error) {
	n, _, err := writeAll(ctx, st, d, cat, lang, loc, log, nil, "")
	return n, err
}

// WriteChanged is WriteAll for the files whose workbook would come out
// differently: a workbook is made again when the fingerprint of what it is
// made from (version, which the caller gives for grantpipe and its message
// catalogue; the file and its findings; its replacement; the language and
// time zone) differs from the one recorded in the database when it was
// written, or when it is missing or was altered on disk. A workbook not
// made again keeps the note its file had (see SetFileNotes). It returns how
// many workbooks changed and the paths of those made (changed or not).
//
// key, when not empty, stands for everything the workbooks are made from
// as a whole (the caller's: the stored data and the check's inputs,
// version, language). When the previous call that made or found every
// workbook current had the same key, and every workbook it recorded is on
// disk as written, nothing is read from the database or made.
func WriteChanged(ctx context.Context, st *store.Store, d datadir.Dir, cat *messages.Catalog, lang string, loc *time.Location, log *slog.Logger, version, key string) (changed int, made []string, err error) {
	return writeAll(ctx, st, d, cat, lang, loc, log, &version, key)
}

func writeAll(ctx context.Context, st *store.Store, d datadir.Dir, cat *messages.Catalog, lang string, loc *time.Location, log *slog.Logger, version *string, key string) (int, []string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(d.Reports(), "feedback")
	var rec *records
	if version != nil {
		var err error
		if rec, err = readRecords(ctx, st, dir); err != nil {
			return 0, nil, fmt.Errorf("feedback: %w", err)
		}
		if key != "" {
			// The stored files are the workbooks' other input: one
			// damaged or replaced by hand gets its workbook made again.
			if key, err = sourcesKey(key, d); err != nil {
				return 0, nil, fmt.Errorf("feedback: %w", err)
			}
		}
		if rec.allCurrent(key) {
			return 0, nil, nil
		}
	}
	subs, err := st.SentFiles(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("feedback: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, nil, fmt.Errorf("feedback: %w", err)
	}
	// Each submission has a stored file of its own and so a workbook of its
	// own. Should two records ever name the same stored file (one whose
	// file was deleted by hand, its name then reused), the later one owns
	// the workbook: the bytes there are its.
	paths := paths(d, subs)
	owner := map[string]int{}
	for i, s := range subs {
		owner[paths[s.StoredPath]] = i
	}
	// Gather each file's findings (the database, one at a time), then write
	// the workbooks on every core.
	type work struct {
		sub         store.Sent
		path        string
		findings    []Finding
		fingerprint string
		kept        string // the workbook's path when it need not be made again
		note        *store.Note
	}
	var todo []work
	var keep []string
	runs := map[int64]int64{}
	for _, s := range subs {
		runs[s.ID] = s.FindingsRun
	}
	all, err := st.FindingsOfFiles(ctx, runs)
	if err != nil {
		return 0, nil, fmt.Errorf("feedback: %w", err)
	}
	for i, s := range subs {
		path := paths[s.StoredPath]
		if owner[path] != i {
			log.Warn("feedback: stored file shared with a later submission, no workbook of its own", "submission", s.ID, "stored", s.StoredPath)
			continue
		}
		stored := all[s.ID]
		fs := make([]Finding, len(stored))
		for k, f := range stored {
			fs[k] = Finding{Rule: f.Rule, Severity: f.Severity, Sheet: f.Sheet, Cell: f.Cell, Message: f.Message[messageLang(lang)]}
		}
		w := work{sub: s, path: path, findings: fs}
		if rec != nil {
			src := filepath.Join(d.Root, filepath.FromSlash(s.StoredPath))
			if w.fingerprint, err = fingerprintOf(*version, lang, loc, s, fs, src); err != nil {
				return 0, nil, fmt.Errorf("feedback: %w", err)
			}
			w.kept, w.note = rec.current(path, w.fingerprint)
		}
		todo = append(todo, w)
	}
	// dest is the path each workbook went to: an .ods went to ODSPath.
	dest := make([]string, len(todo))
	failed := make([]*Failure, len(todo))
	changed := make([]bool, len(todo))
	err = parallel.Each(len(todo), func(k int) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		w := todo[k]
		if w.kept != "" {
			dest[k] = w.kept
			return nil
		}
		src := filepath.Join(d.Root, filepath.FromSlash(w.sub.StoredPath))
		opt := Options{Lang: lang, Timestamp: w.sub.ReceivedAt, File: w.sub.File, Received: w.sub.ReceivedAt, Location: loc, Accepted: w.sub.Accepted}
		if r := w.sub.ReplacedBy; r != nil {
			opt.Replaced = &Replacement{File: r.File, Received: r.ReceivedAt}
			// The replacement's arrival changes the workbook: it carries the
			// later of the two times.
			if r.ReceivedAt.After(opt.Timestamp) {
				opt.Timestamp = r.ReceivedAt
			}
		}
		data, ods, fail := workbookOf(src, w.findings, cat, opt, log)
		failed[k] = fail
		dest[k] = w.path
		if ods {
			dest[k] = ODSPath(w.path)
		}
		if fail != nil {
			log.Warn("feedback: findings not marked in the file", "submission", w.sub.ID, "file", w.sub.File,
				"reason", fail.Reason(cat, "en"))
		}
		if data == nil {
			return nil
		}
		var err error
		if changed[k], err = atomicfile.WriteIfChanged(dest[k], data); err != nil {
			return fmt.Errorf("feedback %s: %w", w.sub.File, err)
		}
		return nil
	})
	// What was found is recorded even when writing a workbook failed.
	notes := map[int64]store.Note{}
	for k, f := range failed {
		if f != nil {
			notes[todo[k].sub.ID] = store.Note{Key: FailedKey, DE: f.Finding(cat, "de").Message, EN: f.Finding(cat, "en").Message}
		} else if todo[k].kept != "" && todo[k].note != nil {
			notes[todo[k].sub.ID] = *todo[k].note
		}
	}
	if rec != nil {
		for k, w := range todo {
			if w.kept == "" && dest[k] != "" {
				var note *store.Note
				if n, ok := notes[w.sub.ID]; ok {
					note = &n
				}
				rec.rendered(dest[k], w.fingerprint, note)
			}
		}
	}
	if rerr := st.SetFileNotes(ctx, Rule, Warning, notes); err == nil && rerr != nil {
		err = fmt.Errorf("feedback: %w", rerr)
	}
	if err != nil {
		return 0, nil, err
	}
	for _, p := range dest {
		if p != "" {
			keep = append(keep, p)
		}
	}
	removed, err := RemoveUnowned(dir, keep)
	if err != nil {
		return 0, nil, err
	}
	if rec != nil {
		rec.done(key)
		if err := rec.save(ctx, st, removed); err != nil {
			return 0, nil, fmt.Errorf("feedback: %w", err)
		}
	}
	written := 0
	var made []string
	for k, c := range changed {
		if c {
			written++
		}
		if todo[k].kept == "" && dest[k] != "" {
			made = append(made, dest[k])
		}
	}
	return written, made, nil
}

func messageLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "de"
}

// workbookOf makes one file's feedback workbook. It never fails the run:
// when Write refuses its input or panics, the file gets the list of its
// findings alone, and the failure is the file's. data is nil only when not
// even that list could be written (it is logged).
//
// ods tells that data is an .ods (Result.ODS).
func workbookOf(src string, findings []Finding, cat *messages.Catalog, opt Options, log *slog.Logger) (data []byte, ods bool, fail *Failure) {
	var buf bytes.Buffer
	res, err := recovered(func() (Result, error) { return Write(&buf, src, findings, cat, opt) })
	if err == nil {
		return buf.Bytes(), res.ODS, res.Failure
	}
	fail = &Failure{Key: "feedback.reason.unreadable", Args: messages.Args{"detail": short(err.Error())}}
	buf.Reset()
	_, err = recovered(func() (Result, error) {
		return Result{}, WriteUnmarked(&buf, findings, cat, opt, fail)
	})
	if err != nil {
		log.Error("feedback: no workbook", "file", opt.File, "error", err)
		return nil, false, fail
	}
	return buf.Bytes(), false, fail
}

// recovered calls f, turning a panic into an error.
func recovered(f func() (Result, error)) (res Result, err error) {
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
