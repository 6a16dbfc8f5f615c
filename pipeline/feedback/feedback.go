// Package feedback writes the workbook a district gets back for every file it
// sent: a copy of its own workbook in which each cell with a finding is
// highlighted (red for errors, amber for warnings, light blue for notes) and
// carries a comment with the messages, and a first sheet that lists every
// finding with a link to its cell. The district corrects that file in place
// and sends it again; when it comes back, the feedback of the earlier round
// (result sheet, comments, highlighting) is removed before the new one is
// added, so it never piles up.
//
// A file that is not a readable workbook (a CSV, an .xls, a damaged or
// password-protected file) gets a workbook with the result sheet only, which
// says why the file could not be opened.
package feedback

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // the received time is shown in Europe/Berlin on machines without zoneinfo too

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/xlsx"
)

// Severities of a finding, from the most to the least severe.
const (
	Error   = "error"
	Warning = "warning"
	Info    = "info"
)

// Author is the author of every comment the feedback adds. It is fixed so
// that the output is reproducible and so that the comments of an earlier
// round can be told from the district's own when a file comes back.
const Author = "grantpipe"

// Finding is one finding about the file, placed as precisely as it is known.
type Finding struct {
	Rule     string
	Severity string // Error, Warning or Info
	// Sheet is the sheet name as in the workbook and Cell an A1 reference
	// ("$" signs and lower case are accepted). Either may be empty: a finding
	// about a whole sheet or the whole file.
	Sheet, Cell string
	// Message is already in the output language.
	Message string
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
	// Received is when the file was received; shown as Europe/Berlin wall
	// clock. When zero, the line is left out.
	Received time.Time
	// Accepted tells whether the submission was accepted or rejected.
	Accepted bool
}

// Limits used to open the original with excelize once xlsx.Open has accepted
// it: the default unzip limit of excelize is about 16 GB.
const (
	unzipSizeLimit    = 1 << 30
	unzipXMLSizeLimit = 64 << 20
)

// Write writes the feedback workbook for the original file at src to w. src
// may be a valid .xlsx or .xlsm, or not a workbook at all (csv, .xls,
// damaged): then the output has only the result sheet. Findings about the
// file are data, not errors; Write returns an error only when the feedback
// itself cannot be made: a bad argument, src unreadable from our side (it
// vanished, no permission), or a failure to write to w.
func Write(w io.Writer, src string, findings []Finding, cat *messages.Catalog, opt Options) error {
	if cat == nil {
		return errors.New("feedback: no message catalogue")
	}
	if opt.Lang == "" {
		opt.Lang = messages.Langs[0]
	}
	if !knownLang(opt.Lang) {
		return fmt.Errorf("feedback: unknown language %q", opt.Lang)
	}
	for i, fd := range findings {
		if severityRank(fd.Severity) == 0 {
			return fmt.Errorf("feedback: finding %d (%s): unknown severity %q", i+1, fd.Rule, fd.Severity)
		}
	}
	if opt.File == "" {
		opt.File = filepath.Base(src)
	}
	b := &book{cat: cat, lang: opt.Lang, opt: opt, findings: findings}
	b.targets = make([]string, len(findings))

	data, notOpened, err := readOriginal(src, b)
	if err != nil {
		return err
	}
	if notOpened == "" {
		if err := b.annotate(data); err != nil {
			// excelize could not work on a file that our own reader
			// accepted: the district still gets the list of findings.
			b.close()
			b.f = nil
			b.targets = make([]string, len(findings))
			notOpened = b.text("feedback.reason.unreadable", messages.Args{"detail": err.Error()})
		}
	}
	if b.f == nil {
		if err := b.fresh(); err != nil {
			b.close()
			return err
		}
	}
	defer b.close()
	if err := b.resultSheet(notOpened); err != nil {
		return err
	}
	if err := b.docProps(); err != nil {
		return fmt.Errorf("feedback: document properties: %w", err)
	}
	// Write to memory first so that w gets a whole workbook or nothing of
	// it. WriteTo, not WriteToBuffer: only WriteTo applies f.Path's type.
	var buf bytes.Buffer
	if _, err := b.f.WriteTo(&buf); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	return nil
}

func knownLang(lang string) bool {
	for _, l := range messages.Langs {
		if l == lang {
			return true
		}
	}
	return false
}

// severityRank orders severities; 0 means unknown.
func severityRank(s string) int {
	switch s {
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
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
	fills       map[string]int
	// oldResults are the result sheets of an earlier round, renamed out of
	// the way; they are deleted once the new result sheet exists.
	oldResults []string
}

func (b *book) text(key string, args messages.Args) string {
	return b.cat.Text(b.lang, key, args)
}

func (b *book) close() {
	if b.f != nil {
		_ = b.f.Close()
	}
}

// readOriginal returns the bytes of the original when xlsx.Open, our
// hardened reader, accepts it as a workbook; otherwise it returns the
// reason (a text for the district) why it could not be opened. Only errors
// that are not about the file's content are returned as errors.
func readOriginal(src string, b *book) (data []byte, notOpened string, err error) {
	wb, err := xlsx.Open(src, xlsx.Limits{})
	if err != nil {
		var fe *xlsx.FormatError
		if !errors.As(err, &fe) {
			return nil, "", fmt.Errorf("feedback: %w", err)
		}
		return nil, b.reason(fe), nil
	}
	wb.Close()
	f, err := os.Open(src)
	if err != nil {
		return nil, "", fmt.Errorf("feedback: %w", err)
	}
	defer f.Close()
	// The file was just checked against the size limit; reading at most one
	// byte more catches a file that grew since.
	max := xlsx.DefaultLimits().MaxFileSize
	data, err = io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, "", fmt.Errorf("feedback: %w", err)
	}
	if int64(len(data)) > max {
		return nil, b.reason(&xlsx.FormatError{Problem: xlsx.ProblemTooLarge, Detail: "file grew while it was read"}), nil
	}
	return data, "", nil
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

// annotate opens the original with excelize, removes the feedback of an
// earlier round, highlights and comments the findings' cells and adds the
// (empty) result sheet in front. On error b.f may be half done.
//
// The workbook comes from outside, and excelize has panics on structures it
// does not expect (MoveSheet's on a sheet without views is one, avoided
// below); a panic here is turned into an error so that one odd file costs
// the district its highlighting, not the whole run.
func (b *book) annotate(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("excelize: %v", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    unzipSizeLimit,
		UnzipXMLSizeLimit: unzipXMLSizeLimit,
	})
	if err != nil {
		return err
	}
	b.f = f
	b.styles = map[xfKey]int{}
	b.fills = map[string]int{}
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
	b.sheet = b.text("feedback.sheet_name", nil)
	if err := b.removeEarlierFeedback(); err != nil {
		return err
	}
	if err := b.highlight(); err != nil {
		return err
	}
	return b.addResultSheetFirst()
}

// fresh makes a workbook with only the result sheet.
func (b *book) fresh() error {
	b.f = excelize.NewFile()
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

// receivedText shows t as Europe/Berlin wall clock in the output language.
func (b *book) receivedText(t time.Time) string {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		t = t.In(loc)
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
