// Package ingest takes the files districts send into the database: it hashes
// each file, recognises one it has seen, reads it, stores it as one
// transaction and only then moves it to archive/ or rejected/. A crash at any
// point leaves every file either stored once or still in the inbox, and a
// rerun finishes the job.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"grantpipe/pipeline/atomicfile"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
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
	// not yet moved). Tests use it to kill the process there. It is also
	// called at "read" (a file read, not yet stored; from a reader
	// goroutine), where tests change the file under the reader's feet.
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
	// Skipped are the inbox entries left where they are (symbolic links,
	// folders, special files, files still being written or changed while
	// they were read, files that vanished or could not be read): each stays
	// for a later run or for someone to look at, and is named here.
	Skipped []SkippedFile `json:"skipped,omitempty"`
}

// SkippedFile is an inbox entry that was not taken.
type SkippedFile struct {
	Path   string `json:"path"`   // relative to the data directory, escaped as by datadir.Printable
	Reason string `json:"reason"` // datadir.Skip… or Changed, Vanished, Unreadable
}

// Reasons beyond datadir's for leaving a file where it is.
const (
	Changed    = "changed"    // the file changed while it was read: it is taken by a later run
	Vanished   = "vanished"   // the file was gone by the time it was read
	Unreadable = "unreadable" // the file could not be opened or read (permissions, I/O)
)

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
	// Income is the number of lines on the Einnahmen sheet; IncomeByType
	// sums those of a known type with a readable amount. Both are left out
	// of the JSON for a workbook without income.
	Income       int               `json:"income,omitempty"`
	IncomeByType map[string]string `json:"income_by_type,omitempty"`
	Findings     []Finding         `json:"findings"`
	SubmissionID int64             `json:"-"`
	StoredPath   string            `json:"-"`
	Source       string            `json:"-"` // the path the run was given (or found in the inbox)
}

// Finding is a finding as reported to the user.
type Finding struct {
	Rule     string           `json:"rule"`
	Severity finding.Severity `json:"severity"`
	Sheet    string           `json:"sheet"`
	Cell     string           `json:"cell"`
	Message  string           `json:"message"`
}

// Run ingests the given files, or every file waiting in the inbox when none
// are given. Findings about the files are in the result; an error means the
// run itself failed (database, disk), and what was committed before stays.
func (in *Ingester) Run(ctx context.Context, files []string) (_ *Result, err error) {
	if err := in.removeStaleTemporaries(); err != nil {
		return nil, err
	}
	res := &Result{Files: []FileResult{}}
	if len(files) == 0 {
		inbox, err := in.Dir.ScanInbox(in.now(), in.Settle)
		if err != nil {
			return nil, err
		}
		for _, f := range inbox.Files {
			files = append(files, f.Path)
		}
		for _, s := range inbox.Skipped {
			res.skip(in.Dir, s.Path, s.Reason)
		}
	}
	if len(files) == 0 {
		return res, nil
	}
	// One checkpoint for the batch, at its end, instead of one every 16 MB of
	// log: a crash still loses nothing committed (each commit syncs the log).
	endBatch, err := in.Store.IngestBatch(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		// The checkpoint runs even when the run stops early or its context
		// is cancelled: what was committed goes into the database file.
		if cerr := endBatch(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, fmt.Errorf("ingest: %w", cerr))
		}
	}()
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
		if r.skip != "" {
			in.log().Warn("file left in the inbox", "file", datadir.Printable(r.path), "reason", r.skip, "error", r.err)
			res.skip(in.Dir, r.path, r.skip)
			continue
		}
		fr, err := in.write(ctx, r)
		if err != nil {
			return res, err
		}
		if fr == nil {
			// Changed while it was read: the next run takes it whole.
			res.skip(in.Dir, r.path, Changed)
			continue
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

func (r *Result) skip(d datadir.Dir, path, reason string) {
	r.Skipped = append(r.Skipped, SkippedFile{Path: datadir.Printable(d.Rel(path)), Reason: reason})
}

// readFile is a file read and parsed, waiting to be stored.
type readFile struct {
	path, name, sum, inboxAGS string
	inInbox                   bool
	info                      os.FileInfo
	pickedUp                  time.Time // when it was read
	sub                       *submission.Submission
	skip                      string // why it stays where it is (Vanished, Unreadable, datadir.SkipSpecial …); "" to store it
	err                       error  // the error behind skip
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

// read hashes and parses one file; it touches no database. Whatever the
// file holds, it comes back as a submission (accepted or rejected) or as a
// reason to leave it where it is, never as an error that stops the run:
// even a panic in the reader rejects this one file.
func (in *Ingester) read(path string) (r readFile) {
	r = readFile{path: path, name: filepath.Base(path), pickedUp: in.now()}
	r.inboxAGS, r.inInbox = in.Dir.InboxDistrict(path)
	stat := os.Stat
	if r.inInbox {
		stat = os.Lstat // a link in the inbox is never followed
	}
	var err error
	if r.info, err = stat(path); err != nil {
		r.skip, r.err = Unreadable, err
		if errors.Is(err, fs.ErrNotExist) {
			r.skip = Vanished
		}
		return r
	}
	switch {
	case r.info.Mode()&fs.ModeSymlink != 0:
		r.skip = datadir.SkipSymlink
		return r
	case r.info.IsDir():
		r.skip = datadir.SkipFolder
		return r
	case !r.info.Mode().IsRegular():
		r.skip = datadir.SkipSpecial
		return r
	}
	if r.sum, err = hashFile(path); err != nil {
		r.skip, r.err = Unreadable, err
		return r
	}
	defer func() {
		if p := recover(); p != nil {
			in.log().Error("reader failed on a file; it is rejected as damaged", "file", datadir.Printable(path), "panic", fmt.Sprint(p))
			r.sub = damaged(r.name, fmt.Sprint(p))
		}
	}()
	r.sub, err = submission.Read(path, submission.Options{Programme: in.Programme, InboxDistrict: r.inboxAGS, Limits: in.Limits})
	in.hook("read", 0)
	if err != nil {
		r.skip, r.err = Unreadable, err
		if errors.Is(err, fs.ErrNotExist) {
			r.skip = Vanished
		}
	}
	return r
}

// damaged is the rejection of a file the reader could not get through.
func damaged(name, detail string) *submission.Submission {
	return &submission.Submission{File: name, Rejected: true, Findings: []submission.Finding{{
		Rule: submission.RuleFormat, Severity: submission.Error, Key: "file.corrupt",
		Args: messages.Args{"file": datadir.Printable(name), "detail": datadir.Printable(detail)}}}}
}

// write stores one read file, or recognises it as one seen before, and
// moves it where its outcome says. Only one write runs at a time.
//
// A file whose exact bytes were accepted before from the same sender is a
// duplicate of that submission; another district's bytes are judged anew. Bytes that were only ever rejected are judged again, on their
// own merits and where they arrived now (a file rejected for its folder and
// sent again to the right one is accepted), except when the rejected
// record is the trace of a run that crashed after its commit: then the file
// is put where that record says. It returns nil when the file changed while
// it was read: it stays in the inbox for the next run.
func (in *Ingester) write(ctx context.Context, r readFile) (*FileResult, error) {
	path, name, sum, inboxAGS, inInbox, info, sub := r.path, r.name, r.sum, r.inboxAGS, r.inInbox, r.info, r.sub
	shown := datadir.Printable(name)
	source := datadir.Printable(in.Dir.Rel(path))
	fr := &FileResult{File: shown, SHA256: sum, AmountByCategory: map[string]string{}, Findings: []Finding{}, Source: path}
	// Known bytes, from an earlier run or earlier in this one.
	prevs, err := in.known(ctx, sum)
	if err != nil {
		return nil, err
	}
	for _, prev := range prevs {
		if prev.Outcome == Accepted {
			if inboxAGS != "" && prev.Sender != inboxAGS {
				// Another district's accepted bytes: no duplicate of its
				// submission (that would file this copy in its archive and
				// show its record to this sender), but judged here.
				continue
			}
			return in.again(ctx, path, inInbox, fr, prev, Duplicate)
		}
		if prev.SourcePath == source && !in.exists(prev.StoredPath) {
			return in.again(ctx, path, inInbox, fr, prev, Rejected)
		}
	}
	if now, err := os.Lstat(path); err != nil || now.Size() != info.Size() || !now.ModTime().Equal(info.ModTime()) {
		return nil, nil
	}
	received := info.ModTime()
	if received.After(r.pickedUp) {
		// The sender sets a file's modification time, not the clock: a file
		// was received at the latest when it was picked up.
		received = r.pickedUp
	}
	meta := store.Meta{
		SHA256: sum, FileName: shown, SourcePath: source, InboxDistrict: inboxAGS,
		ReceivedAt: received.UTC().Truncate(time.Second), ReceivedLocal: store.WallClock(received.Truncate(time.Second), in.location()),
		ModifiedAt: info.ModTime().UTC().Truncate(time.Second),
		IngestedAt: in.now().UTC(), Size: info.Size(),
	}
	if sub.Rejected {
		// Filed under the folder it came from (the sender), not under the
		// district it claims; without a folder, under the district it names.
		folder := inboxAGS
		if folder == "" {
			folder = sub.District
		}
		if folder == "" {
			folder = "unbekannt"
		}
		meta.StoredPath = freeName(filepath.Join(in.Dir.Rejected(), datadir.StoredName("", folder, "")), name, sum)
	} else {
		meta.StoredPath = filepath.Join(in.Dir.Archive(), sub.District, fmt.Sprintf("%d-Q%d", sub.Year, sub.Quarter), archivedName(sum, name))
	}
	id, err := in.Store.Save(ctx, relMeta(in.Dir, meta), sub, in.Catalog, in.Hook)
	if err != nil {
		return nil, err
	}
	in.log().Info("ingested", "file", shown, "outcome", outcomeOf(sub), "district", sub.District, "year", sub.Year, "quarter", sub.Quarter,
		"lines", len(sub.Receipts), "findings", len(sub.Findings))
	prev := &previous{Known: store.Known{ID: id, Outcome: outcomeOf(sub), StoredPath: in.Dir.Rel(meta.StoredPath)}, SHA256: sum}
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
	store.Known
	SHA256 string
}

// known returns the records of files with these bytes, an accepted one first.
func (in *Ingester) known(ctx context.Context, sum string) ([]*previous, error) {
	ks, err := in.Store.KnownBytes(ctx, sum)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	out := make([]*previous, len(ks))
	for i, k := range ks {
		out[i] = &previous{Known: k, SHA256: sum}
	}
	return out, nil
}

// exists tells whether a stored path (relative to the data directory) is there.
func (in *Ingester) exists(stored string) bool {
	_, err := os.Lstat(filepath.Join(in.Dir.Root, filepath.FromSlash(stored)))
	return err == nil
}

// again handles a file whose exact bytes were stored before: nothing is
// stored twice, the file is put where the record says. As outcome
// Duplicate, it is a copy of an accepted submission (with no findings of
// its own); as the record's own outcome, it finishes a run that crashed
// after its commit (an accepted file not yet moved is both).
func (in *Ingester) again(ctx context.Context, path string, inInbox bool, fr *FileResult, prev *previous, outcome string) (*FileResult, error) {
	if err := in.place(ctx, path, inInbox, prev); err != nil {
		return nil, err
	}
	if err := in.describe(ctx, fr, prev.ID); err != nil {
		return nil, err
	}
	in.log().Info("ingested", "file", fr.File, "outcome", outcome, "submission", prev.ID)
	fr.Outcome, fr.SubmissionID, fr.StoredPath = outcome, prev.ID, prev.StoredPath
	if outcome == Duplicate {
		fr.Findings = []Finding{}
	}
	return fr, nil
}

// place moves a stored file where its record says: the archive, or the
// rejected folder beside its error note. A file from outside the inbox is
// copied, never moved: it is the user's.
func (in *Ingester) place(ctx context.Context, path string, inInbox bool, prev *previous) error {
	dest := filepath.Join(in.Dir.Root, filepath.FromSlash(prev.StoredPath))
	if name := archivedName(prev.SHA256, filepath.Base(path)); prev.Outcome == Accepted && filepath.Base(dest) != name {
		// The same bytes under another name: keep this name too, beside the
		// first, so every file a district sent can be found by its name.
		dest = filepath.Join(filepath.Dir(dest), name)
	}
	if prev.Outcome == Rejected {
		note, err := in.errorNote(ctx, prev.ID)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(dest+noteSuffix, []byte(note)); err != nil {
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
		return atomicfile.Copy(path, dest)
	}
	if _, err := os.Stat(dest); err == nil {
		// Already there (the same bytes, by hash): the inbox copy can go.
		return os.Remove(path)
	}
	return atomicfile.Move(path, dest)
}

func (in *Ingester) describe(ctx context.Context, fr *FileResult, id int64) error {
	sum, err := in.Store.SubmissionSummary(ctx, id)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	fr.District, fr.Year, fr.Quarter = sum.District, sum.Year, sum.Quarter
	fr.Lines, fr.Coordinators, fr.Activities = sum.Lines, sum.Coordinators, sum.Activities
	for cat, amount := range sum.AmountByCategory {
		fr.AmountByCategory[cat] = amount.String()
	}
	fr.Income = sum.Income
	for code, amount := range sum.IncomeByType {
		if fr.IncomeByType == nil {
			fr.IncomeByType = map[string]string{}
		}
		fr.IncomeByType[code] = amount.String()
	}
	findings, err := in.Store.FileFindings(ctx, id)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	for _, f := range findings {
		fr.Findings = append(fr.Findings, Finding{Rule: f.Rule, Severity: f.Severity, Sheet: f.Sheet, Cell: f.Cell, Message: f.Message[in.lang()]})
	}
	return nil
}

func (in *Ingester) lang() string {
	if in.Lang == "en" {
		return "en"
	}
	return "de"
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
	fr.Income = len(sub.Income)
	income := map[string]money.Cents{}
	for _, in := range sub.Income {
		if in.Type != "" && in.Amount != nil {
			income[in.Type] += *in.Amount
		}
	}
	for code, v := range income {
		if fr.IncomeByType == nil {
			fr.IncomeByType = map[string]string{}
		}
		fr.IncomeByType[code] = v.String()
	}
	for _, f := range sub.Findings {
		fr.Findings = append(fr.Findings, Finding{Rule: f.Rule, Severity: f.Severity, Sheet: f.Sheet, Cell: f.Cell, Message: in.Catalog.Text(in.Lang, f.Key, f.Args)})
	}
}

// errorNote is the text beside a rejected file: in plain German, what to fix.
func (in *Ingester) errorNote(ctx context.Context, id int64) (string, error) {
	file, received, err := in.Store.SubmissionFile(ctx, id)
	if err != nil {
		return "", fmt.Errorf("ingest: %w", err)
	}
	findings, err := in.Store.FileFindings(ctx, id)
	if err != nil {
		return "", fmt.Errorf("ingest: %w", err)
	}
	c := in.Catalog
	var b strings.Builder
	b.WriteString(c.Text("de", "note.title", messages.Args{"file": file}) + "\n")
	b.WriteString(c.Text("de", "note.received", messages.Args{"time": received.In(in.location()).Format("02.01.2006 15:04")}) + "\n\n")
	b.WriteString(c.Text("de", "note.intro", nil) + "\n\n")
	n := 0
	for _, f := range findings {
		if f.Severity != submission.Error {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. %s%s\n", n, place(c, f), f.Message["de"])
	}
	var rest []store.FileFinding
	for _, f := range findings {
		if f.Severity != submission.Error {
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 {
		b.WriteString("\n" + c.Text("de", "note.also", nil) + "\n")
		for _, f := range rest {
			fmt.Fprintf(&b, "- %s%s\n", place(c, f), f.Message["de"])
		}
	}
	b.WriteString("\n" + c.Text("de", "note.footer", nil) + "\n")
	return b.String(), nil
}

func place(c *messages.Catalog, f store.FileFinding) string {
	switch {
	case f.Cell != "":
		return c.Text("de", "note.at_cell", messages.Args{"sheet": f.Sheet, "cell": f.Cell}) + " "
	case f.Sheet != "":
		return c.Text("de", "note.at_sheet", messages.Args{"sheet": f.Sheet}) + " "
	}
	return ""
}

// now is the ingester's clock (Now, else the system's).
func (in *Ingester) now() time.Time {
	if in.Now == nil {
		return time.Now()
	}
	return in.Now()
}

// log is the ingester's logger (Log, else one that discards).
func (in *Ingester) log() *slog.Logger {
	if in.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return in.Log
}

// location is the programme's time zone: received times are stored and
// shown as its clocks show them.
func (in *Ingester) location() *time.Location {
	loc, err := in.Programme.Schedule.Location()
	if err != nil {
		return time.UTC // the configuration was checked when it was loaded
	}
	return loc
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

// archivedName is the name of an accepted file in the archive: part of its
// hash and its own name, made safe and short enough for the file system.
func archivedName(sum, name string) string { return datadir.StoredName(sum[:12]+"_", name, "") }

// noteSuffix is added to a rejected file's name for its error note.
const noteSuffix = ".errors.txt"

// freeName finds a path for a rejected file in dir: its own name (made safe
// and short enough to carry its note's suffix), or, when another file or
// note already has it, that name with part of its hash and, if need be, a
// number. Nothing in rejected/ is ever overwritten.
func freeName(dir, name, sum string) string {
	base := strings.TrimSuffix(datadir.StoredName("", name, noteSuffix), noteSuffix)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 0; ; i++ {
		cand := base
		switch {
		case i == 1:
			cand = strings.TrimSuffix(datadir.StoredName("", stem+"_"+sum[:8]+ext, noteSuffix), noteSuffix)
		case i > 1:
			cand = strings.TrimSuffix(datadir.StoredName("", fmt.Sprintf("%s_%s-%d%s", stem, sum[:8], i, ext), noteSuffix), noteSuffix)
		}
		p := filepath.Join(dir, cand)
		_, err1 := os.Lstat(p)
		_, err2 := os.Lstat(p + noteSuffix)
		if os.IsNotExist(err1) && os.IsNotExist(err2) {
			return p
		}
	}
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
			if !e.IsDir() && atomicfile.IsTemporary(name) {
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
