// Package ingest takes the files districts send into the database: it hashes
// each file, recognises one it has seen, reads it, stores it as one
// transaction and only then moves it to archive/ or rejected/. A crash at any
// point leaves every file either stored once or still in the inbox, and a
// rerun finishes the job.
package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"grantpipe/pipeline/money"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/submission"
	"grantpipe/pipeline/xlsx"
)

// Outcomes of one file.
const (
	Accepted  = "accepted"
	Rejected  = "rejected"
	Duplicate = "duplicate"
)

// Ingester ingests files into one data directory.
type Ingester struct {
	Dir       datadir.Dir
	Store     *store.Store
	Programme *programme.Programme
	Catalog   *messages.Catalog
	Log       *slog.Logger
	Now       func() time.Time // the clock, for ingested_at
	Limits    xlsx.Limits
	// Settle leaves inbox files younger than this for the next run.
	Settle time.Duration
	// Hook, when set, is called at the points where a crash is most likely
	// to do harm: "row", "commit" (see store.Hook), "move" (committed, the
	// file not yet moved) and "errors" (error note written, the rejected file
	// not yet moved). Tests use it to kill the process there.
	Hook store.Hook
	// Lang is the language of the messages in the result ("de" or "en").
	Lang string
	// Workers read files in parallel; 0 means one per core. Storing stays
	// sequential (one writer).
	Workers int
	// Progress, when set, is told after each file how far the run is.
	Progress func(done, total, lines int, file string)
}

// Result is what one ingest run did.
type Result struct {
	Accepted  int          `json:"accepted"`
	Rejected  int          `json:"rejected"`
	Duplicate int          `json:"duplicate"`
	Files     []FileResult `json:"files"`
}

// FileResult is what happened to one file.
type FileResult struct {
	File             string            `json:"file"`
	SHA256           string            `json:"sha256"`
	Outcome          string            `json:"outcome"`
	District         string            `json:"district"`
	Year             int               `json:"year"`
	Quarter          int               `json:"quarter"`
	Lines            int               `json:"lines"`
	Coordinators     int               `json:"coordinators"`
	Activities       int               `json:"activities"`
	AmountByCategory map[string]string `json:"amount_by_category"`
	Findings         []Finding         `json:"findings"`
	SubmissionID     int64             `json:"-"`
	StoredPath       string            `json:"-"`
}

// Finding is a finding as reported to the user.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Sheet    string `json:"sheet"`
	Cell     string `json:"cell"`
	Message  string `json:"message"`
}

// Run ingests the given files, or every file waiting in the inbox when none
// are given. Findings about the files are in the result; an error means the
// run itself failed (database, disk), and what was committed before stays.
func (in *Ingester) Run(ctx context.Context, files []string) (*Result, error) {
	if in.Now == nil {
		in.Now = time.Now
	}
	if in.Log == nil {
		in.Log = slog.New(slog.DiscardHandler)
	}
	if err := in.removeStaleTemporaries(); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		waiting, err := in.Dir.InboxFiles(in.Now(), in.Settle)
		if err != nil {
			return nil, err
		}
		for _, f := range waiting {
			files = append(files, f.Path)
		}
	}
	res := &Result{Files: []FileResult{}}
	lines := 0
	ctx, stop := context.WithCancel(ctx)
	defer stop() // ends the readers when the writer stops early
	reads, window := in.readAhead(ctx, files)
	for i := range files {
		r, ok := <-reads[i]
		if !ok {
			return res, ctx.Err()
		}
		<-window
		if err := ctx.Err(); err != nil {
			return res, err
		}
		fr, err := in.write(ctx, r)
		if err != nil {
			return res, err
		}
		switch fr.Outcome {
		case Accepted:
			res.Accepted++
		case Rejected:
			res.Rejected++
		case Duplicate:
			res.Duplicate++
		}
		res.Files = append(res.Files, *fr)
		lines += fr.Lines
		if in.Progress != nil {
			in.Progress(i+1, len(files), lines, fr.File)
		}
	}
	return res, nil
}

// readFile is a file read and parsed, waiting to be stored.
type readFile struct {
	path, name, sum, inboxAGS string
	inInbox                   bool
	info                      os.FileInfo
	sub                       *submission.Submission
	err                       error
}

// readAhead reads the files on every core (reading and parsing is most of
// the work), a bounded number ahead of the single writer, and hands them
// over in their order: the result of files[i] arrives on the i-th channel.
// The writer frees a place in the returned window as it takes each file.
func (in *Ingester) readAhead(ctx context.Context, files []string) ([]chan readFile, chan struct{}) {
	workers := in.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]chan readFile, len(files))
	for i := range out {
		out[i] = make(chan readFile, 1)
	}
	// At most 2×workers files are held in memory at once.
	window := make(chan struct{}, 2*workers)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range files {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				// The writer has stopped: nobody reads the rest.
				for j := i; j < len(files); j++ {
					close(out[j])
				}
				return
			}
			next <- i
		}
	}()
	for range workers {
		go func() {
			for i := range next {
				out[i] <- in.read(files[i])
				close(out[i])
			}
		}()
	}
	return out, window
}

// read hashes and parses one file; it touches no database.
func (in *Ingester) read(path string) readFile {
	r := readFile{path: path, name: filepath.Base(path)}
	var err error
	if r.info, err = os.Stat(path); err != nil {
		r.err = fmt.Errorf("ingest %s: %w", path, err)
		return r
	}
	if !r.info.Mode().IsRegular() {
		r.err = fmt.Errorf("ingest %s: not a regular file", path)
		return r
	}
	if r.sum, err = hashFile(path); err != nil {
		r.err = fmt.Errorf("ingest %s: %w", path, err)
		return r
	}
	r.inboxAGS, r.inInbox = in.Dir.InboxDistrict(path)
	if r.sub, err = submission.Read(path, submission.Options{Programme: in.Programme, InboxDistrict: r.inboxAGS, Limits: in.Limits}); err != nil {
		r.err = fmt.Errorf("ingest %s: %w", path, err)
	}
	return r
}

// write stores one read file, or recognises it as one seen before, and
// moves it where its outcome says. Only one write runs at a time.
func (in *Ingester) write(ctx context.Context, r readFile) (*FileResult, error) {
	if r.err != nil {
		return nil, r.err
	}
	path, name, sum, inboxAGS, inInbox, info, sub := r.path, r.name, r.sum, r.inboxAGS, r.inInbox, r.info, r.sub
	fr := &FileResult{File: name, SHA256: sum, AmountByCategory: map[string]string{}, Findings: []Finding{}}
	// Known bytes, from an earlier run or earlier in this one.
	prev, err := in.known(ctx, sum)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		return in.again(ctx, path, inInbox, fr, prev)
	}
	meta := store.Meta{
		SHA256: sum, FileName: name, SourcePath: in.Dir.Rel(path), InboxDistrict: inboxAGS,
		ReceivedAt: info.ModTime().UTC().Truncate(time.Second), IngestedAt: in.Now().UTC(), Size: info.Size(),
	}
	if sub.Rejected {
		folder := sub.District
		if folder == "" {
			folder = inboxAGS
		}
		if folder == "" {
			folder = "unbekannt"
		}
		meta.StoredPath, err = freeName(in.Dir.Rejected(), folder, name, sum)
	} else {
		meta.StoredPath = filepath.Join(in.Dir.Archive(), sub.District, fmt.Sprintf("%d-Q%d", sub.Year, sub.Quarter), sum[:12]+"_"+name)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", path, err)
	}
	id, err := in.Store.Save(ctx, relMeta(in.Dir, meta), sub, in.Catalog, in.Hook)
	if err != nil {
		return nil, err
	}
	in.Log.Info("ingested", "file", name, "outcome", outcomeOf(sub), "district", sub.District, "year", sub.Year, "quarter", sub.Quarter,
		"lines", len(sub.Receipts), "findings", len(sub.Findings))
	prev = &previous{ID: id, SHA256: sum, Outcome: outcomeOf(sub), StoredPath: in.Dir.Rel(meta.StoredPath)}
	if err := in.place(ctx, path, inInbox, prev); err != nil {
		return nil, err
	}
	in.summarise(fr, sub)
	fr.Outcome, fr.SubmissionID, fr.StoredPath = prev.Outcome, id, prev.StoredPath
	return fr, nil
}

func outcomeOf(sub *submission.Submission) string {
	if sub.Rejected {
		return Rejected
	}
	return Accepted
}

func relMeta(d datadir.Dir, m store.Meta) store.Meta {
	m.StoredPath = d.Rel(m.StoredPath)
	return m
}

// previous is the record of a file already ingested.
type previous struct {
	ID         int64
	SHA256     string
	Outcome    string
	StoredPath string // relative to the data directory
}

func (in *Ingester) known(ctx context.Context, sum string) (*previous, error) {
	q, err := in.Store.Query("ingest/find_by_sha256.sql")
	if err != nil {
		return nil, err
	}
	p := previous{SHA256: sum}
	var district string
	var year, quarter int
	err = in.Store.DB.QueryRowContext(ctx, q, sum).Scan(&p.ID, &p.Outcome, &p.StoredPath, &district, &year, &quarter)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return &p, nil
}

// again handles a file whose exact bytes were ingested before: nothing is
// stored twice. It is also how a rerun finishes a run that crashed after its
// commit: the file is put where its record says it belongs.
func (in *Ingester) again(ctx context.Context, path string, inInbox bool, fr *FileResult, prev *previous) (*FileResult, error) {
	if err := in.place(ctx, path, inInbox, prev); err != nil {
		return nil, err
	}
	if err := in.describe(ctx, fr, prev.ID); err != nil {
		return nil, err
	}
	in.Log.Info("ingested", "file", fr.File, "outcome", Duplicate, "of_submission", prev.ID)
	fr.Outcome, fr.SubmissionID, fr.StoredPath = Duplicate, prev.ID, prev.StoredPath
	fr.Findings = []Finding{}
	return fr, nil
}

// place moves a stored file where its record says: the archive, or the
// rejected folder beside its error note. A file from outside the inbox is
// copied, never moved: it is the user's.
func (in *Ingester) place(ctx context.Context, path string, inInbox bool, prev *previous) error {
	dest := filepath.Join(in.Dir.Root, filepath.FromSlash(prev.StoredPath))
	if name := filepath.Base(path); prev.Outcome == Accepted && !strings.HasSuffix(dest, "_"+name) {
		// The same bytes under another name: keep this name too, beside the
		// first, so every file a district sent can be found by its name.
		dest = filepath.Join(filepath.Dir(dest), prev.SHA256[:12]+"_"+name)
	}
	if prev.Outcome == Rejected {
		note, err := in.errorNote(ctx, prev.ID)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(dest+".errors.txt", []byte(note)); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		in.hook("errors", 0)
	} else {
		in.hook("move", 0)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if !inInbox {
		if _, err := os.Stat(dest); err == nil {
			return nil
		}
		return copyFileAtomic(path, dest)
	}
	if _, err := os.Stat(dest); err == nil {
		// Already there (the same bytes, by hash): the inbox copy can go.
		return os.Remove(path)
	}
	return moveFile(path, dest)
}

func (in *Ingester) describe(ctx context.Context, fr *FileResult, id int64) error {
	db := in.Store.DB
	q := func(name string) string {
		s, _ := in.Store.Query(name)
		return s
	}
	var district sql.NullString
	var year, quarter sql.NullInt64
	if err := db.QueryRowContext(ctx, q("ingest/submission_period.sql"), id).Scan(&district, &year, &quarter); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	fr.District, fr.Year, fr.Quarter = district.String, int(year.Int64), int(quarter.Int64)
	if err := db.QueryRowContext(ctx, q("ingest/summary.sql"), id).Scan(&fr.Lines, &fr.Coordinators, &fr.Activities); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	rows, err := db.QueryContext(ctx, q("ingest/amount_by_category.sql"), id)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	for rows.Next() {
		var cat, amount string
		if err := rows.Scan(&cat, &amount); err != nil {
			rows.Close()
			return fmt.Errorf("ingest: %w", err)
		}
		fr.AmountByCategory[cat] = amount
	}
	rows.Close()
	findings, err := in.findings(ctx, id)
	if err != nil {
		return err
	}
	for _, f := range findings {
		msg := f.de
		if in.Lang == "en" {
			msg = f.en
		}
		fr.Findings = append(fr.Findings, Finding{Rule: f.rule, Severity: f.severity, Sheet: f.sheet, Cell: f.cell, Message: msg})
	}
	return nil
}

// summarise fills the result of a file just stored from what was stored
// (the same figures describe reads back for a file seen before, without the
// four queries).
func (in *Ingester) summarise(fr *FileResult, sub *submission.Submission) {
	fr.District, fr.Year, fr.Quarter = sub.District, sub.Year, sub.Quarter
	fr.Lines, fr.Coordinators, fr.Activities = len(sub.Receipts), len(sub.Coordinators), len(sub.Activities)
	sums := map[string]money.Cents{}
	for _, r := range sub.Receipts {
		if r.CategoryCod != "" && r.Cents != nil {
			sums[r.CategoryCod] += *r.Cents
		}
	}
	for c, v := range sums {
		fr.AmountByCategory[c] = v.String()
	}
	for _, f := range sub.Findings {
		fr.Findings = append(fr.Findings, Finding{Rule: f.Rule, Severity: f.Severity, Sheet: f.Sheet, Cell: f.Cell, Message: in.Catalog.Text(in.Lang, f.Key, f.Args)})
	}
}

type storedFinding struct{ rule, severity, sheet, cell, de, en string }

func (in *Ingester) findings(ctx context.Context, id int64) ([]storedFinding, error) {
	q, err := in.Store.Query("ingest/findings_of.sql")
	if err != nil {
		return nil, err
	}
	rows, err := in.Store.DB.QueryContext(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer rows.Close()
	var out []storedFinding
	for rows.Next() {
		var f storedFinding
		if err := rows.Scan(&f.rule, &f.severity, &f.sheet, &f.cell, &f.de, &f.en); err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// errorNote is the text beside a rejected file: in plain German, what to fix.
func (in *Ingester) errorNote(ctx context.Context, id int64) (string, error) {
	var file string
	var received time.Time
	q, _ := in.Store.Query("ingest/submission_file.sql")
	if err := in.Store.DB.QueryRowContext(ctx, q, id).Scan(&file, &received); err != nil {
		return "", fmt.Errorf("ingest: %w", err)
	}
	findings, err := in.findings(ctx, id)
	if err != nil {
		return "", err
	}
	c := in.Catalog
	var b strings.Builder
	b.WriteString(c.Text("de", "note.title", messages.Args{"file": file}) + "\n")
	b.WriteString(c.Text("de", "note.received", messages.Args{"time": berlin(received)}) + "\n\n")
	b.WriteString(c.Text("de", "note.intro", nil) + "\n\n")
	n := 0
	for _, f := range findings {
		if f.severity != submission.Error {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. %s%s\n", n, place(c, f), f.de)
	}
	var rest []storedFinding
	for _, f := range findings {
		if f.severity != submission.Error {
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 {
		b.WriteString("\n" + c.Text("de", "note.also", nil) + "\n")
		for _, f := range rest {
			fmt.Fprintf(&b, "- %s%s\n", place(c, f), f.de)
		}
	}
	b.WriteString("\n" + c.Text("de", "note.footer", nil) + "\n")
	return b.String(), nil
}

func place(c *messages.Catalog, f storedFinding) string {
	switch {
	case f.cell != "":
		return c.Text("de", "note.at_cell", messages.Args{"sheet": f.sheet, "cell": f.cell}) + " "
	case f.sheet != "":
		return c.Text("de", "note.at_sheet", messages.Args{"sheet": f.sheet}) + " "
	}
	return ""
}

func berlin(t time.Time) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006 15:04")
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// freeName finds a name for a rejected file in dir/folder: its own name, or,
// when another file already has it, the name with part of its hash.
func freeName(dir, folder, name, sum string) (string, error) {
	p := filepath.Join(dir, folder, name)
	if _, err := os.Stat(p); os.IsNotExist(err) {
		return p, nil
	}
	ext := filepath.Ext(name)
	return filepath.Join(dir, folder, strings.TrimSuffix(name, ext)+"_"+sum[:8]+ext), nil
}

// removeStaleTemporaries deletes the temporary files a run killed while
// copying or writing a note left in archive/ and rejected/. Only this
// process writes the data directory (it holds its lock), so none of them is
// in use.
func (in *Ingester) removeStaleTemporaries() error {
	for _, dir := range []string{in.Dir.Archive(), in.Dir.Rejected()} {
		err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			name := e.Name()
			if !e.IsDir() && strings.HasSuffix(name, ".tmp") && (strings.HasPrefix(name, ".copy-") || strings.HasPrefix(name, ".write-")) {
				return os.Remove(p)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	return nil
}

func (in *Ingester) hook(point string, n int) {
	if in.Hook != nil {
		in.Hook(point, n)
	}
}
