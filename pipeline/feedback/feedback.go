// Package feedback writes the workbook a district gets back for every file it
// sent: a copy of its own workbook in which each cell with a finding of the
// district's is highlighted (red for errors, amber for warnings, light blue
// for notes) and carries a comment with the messages, and a first sheet that
// lists those findings, each with a title a clerk understands and a link to
// its cell, and apart from them, for information, what the ministry's check
// of the programme's money found (Audience). The district corrects that file
// in place and sends it again; when it comes back, the feedback of the
// earlier round (result sheet, comments, highlighting) is removed before the
// new one is added, so it never piles up, whether Excel or LibreOffice saved
// it. grantpipe's result sheet carries a hidden sheet-local name
// (markerName) by which it is known when it comes back, so that a district's
// own sheet of the same name is never taken for it; its comments start with
// the line "grantpipe:" (see Author). A file that a later one replaced keeps
// the findings of the last check in which it counted and says so.
//
// The district's workbook is opened with the reader's limits, and excelize
// is given only the parts that change, within limits of its own; every
// other part is copied into the output unread (see plan.go). So nothing
// that the reader ignores can make this step slow or large.
//
// A file that is not a readable workbook (a CSV, an .xls, a damaged or
// password-protected file) gets a workbook with the result sheet only, which
// says why the file could not be opened. So does a workbook whose findings
// cannot be marked in it (beyond the limits, or damaged where only excelize
// looks); that is a finding of its own (Result.Failure), never an error.
//
// An OpenDocument spreadsheet (.ods) gets its own file back as an .ods
// (Result.ODS, see ods.go): each finding's cell carries an annotation whose
// first line is "grantpipe:" and a cell style of grantpipe's with the same
// fill, and the result sheet is a plain table in front. An .ods whose
// findings cannot be marked in it gets the result sheet alone, as an
// .xlsx, and a Failure.
//
// Path says where a submission's feedback workbook lives (ODSPath for an
// .ods).
package feedback

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/fastzip"
	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/workbook"
	"grantpipe/pipeline/xlsx"
)

// Author is the author of every comment the feedback adds, and the first
// line of its text is Author followed by a colon. The author keeps the
// output reproducible; the first line is what tells grantpipe's comments
// from the district's own when a file comes back, because it survives both
// Excel and LibreOffice, which saves every comment's author as a blank (see
// isOwnComment).
const Author = "grantpipe"

// Finding is one finding about the file, placed as precisely as it is known.
type Finding struct {
	Rule     string
	Severity finding.Severity // Error, Warning or Info
	// Sheet is the sheet name as in the workbook and Cell an A1 reference
	// ("$" signs and lower case are accepted). Either may be empty: a finding
	// about a whole sheet or the whole file.
	Sheet, Cell string
	// Message is already in the output language.
	Message string
	// Audience is who is to act on the finding; empty means the audience
	// of its rule (AudienceOf).
	Audience Audience
}

// Options describe the feedback workbook beyond the findings.
type Options struct {
	// Lang is "de" (the default when empty) or "en".
	Lang string
	// Timestamp is the data's timestamp; it becomes the workbook's modified
	// (and, for a workbook made from scratch, created) date, so that the same
	// inputs give the same bytes. When zero, the dates are left as they are.
	Timestamp time.Time
	// File is the original file name shown in the title; when empty, the
	// base name of src.
	File string
	// Location is the programme's time zone, in which Received is shown;
	// nil means UTC.
	Location *time.Location
	// Received is when the file was received; shown as the wall clock of
	// Location. When zero, the line is left out.
	Received time.Time
	// Accepted tells whether the submission was accepted or rejected. An
	// accepted file was readable when it was stored, so a stored copy that
	// the reader refuses now is a Failure, not the district's doing.
	Accepted bool
	// Replaced is set when a later file replaced this one; the findings
	// are then those of the last check in which this file counted.
	Replaced *Replacement
}

// Replacement is the file that replaced a submission.
type Replacement struct {
	// File is the name it arrived under.
	File string
	// Received is when it was received; shown as the wall clock of
	// Options.Location.
	Received time.Time
}

// Rule is the rule id of the finding that says a file's findings could not
// be marked in the file itself (see Failure).
const Rule = "FEEDBACK"

// Result says what Write made.
type Result struct {
	// Marked is true when the output is the district's own workbook with
	// the findings marked; false when it holds the result sheet only.
	Marked bool
	// Failure is set when the findings could not be marked in a file that
	// should have allowed it: one that our reader accepted (or that should
	// be there to read), but that is beyond the limits of this step or that
	// excelize could not process. The output then lists the findings and,
	// last, this failure as a finding of rule Rule; the caller records that
	// finding with the file's other findings. A file that is no workbook at
	// all (a CSV, an .xls) has no Failure: its reading findings say so.
	Failure *Failure
	// ODS is true when the output is an OpenDocument spreadsheet (the
	// district's .ods, marked), to be named with ODSSuffix; otherwise it is
	// an .xlsx workbook.
	ODS bool
}

// Failure is why the findings could not be marked in the file: a message
// of the catalogue (one of the feedback.reason.* keys) and its arguments.
type Failure struct {
	Key  string
	Args messages.Args
}

// Reason is the failure's reason in lang, a clause such as "it is damaged
// (…)".
func (f *Failure) Reason(cat *messages.Catalog, lang string) string {
	return cat.Text(lang, f.Key, f.Args)
}

// Finding is the failure as a finding about the whole file in lang: rule
// Rule, a warning, with the message of key FailedKey.
func (f *Failure) Finding(cat *messages.Catalog, lang string) Finding {
	return Finding{Rule: Rule, Severity: Warning,
		Message: cat.Text(lang, FailedKey, messages.Args{"reason": f.Reason(cat, lang)})}
}

// FailedKey is the message key of the finding a Failure becomes.
const FailedKey = "feedback.failed"

// Write writes the feedback workbook for the original file at src to w. src
// may be a valid .xlsx, .xlsm or .ods, or not a workbook at all (csv, .xls,
// damaged): then the output has only the result sheet. Findings about the
// file are data, not errors, and so is a file whose findings cannot be
// marked in it (see Result.Failure). Write returns an error only for a bad
// argument or a failure to write to w.
//
// The original is opened with the reader's limits (xlsx.DefaultLimits), and
// excelize is given only the parts that change, within limits of its own
// (see plan.go); every other part is copied into the output unread.
func Write(w io.Writer, src string, findings []Finding, cat *messages.Catalog, opt Options) (Result, error) {
	b, err := newBook(findings, cat, opt)
	if err != nil {
		return Result{}, err
	}
	if b.opt.File == "" {
		b.opt.File = filepath.Base(src)
	}
	wb, err := xlsx.Open(src, xlsx.Limits{})
	var fe *xlsx.FormatError
	switch {
	case errors.As(err, &fe) && opt.Accepted:
		// An accepted file was readable when it was stored: the copy has
		// been damaged since, which is not the district's doing.
		f := &Failure{Key: "feedback.reason.missing", Args: messages.Args{"detail": fe.Detail}}
		return Result{Failure: f}, b.failed(w, f)
	case errors.As(err, &fe):
		return Result{}, b.unmarked(w, b.text("feedback.not_opened", messages.Args{"reason": b.reason(fe)}))
	case err != nil:
		// Not the file's content: our stored copy is gone or unreadable.
		f := &Failure{Key: "feedback.reason.missing", Args: messages.Args{"detail": detail(err)}}
		return Result{Failure: f}, b.failed(w, f)
	}
	defer wb.Close()
	if wb.Format() == xlsx.FormatODS {
		data, f := b.odsAnnotated(wb)
		if f == nil {
			if _, err := w.Write(data); err != nil {
				return Result{}, fmt.Errorf("feedback: %w", err)
			}
			return Result{Marked: true, ODS: true}, nil
		}
		return Result{Failure: f}, b.failed(w, f)
	}
	p, f := makePlan(wb, findings, cat)
	if f == nil {
		var data []byte
		if data, f = b.annotated(p); f == nil {
			if _, err := w.Write(data); err != nil {
				return Result{}, fmt.Errorf("feedback: %w", err)
			}
			return Result{Marked: true}, nil
		}
	}
	return Result{Failure: f}, b.failed(w, f)
}

// WriteUnmarked writes the feedback workbook that lists the findings
// without the district's workbook, because of why: what Write writes when
// it returns a Failure. It is for a caller whose own attempt failed in a way
// Write could not report (a panic it recovered).
func WriteUnmarked(w io.Writer, findings []Finding, cat *messages.Catalog, opt Options, why *Failure) error {
	b, err := newBook(findings, cat, opt)
	if err != nil {
		return err
	}
	return b.failed(w, why)
}

func newBook(findings []Finding, cat *messages.Catalog, opt Options) (*book, error) {
	if cat == nil {
		return nil, errors.New("feedback: no message catalogue")
	}
	if opt.Lang == "" {
		opt.Lang = messages.Langs[0]
	}
	if !knownLang(opt.Lang) {
		return nil, fmt.Errorf("feedback: unknown language %q", opt.Lang)
	}
	for i, fd := range findings {
		if severityRank(fd.Severity) == 0 {
			return nil, fmt.Errorf("feedback: finding %d (%s): unknown severity %q", i+1, fd.Rule, fd.Severity)
		}
		if a := audience(fd); a != District && a != Ministry {
			return nil, fmt.Errorf("feedback: finding %d (%s): unknown audience %q", i+1, fd.Rule, a)
		}
	}
	return &book{cat: cat, lang: opt.Lang, opt: opt, findings: findings}, nil
}

// failed writes the result sheet only, with the findings and f.
func (b *book) failed(w io.Writer, f *Failure) error {
	b.findings = append(append([]Finding(nil), b.findings...), f.Finding(b.cat, b.lang))
	return b.unmarked(w, b.text("feedback.not_marked", messages.Args{"reason": f.Reason(b.cat, b.lang)}))
}

// unmarked writes a workbook made from scratch with the result sheet only,
// which says note about the file.
func (b *book) unmarked(w io.Writer, note string) error {
	b.close()
	b.f = nil
	b.targets = make([]string, len(b.findings))
	if err := b.fresh(); err != nil {
		b.close()
		return err
	}
	defer b.close()
	if err := b.resultSheet(note); err != nil {
		return err
	}
	if err := b.docProps(); err != nil {
		return fmt.Errorf("feedback: document properties: %w", err)
	}
	// Write to memory first so that w gets a whole workbook or nothing of
	// it.
	var buf bytes.Buffer
	if _, err := b.f.WriteTo(&buf); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	return nil
}

// annotated makes the district's workbook with the findings marked, following
// p, and returns its bytes; any failure on the way is the file's, and the
// caller falls back to the result sheet alone.
//
// The workbook comes from outside, and excelize has panics on structures it
// does not expect (MoveSheet's on a sheet without views is one, avoided
// below); a panic here is turned into a failure so that one odd file costs
// the district its highlighting, not the whole run.
func (b *book) annotated(p *plan) (data []byte, fail *Failure) {
	defer b.close()
	defer func() {
		if r := recover(); r != nil {
			data, fail = nil, unreadable(fmt.Errorf("excelize: %v", r))
		}
	}()
	reduced, fail := p.reduced()
	if fail != nil {
		return nil, fail
	}
	b.targets = make([]string, len(b.findings))
	if err := b.annotate(reduced, p); err != nil {
		return nil, unreadable(err)
	}
	note := b.text("feedback.how_to", nil)
	if b.opt.Replaced != nil {
		note = b.text("feedback.how_to_replaced", nil)
	}
	if err := b.resultSheet(note); err != nil {
		return nil, unreadable(err)
	}
	if err := b.docProps(); err != nil {
		return nil, unreadable(err)
	}
	if p.sst != nil {
		p.sst.sheet = workbook.SheetPart(b.f, b.sheet)
	}
	// WriteTo, not WriteToBuffer: only WriteTo applies f.Path's type.
	var out bytes.Buffer
	if _, err := b.f.WriteTo(&out); err != nil {
		return nil, unreadable(err)
	}
	var buf bytes.Buffer
	if err := p.merge(&buf, out.Bytes()); errors.Is(err, errSplice) && !p.whole {
		// Made again with every sheet whole, which needs no splicing.
		b.close()
		b.marked, b.oldResults = nil, nil
		p.whole = true
		return b.annotated(p)
	} else if err != nil {
		return nil, unreadable(err)
	}
	return buf.Bytes(), nil
}

func knownLang(lang string) bool {
	for _, l := range messages.Langs {
		if l == lang {
			return true
		}
	}
	return false
}

// book is one feedback workbook being made.
type book struct {
	cat      *messages.Catalog
	lang     string
	opt      Options
	findings []Finding
	// targets holds, per finding, the internal hyperlink target of its place
	// ("'Sheet'!C5"), or "" when the place is not in the workbook.
	targets []string

	f           *excelize.File
	sheet       string        // the result sheet's name
	fromScratch bool          // f was made by excelize.NewFile
	styles      map[xfKey]int // derived cell styles, see highlight.go
	fills       map[finding.Severity]int
	// marked are the worksheets excelize parsed that can be marked;
	// linkOnly the worksheets left unread, which findings link to.
	marked, linkOnly []string
	// oldResults are the result sheets of an earlier round, renamed out of
	// the way; they are deleted once the new result sheet exists.
	oldResults []string
}

func (b *book) text(key string, args messages.Args) string {
	return b.cat.Text(b.lang, key, args)
}

func (b *book) close() {
	if b.f != nil {
		// Close also removes any temporary file excelize made.
		_ = b.f.Close()
		b.f = nil
	}
}

func (b *book) reason(fe *xlsx.FormatError) string {
	args := messages.Args{"detail": fe.Detail}
	switch fe.Problem {
	case xlsx.ProblemText:
		return b.text("feedback.reason.text", args)
	case xlsx.ProblemLegacyXLS:
		return b.text("feedback.reason.legacy_xls", args)
	case xlsx.ProblemEncrypted:
		return b.text("feedback.reason.encrypted", args)
	case xlsx.ProblemODS:
		return b.text("feedback.reason.ods", args)
	case xlsx.ProblemTooLarge:
		return b.text("feedback.reason.too_large", args)
	}
	return b.text("feedback.reason.corrupt", args)
}

// annotate opens the reduced package with excelize, removes the feedback
// of an earlier round, highlights and comments the findings' cells and adds
// the (empty) result sheet in front. On error b.f may be half done.
func (b *book) annotate(reduced []byte, p *plan) error {
	// Every part excelize gets is within maxParsedBytes, so with these
	// limits it keeps them all in memory and never writes a temporary file.
	limit := int64(maxParsedBytes + len(p.wb.Entries())*len(placeholder) + 1<<20)
	f, err := excelize.OpenReader(bytes.NewReader(reduced), excelize.Options{
		UnzipSizeLimit:    limit,
		UnzipXMLSizeLimit: limit,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return err
	}
	f.SetZipWriter(fastzip.Excelize)
	b.f = f
	b.styles = map[xfKey]int{}
	b.fills = map[finding.Severity]int{}
	b.linkOnly = p.linkOnly
	for _, s := range p.marked {
		// GetPanes parses the sheet: it fails for a sheet whose XML is
		// damaged, which is then left as it is, unmarked and unlinked.
		if _, err := f.GetPanes(s); err == nil {
			b.marked = append(b.marked, s)
		}
	}
	// An .xlsm (or template) keeps its main part's content type through
	// excelize; the output is an .xlsx, which Excel refuses to open with a
	// macro-enabled content type. A path ending in .xlsx makes WriteTo set
	// the plain workbook type, as excelize's own SaveAs does. The macro part
	// stays in the package but is inert in an .xlsx.
	if ct, ok := f.Pkg.Load("[Content_Types].xml"); ok {
		if raw, ok := ct.([]byte); ok && !bytes.Contains(raw, []byte("spreadsheetml.sheet.main+xml")) {
			f.Path = "feedback.xlsx"
		}
	}
	if err := b.removeEarlierFeedback(p.results); err != nil {
		return err
	}
	b.sheet = b.freeSheetName()
	if err := b.highlight(); err != nil {
		return err
	}
	return b.addResultSheetFirst()
}

// freeSheetName is the result sheet's name: the catalogue's, unless the
// district has a sheet of that name (names compare ignoring case, as in
// Excel); then the catalogue's name for that case, numbered if need be.
func (b *book) freeSheetName() string {
	taken := map[string]bool{}
	for _, s := range b.f.GetSheetList() {
		taken[strings.ToLower(s)] = true
	}
	name := b.text("feedback.sheet_name", nil)
	if !taken[strings.ToLower(name)] {
		return name
	}
	own := b.text("feedback.sheet_name_own", nil)
	name = own
	for n := 2; taken[strings.ToLower(name)]; n++ {
		name = fmt.Sprintf("%s %d", own, n)
	}
	return name
}

// fresh makes a workbook with only the result sheet.
func (b *book) fresh() error {
	b.f = excelize.NewFile()
	b.f.SetZipWriter(fastzip.Excelize)
	b.fromScratch = true
	b.sheet = b.text("feedback.sheet_name", nil)
	if err := b.f.SetSheetName(b.f.GetSheetName(0), b.sheet); err != nil {
		return fmt.Errorf("feedback: result sheet %q: %w", b.sheet, err)
	}
	return nil
}

// addResultSheetFirst adds the result sheet and moves it to the front.
//
// The move is done on the workbook's sheet list rather than with MoveSheet:
// MoveSheet ungroups the sheets first and panics on a sheet it cannot parse
// (a chart sheet, a damaged sheet) or on one without a sheetViews element,
// which many generators leave out. It also does not renumber sheet-local
// defined names (print areas, print titles, the hidden names of
// auto-filters), which refer to their sheet by position: here every sheet
// moves one place to the right, and so do they.
func (b *book) addResultSheetFirst() error {
	f := b.f
	if _, err := f.NewSheet(b.sheet); err != nil {
		return err
	}
	wb := f.WorkBook
	if wb == nil || len(wb.Sheets.Sheet) == 0 {
		return fmt.Errorf("result sheet %q: workbook not loaded", b.sheet)
	}
	list := wb.Sheets.Sheet
	last := list[len(list)-1]
	if last.Name != b.sheet {
		return fmt.Errorf("result sheet %q is not the last sheet after adding it", b.sheet)
	}
	copy(list[1:], list[:len(list)-1])
	list[0] = last
	if wb.DefinedNames != nil {
		for i := range wb.DefinedNames.DefinedName {
			dn := &wb.DefinedNames.DefinedName[i]
			if dn.LocalSheetID != nil {
				id := *dn.LocalSheetID + 1
				dn.LocalSheetID = &id
			}
		}
	}
	for _, s := range b.oldResults {
		if err := f.DeleteSheet(s); err != nil {
			return err
		}
	}
	return nil
}

// docProps stamps the document properties with the data's timestamp rather
// than the wall clock. The district's own properties (author, title …) are
// kept: SetDocProps replaces every text property, empty ones too, so it is
// given the current ones back.
func (b *book) docProps() error {
	p, err := b.f.GetDocProps()
	if err != nil {
		return err
	}
	p.LastModifiedBy = Author
	if !b.opt.Timestamp.IsZero() {
		p.Modified = b.opt.Timestamp.UTC().Format("2006-01-02T15:04:05Z")
	}
	if b.fromScratch {
		p.Creator = Author
		p.Created = p.Modified
		p.Title = b.text("feedback.title", messages.Args{"file": b.opt.File})
	}
	return b.f.SetDocProps(p)
}

// receivedText shows t as the wall clock of the programme's time zone, in
// the output language.
func (b *book) receivedText(t time.Time) string {
	if b.opt.Location != nil {
		t = t.In(b.opt.Location)
	}
	date := t.Format("2006-01-02")
	if b.lang == "de" {
		date = t.Format("02.01.2006")
	}
	return b.text("feedback.received_at", messages.Args{"date": date, "time": t.Format("15:04")})
}

// quoteSheet quotes a sheet name for a reference: always in apostrophes,
// an apostrophe in the name doubled, which Excel reads for every name.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}
