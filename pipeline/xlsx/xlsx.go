// Package xlsx reads the cells of .xlsx workbooks that arrive from outside:
// quarterly spreadsheets sent by districts, written by Excel, LibreOffice,
// Google Sheets, Numbers and a long tail of generators. It reads
// OpenDocument spreadsheets (.ods) too, through the same Workbook and Rows,
// with the same limits, and gives their cells as the .xlsx reader gives
// the same cells saved as .xlsx (see ods.go).
//
// It exists next to excelize because ingestion needs facts that a
// string-only reader loses: whether a cell holds the text "1.234" or the
// number 1.234, whether a number carries a date format, and whether a formula
// has a cached result at all. It is also built for hostile input: every size
// is checked against Limits before anything is decompressed, worksheets are
// streamed rather than loaded, the text the cells expand to is budgeted,
// every part that is read is checked against its CRC-32 (read to its end),
// and every failure to read the file as a workbook is a *FormatError whose
// Problem says what the file really is (an old .xls, a password-protected
// workbook, a CSV) or what in it is too large or damaged.
//
// The package uses only the standard library: archive/zip for the package,
// encoding/xml's RawToken for the parts read once (workbook, relationships,
// styles, shared strings) and a scanner of its own for worksheets, which
// are read cell by cell and accept exactly the XML that RawToken accepts.
// Element names are matched on their local part, so that files whose
// writers prefix every element (<x:c>) read the same as Excel's own.
package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync/atomic"
)

// Limits bound what one workbook may cost to open and read, so that no file
// a district sends can exhaust the machine or stop the pipeline: a run over
// the 42 demo submissions plus any one file must stay under 1 GB of resident
// memory and finish within 60 s on two cores (the demo alone takes 6 s and
// 135 MB). A file beyond a limit is a *FormatError of ProblemTooLarge whose
// Detail names the part or cell and the figure at fault.
//
// A zero field means the default of DefaultLimits, so Limits{} is a sensible
// choice. The defaults sit well above the largest real submission and well
// below what would hurt. For scale: the largest benchmark, 100,000 receipt
// lines (real quarters have thousands), is a 4.3 MB file that unzips to
// 37 MB (33 MB of it the receipts sheet, 4.1 MB shared strings) and whose
// cells hold 12.0 MB of text; the scaled demo's largest file, 20,000 lines,
// is 0.9 MB, unzips to 7.3 MB and holds 2.4 MB of text. The costs quoted
// below are of the reader alone (Open and reading one sheet), measured on
// two cores, for the worst file each limit lets through.
//
// An OpenDocument spreadsheet is held to the same limits: its manifest is
// a part read whole, and content.xml, which holds all its sheets, is
// streamed like a worksheet, once by Open and once by each Rows. Every
// copy of a repeated row or cell counts against MaxTextSize, and the cells
// that Rows returns from it are bounded to what an .xlsx within
// MaxUnzippedSize could hold, 24.4 million at the default.
type Limits struct {
	// MaxFileSize bounds the file itself; default 32 MiB. It is checked
	// before a byte is read. The file is scanned once for zip headers, and
	// archive/zip holds the whole central directory in memory: a 100 MB
	// file that is nothing but directory (entry names and comments of 30
	// and 60 KB) cost 160 MB to open, a 32 MiB one 60 MB. 32 MiB is seven
	// times the 100,000-line benchmark, room for a picture pasted into the
	// form.
	MaxFileSize int64
	// MaxUnzippedSize bounds the sum of the uncompressed sizes that the zip
	// entries declare; default 256 MiB. The zip reader refuses to inflate an
	// entry past its declared size, so this bounds all decompression and all
	// worksheet scanning, which runs at about 100 MB/s in constant memory:
	// a 900 MB sheet of <x/> elements took 9.8 s, one of 255 MiB takes
	// 2.3 s in 14 MB. The 100,000-line benchmark declares 37 MB.
	MaxUnzippedSize int64
	// MaxPartSize bounds each part that is loaded whole into memory
	// (workbook.xml, relationship parts, sharedStrings.xml, styles.xml);
	// default 16 MiB. Parsed, such a part can cost several times its size:
	// at the former 64 MiB, a relationships part of tiny relationships cost
	// 3.1–3.6 s and 310–370 MB resident, shared strings of empty items
	// 130–230 MB. At 16 MiB the costliest part (relationships) takes 1.1 s
	// and 110 MB, shared strings or styles under 0.8 s and 45 MB. The
	// 100,000-line benchmark's shared strings are 4.1 MB, the demo form's
	// styles 8 KB; a styles part needs some 200 bytes per cell format, so
	// even one bloated to Excel's limit of 64,000 formats fits, unless its
	// named styles have exploded as well. Worksheets are streamed, never
	// loaded whole; only MaxUnzippedSize bounds them.
	MaxPartSize int64
	// MaxEntries bounds the number of zip entries, and the number of sheets
	// the workbook lists; default 10,000. Real workbooks have tens of
	// entries and a few sheets, each with a part of its own. A sheet with
	// r:id="" needs no part, so without the bound on sheets a workbook part
	// listing two million of them cost 3–4 s and 440–490 MB before a cell
	// was read; it is now refused in 25 ms.
	MaxEntries int
	// MaxTextSize bounds the text that the workbook's cells expand to: the
	// sum of the lengths of the values of all cells that Rows returns, on
	// every sheet, a shared string counted at every cell that refers to
	// it; default 16 MiB. Without it one shared string of 1 MB referred to
	// by 4,000 cells (a file of 79 KB) handed out 4 GB, which the ingester
	// copied into findings and the database until it was killed; now
	// reading stops at the 17th cell, in 18 MB. The 100,000-line benchmark
	// holds 12.0 MB of text, the 20,000-line demo 2.4 MB; 16 MiB keeps what
	// one file can put into memory, the database and the reports to tens
	// of MB. Rows reports the sheet and cell where the budget ran out.
	MaxTextSize int64
}

// DefaultLimits returns the limits used for zero fields of Limits; see
// Limits for what each bounds and why it is set where it is.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:     32 << 20,
		MaxUnzippedSize: 256 << 20,
		MaxPartSize:     16 << 20,
		MaxEntries:      10000,
		MaxTextSize:     16 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxUnzippedSize <= 0 {
		l.MaxUnzippedSize = d.MaxUnzippedSize
	}
	if l.MaxPartSize <= 0 {
		l.MaxPartSize = d.MaxPartSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxTextSize <= 0 {
		l.MaxTextSize = d.MaxTextSize
	}
	return l
}

// Problem classifies why a file cannot be read as a workbook, so that the
// ingester can tell a district what to send instead ("save as .xlsx",
// "remove the password") rather than just "unreadable".
type Problem int

const (
	// ProblemCorrupt: a damaged zip or XML part, or a zip without a workbook part.
	ProblemCorrupt Problem = iota + 1
	// ProblemLegacyXLS: an OLE2 compound file without encryption streams,
	// that is an .xls workbook of Excel 97-2003.
	ProblemLegacyXLS
	// ProblemEncrypted: an OLE2 compound file holding an encrypted OOXML
	// package, that is a password-protected .xlsx.
	ProblemEncrypted
	// ProblemODS: an OpenDocument spreadsheet (.ods). Open reads them; it
	// is the error of the methods that rewrite Office Open XML packages
	// (WorkbookPart, SheetParts, Relationships, DefinedNames) for one.
	ProblemODS
	// ProblemText: neither a zip nor an OLE2 file: a CSV or other text, an
	// empty file, or anything else.
	ProblemText
	// ProblemTooLarge: the file exceeds one of the Limits.
	ProblemTooLarge
)

// String returns the short, stable name of the problem, suitable for logs
// and for the findings table: "corrupt", "legacy-xls", "encrypted", "ods",
// "text" or "too-large".
func (p Problem) String() string {
	switch p {
	case ProblemCorrupt:
		return "corrupt"
	case ProblemLegacyXLS:
		return "legacy-xls"
	case ProblemEncrypted:
		return "encrypted"
	case ProblemODS:
		return "ods"
	case ProblemText:
		return "text"
	case ProblemTooLarge:
		return "too-large"
	}
	return fmt.Sprintf("problem(%d)", int(p))
}

// FormatError says why a file is not a readable workbook. Errors that are
// not about the file's content, such as a failing disk, are returned as
// other error types, so a *FormatError always means "the file is bad".
type FormatError struct {
	Problem Problem
	// Detail is lower-case English naming the part and the figure at fault,
	// e.g. "part xl/worksheets/sheet1.xml declares 4.0 GiB uncompressed, limit 256.0 MiB".
	Detail string
	// Sheet and Cell say where in the cells the problem was met, when Rows
	// met it at a cell: the sheet's name as Sheets returns it and an A1
	// reference such as "E17". They are set when MaxTextSize runs out, so
	// that a sender can be shown the place; otherwise they are empty.
	Sheet, Cell string
	// Err is the error beneath when the damage lies in the zip container
	// rather than in the XML it holds: zip.ErrChecksum for an entry whose
	// CRC-32 does not match its content, zip.ErrFormat,
	// zip.ErrAlgorithm, a flate.CorruptInputError or io.ErrUnexpectedEOF.
	// The file was damaged after it was written (in transfer, on a disk),
	// so no part of it can be trusted. Otherwise Err is nil.
	Err error
	// Format is FormatODS when the file was known to be an OpenDocument
	// spreadsheet when the problem was found, so that a message can point
	// to LibreOffice rather than Excel; otherwise it is zero.
	Format Format
}

// Error returns "xlsx: <problem>: <detail>".
func (e *FormatError) Error() string {
	return "xlsx: " + e.Problem.String() + ": " + e.Detail
}

// Unwrap returns Err, so that errors.Is(err, zip.ErrChecksum) finds a
// damaged entry.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(p Problem, format string, args ...any) *FormatError {
	return &FormatError{Problem: p, Detail: fmt.Sprintf(format, args...)}
}

func corrupt(format string, args ...any) *FormatError {
	return formatErr(ProblemCorrupt, format, args...)
}

// errClosed wraps fs.ErrClosed so that callers can test with errors.Is.
var errClosed = fmt.Errorf("xlsx: workbook is closed: %w", fs.ErrClosed)

// Workbook is an open .xlsx or .ods file. Its sheet list, date system,
// shared strings and styles are read by Open; cells are streamed by Rows.
// Several Rows may be open at once, each used from one goroutine.
type Workbook struct {
	file   *os.File // set when Open opened the file, so Close must close it
	zr     *zip.Reader
	parts  map[string]*zip.File // by normalised, lower-cased name
	lim    Limits
	closed atomic.Bool

	sheets   []sheetRef
	date1904 bool
	strings  stringTable
	dateXF   []bool // by cellXfs index: the style's number format shows a date or time

	// text is the length of all cell values handed out so far, by every
	// Rows of the workbook, against lim.MaxTextSize.
	text atomic.Int64

	// ods is set for an OpenDocument spreadsheet (see ods.go).
	ods *odsBook
}

type sheetRef struct {
	name string
	part string // normalised part name, "" when the relationship does not lead to a part
	why  string // why part is "", for the error from Rows
	// empty marks a sheet that the workbook lists without a part at all,
	// which is not damage: it simply has no cells.
	empty bool
}

// Open opens the workbook at path. The file size is checked against
// lim.MaxFileSize before a byte is read; zero fields of lim mean defaults.
func Open(path string, lim Limits) (*Workbook, error) {
	lim = lim.withDefaults()
	// A FIFO would block os.Open itself and a device might never end; only
	// regular files have a size that the limits can be checked against.
	// The check is repeated on the open file in case the path changed.
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("xlsx: %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("xlsx: %s is not a regular file", path)
	}
	w, err := OpenReaderAt(f, fi.Size(), lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.file = f
	return w, nil
}

// OpenReaderAt reads a workbook of size bytes from r. The caller keeps
// ownership of r, which must stay readable until the Workbook and all its
// Rows are closed.
func OpenReaderAt(r io.ReaderAt, size int64, lim Limits) (*Workbook, error) {
	lim = lim.withDefaults()
	if size > lim.MaxFileSize {
		return nil, formatErr(ProblemTooLarge, "file is %s, limit %s", formatSize(size), formatSize(lim.MaxFileSize))
	}
	if size <= 0 {
		return nil, formatErr(ProblemText, "empty file")
	}
	ra := readerAt{r, size}
	head := make([]byte, min(size, 512))
	if _, err := ra.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, ioErr("reading file header", err)
	}
	switch {
	case bytes.HasPrefix(head, sigOLE2):
		return nil, classifyOLE2(ra, size)
	case bytes.HasPrefix(head, sigZip), bytes.HasPrefix(head, sigZipEmpty):
	default:
		return nil, formatErr(ProblemText, "not a zip or ole2 file (starts with %q)", printable(head, 16))
	}
	w := &Workbook{lim: lim}
	ods, err := w.openZip(ra, size)
	if err != nil {
		// An ODS file names its type in an uncompressed first entry, which
		// tells what the file is even when the rest of the zip is damaged.
		if ods || odsPrefix(head) {
			return nil, odsErr(err)
		}
		return nil, err
	}
	if ods {
		if err := w.loadODS(); err != nil {
			return nil, odsErr(err)
		}
		return w, nil
	}
	if err := w.load(); err != nil {
		return nil, err
	}
	return w, nil
}

// Close releases the file if Open opened it. Rows still open on the
// workbook fail from then on, within a few KiB of reading; a caller with a
// deadline can therefore bound a read with
// context.AfterFunc(ctx, func() { wb.Close() }).
func (w *Workbook) Close() error {
	if !w.closed.CompareAndSwap(false, true) {
		return nil
	}
	if w.file != nil {
		return w.file.Close()
	}
	return nil
}

// Sheets returns the sheet names in workbook order, hidden and very hidden
// sheets included, and chart or dialog sheets too (they have no rows). The
// caller may modify the returned slice.
func (w *Workbook) Sheets() []string {
	names := make([]string, len(w.sheets))
	for i, s := range w.sheets {
		names[i] = s.name
	}
	return names
}

// Date1904 reports whether the workbook counts date serial numbers from
// 1904-01-01 (old Mac Excel, Numbers) instead of 1899-12-30; a date cell's
// number means a day four years later in such a workbook. It is false for
// an OpenDocument spreadsheet, whose dates Rows converts to the 1900 system.
func (w *Workbook) Date1904() bool { return w.date1904 }

// Rows starts streaming the cells of the sheet with the given name, exactly
// as Sheets returns it. A sheet whose part is missing from the package
// gives a *FormatError here rather than at Open, so that one broken sheet
// does not hide the others.
func (w *Workbook) Rows(sheet string) (*Rows, error) {
	if w.closed.Load() {
		return nil, errClosed
	}
	if w.ods != nil {
		return w.openODSSheet(sheet)
	}
	for _, s := range w.sheets {
		if s.name != sheet {
			continue
		}
		if s.empty {
			return &Rows{wb: w, done: true}, nil
		}
		if s.part == "" {
			return nil, corrupt("sheet %q: %s", sheet, s.why)
		}
		f := w.parts[strings.ToLower(s.part)]
		rc, err := openEntry(f, &w.closed)
		if err != nil {
			return nil, partErr(s.part, err)
		}
		return newRows(w, sheet, s.part, rc, f.UncompressedSize64), nil
	}
	return nil, fmt.Errorf("xlsx: no sheet named %q", sheet)
}

// readerAt marks errors of the underlying reader so that they can be told
// apart from the zip and XML errors that mean the file is damaged. It also
// keeps reads within [0, size): archive/zip computes offsets from header
// fields, and a hostile header can make them negative, which the
// underlying reader would report as its own failure.
type readerAt struct {
	r    io.ReaderAt
	size int64
}

var errBadOffset = errors.New("zip offset outside the file")

func (g readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errBadOffset
	}
	if off >= g.size {
		return 0, io.EOF
	}
	clipped := false
	if rest := g.size - off; int64(len(p)) > rest {
		p, clipped = p[:rest], true
	}
	n, err := g.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		return n, &readError{err}
	}
	if clipped && err == nil {
		err = io.EOF
	}
	return n, err
}

type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func ioErr(what string, err error) error {
	var re *readError
	if errors.As(err, &re) {
		err = re.err
	}
	return fmt.Errorf("xlsx: %s: %w", what, err)
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// printable shows the start of an unrecognised file in an error detail
// without letting arbitrary bytes into logs.
func printable(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
