package xlsx

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

const (
	maxRows = 1 << 20 // Excel's last row, 1,048,576
	maxCols = 1 << 14 // Excel's last column, XFD
)

// CellType is the type a cell declares in the file (its t attribute); it
// is what lets the ingester tell the text "1.234" from the number 1.234.
type CellType uint8

const (
	// Number: t="n" or no t. Value is the <v> text exactly as stored, such
	// as "4723.9300000000003" or "1E-3"; parse it with strconv.ParseFloat
	// or as a decimal, never through a locale. Dates are numbers too (see
	// Cell.DateFormat).
	Number CellType = iota + 1
	// String: a shared string (t="s"), an inline string (t="inlineStr") or
	// the text result of a formula (t="str").
	String
	// Bool: t="b"; Value is "0" or "1".
	Bool
	// Error: t="e"; Value is the error text, such as "#DIV/0!" or "#N/A".
	Error
	// ISODate: t="d"; Value is ISO 8601 text, such as "2024-03-31T00:00:00".
	// Few writers use it (openpyxl on request, some streaming writers).
	ISODate
)

// String returns the lower-case name of the type, for messages.
func (t CellType) String() string {
	switch t {
	case Number:
		return "number"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Error:
		return "error"
	case ISODate:
		return "isodate"
	}
	return fmt.Sprintf("celltype(%d)", uint8(t))
}

// Cell is one non-empty cell: one that has a formula or a non-empty value.
// Cells that carry only a style, as spreadsheet programs write for
// formatted blank areas, are not returned.
type Cell struct {
	// Col is the 1-based column, from the cell's reference ("C12" gives 3),
	// or one more than the previous cell's when the reference is absent.
	Col  int
	Type CellType
	// Value is described under CellType. For a formula without a cached
	// result it is "" and Cached is false: the file does not say what the
	// formula evaluates to, which is not the same as an empty cell.
	Value string
	// Formula is true when the cell has an <f> element, including the
	// followers of a shared formula (<f t="shared" si="0"/>).
	Formula bool
	// Cached is true when the file stores a value for the cell (<v> or an
	// inline <is>). It matters for formulas: a file saved by a program that
	// does not calculate (many generators) has formulas without values.
	Cached bool
	// DateFormat is true when the cell's style shows its number as a date
	// or time. The value itself stays the serial number; convert it with
	// Workbook.Date1904 in mind.
	DateFormat bool
}

// Ref returns the cell's A1-style reference in the given row, such as
// "C12", for provenance in findings.
func (c Cell) Ref(row int) string {
	return ColumnName(c.Col) + strconv.Itoa(row)
}

// ColumnName returns the letters of a 1-based column number: 1 is "A",
// 27 is "AA", 16384 is "XFD". It returns "" for numbers below 1.
func ColumnName(col int) string {
	if col < 1 {
		return ""
	}
	var b [8]byte
	i := len(b)
	for col > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return string(b[i:])
}

// ParseRef parses an A1-style reference such as "C12" or "$C$12" (letters
// in either case) into a 1-based column and row within Excel's grid of
// 16,384 columns and 1,048,576 rows.
func ParseRef(ref string) (col, row int, err error) {
	col, row, ok := parseRef(ref)
	if !ok {
		return 0, 0, fmt.Errorf("xlsx: invalid cell reference %q", ref)
	}
	return col, row, nil
}

func parseRef[T string | []byte](ref T) (col, row int, ok bool) {
	i := 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	start := i
	for i < len(ref) {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > maxCols {
			return 0, 0, false
		}
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	row, ok = parseRowNumber(ref[i:])
	return col, row, ok
}

// parseRowNumber parses a row number in 1..1,048,576 without allocating.
func parseRowNumber[T string | []byte](s T) (int, bool) {
	if len(s) == 0 || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= maxRows
}

// Rows streams the rows of one sheet. It reads the worksheet part as it
// goes, so a sheet of any size costs memory for one row at a time.
//
//	rows, err := wb.Rows(name)
//	...
//	defer rows.Close()
//	for rows.Next() {
//		for _, c := range rows.Cells() { ... c.Ref(rows.Row()) ... }
//	}
//	if err := rows.Err(); err != nil { ... }
type Rows struct {
	wb    *Workbook
	sheet string
	part  string
	rc    *entryReader
	x     *sheetScanner

	inData    bool // inside <sheetData>
	dataDepth int
	done      bool
	err       error

	row     int // current row number
	prevRow int // number of the previous <row> element, empty or not
	nrows   int // <row> elements seen
	cells   []Cell

	vbuf  []byte // text of the current <v>
	isbuf []byte // text of the current <is>
	tmp   []byte // unescaping scratch

	ods *odsRows // set for a sheet of an OpenDocument spreadsheet

	sizeHint uint64 // the part's uncompressed size as the file declares it
}

func newRows(w *Workbook, sheet, part string, rc *entryReader, sizeHint uint64) *Rows {
	return &Rows{wb: w, sheet: sheet, part: part, rc: rc, x: newSheetScanner(part, rc, sizeHint, &w.closed), sizeHint: sizeHint}
}

// SizeHint is the uncompressed size in bytes that the file declares for the
// sheet (0 when unknown, as for an OpenDocument sheet): a guess at how many
// rows are to come, for sizing what they are read into. It is the file's
// word, not a promise: reading stops at the sheet's real end or at the
// limits, whatever the hint says, so bound what is allocated from it.
func (r *Rows) SizeHint() uint64 { return r.sizeHint }

// Next advances to the next row that has at least one non-empty cell,
// skipping rows that have none. It returns false at the end of the sheet
// or on an error, which Err then returns.
func (r *Rows) Next() bool {
	if r.done || r.err != nil {
		return false
	}
	if r.wb.closed.Load() {
		r.err = errClosed
		return false
	}
	if r.ods != nil {
		return r.odsNext()
	}
	x := r.x
	for {
		tok, err := x.next(nil)
		if err == io.EOF {
			// The whole part was read, so its checksum was compared.
			r.done = true
			return false
		}
		if err != nil {
			r.err = err
			return false
		}
		switch tok {
		case tokStart:
			if !r.inData {
				if x.local("sheetData") {
					r.inData = true
					r.dataDepth = x.depth()
				}
				continue
			}
			if x.depth() == r.dataDepth+1 && x.local("row") {
				ok, err := r.readRow()
				if err != nil {
					r.err = err
					return false
				}
				if ok {
					return true
				}
			}
		case tokEnd:
			if r.inData && x.depth() < r.dataDepth {
				// Nothing after <sheetData> holds cell values; stop parsing
				// here rather than parse merged ranges, drawings and the
				// like, but read the rest of the part, unparsed, so that
				// its checksum is compared: the cells just returned came
				// from a part that may have been damaged.
				r.done = true
				r.err = r.finish()
				return false
			}
		}
	}
}

// Row returns the 1-based row number of the current row: the row's r
// attribute, or when that is absent the row of its first cell reference,
// or else one more than the previous row.
func (r *Rows) Row() int { return r.row }

// Cells returns the non-empty cells of the current row in ascending column
// order. The slice is reused by the next call to Next.
func (r *Rows) Cells() []Cell { return r.cells }

// Err returns the error that ended the iteration: a *FormatError when the
// sheet is damaged (its zip entry's checksum included) or breaks Excel's
// limits (rows past 1,048,576, columns past XFD, a shared string index out
// of range) or the workbook's Limits.MaxTextSize, another error when the
// file could not be read. It is nil at the clean end of the sheet. After
// Close it also reports what Close found.
func (r *Rows) Err() error { return r.err }

// Close releases the worksheet stream. It is safe to call more than once.
//
// A sheet whose rows were not all read is read to its end first, without
// parsing, so that the checksum of its zip entry is compared: Close
// returns a *FormatError (and Err returns it from then on) when the part
// turns out damaged, which makes the rows already returned suspect too.
// That costs the decompression of the rest of the part, at most
// Limits.MaxUnzippedSize; it is skipped when iteration ended with an error,
// which Err keeps reporting and Close does not repeat, or when the workbook
// is closed.
func (r *Rows) Close() error {
	r.done = true
	if r.rc == nil {
		return nil
	}
	var err error
	if r.err == nil && !r.wb.closed.Load() {
		if err = r.finish(); err != nil {
			if r.ods != nil {
				err = odsErr(err)
			}
			r.err = err
		}
	}
	// Closing a zip entry only repeats the decompressor's error, which
	// reading has already met and reported (as a *FormatError).
	r.rc.Close()
	r.rc = nil
	return err
}

// finish reads the rest of the worksheet part, unparsed, to compare its
// checksum, reusing the scanner's buffer, whose content is no longer
// needed.
func (r *Rows) finish() error {
	if r.rc == nil {
		return nil
	}
	if err := r.rc.finish(r.x.buf[:cap(r.x.buf)]); err != nil {
		return partErr(r.part, err)
	}
	return nil
}

func (r *Rows) corrupt(format string, args ...any) error {
	return corrupt("%s: "+format, append([]any{r.part}, args...)...)
}

// readRow reads one <row> element, whose start tag was just read, and
// reports whether it holds a non-empty cell.
func (r *Rows) readRow() (bool, error) {
	r.nrows++
	if r.nrows > maxRows {
		return false, r.corrupt("more than %d rows", maxRows)
	}
	x := r.x
	rowNum := 0
	for i := range x.attrs {
		if !x.attrIs(i, "r") {
			continue
		}
		v := x.attrValue(i)
		if len(v) == 0 {
			continue
		}
		n, ok := parseRowNumber(v)
		if !ok {
			return false, r.corrupt("row number %q outside 1 to %d", v, maxRows)
		}
		rowNum = n
	}
	r.cells = r.cells[:0]
	depth := x.depth()
	prevCol, firstRefRow, sorted := 0, 0, true
	for {
		tok, err := x.next(nil)
		if err != nil {
			return false, err
		}
		switch tok {
		case tokStart:
			if x.depth() != depth+1 || !x.local("c") {
				continue
			}
			c, refRow, err := r.readCell(prevCol, rowNum)
			if err != nil {
				return false, err
			}
			prevCol = c.Col
			if firstRefRow == 0 {
				firstRefRow = refRow
			}
			if !c.Formula && c.Value == "" {
				continue
			}
			if n := len(r.cells); n > 0 {
				last := &r.cells[n-1]
				if c.Col == last.Col {
					// A repeated reference: as in Excel, the later one wins.
					*last = c
					continue
				}
				if c.Col < last.Col {
					sorted = false
				}
			}
			if len(r.cells) >= maxCols {
				return false, r.corrupt("more than %d cells in one row", maxCols)
			}
			r.cells = append(r.cells, c)
		case tokEnd:
			if x.depth() >= depth {
				continue
			}
			switch {
			case rowNum != 0:
			case firstRefRow != 0:
				rowNum = firstRefRow
			default:
				rowNum = r.prevRow + 1
				if rowNum > maxRows {
					return false, r.corrupt("more than %d rows", maxRows)
				}
			}
			r.prevRow, r.row = rowNum, rowNum
			if !sorted {
				r.sortCells()
			}
			return len(r.cells) > 0, nil
		}
	}
}

// sortCells orders a row whose cells the file lists out of order, keeping
// the last of cells with the same column.
func (r *Rows) sortCells() {
	slices.SortStableFunc(r.cells, func(a, b Cell) int { return a.Col - b.Col })
	out := r.cells[:0]
	for _, c := range r.cells {
		if n := len(out); n > 0 && out[n-1].Col == c.Col {
			out[n-1] = c
			continue
		}
		out = append(out, c)
	}
	r.cells = out
}

// cellType is a cell's t attribute.
type cellType uint8

const (
	typeNumber  cellType = iota // "n" or none
	typeShared                  // "s"
	typeInline                  // "inlineStr"
	typeFormula                 // "str"
	typeBool                    // "b"
	typeError                   // "e"
	typeISODate                 // "d"
	typeUnknown                 // anything else
)

func parseCellType(t []byte) cellType {
	switch string(t) {
	case "", "n":
		return typeNumber
	case "s":
		return typeShared
	case "inlineStr":
		return typeInline
	case "str":
		return typeFormula
	case "b":
		return typeBool
	case "e":
		return typeError
	case "d":
		return typeISODate
	}
	return typeUnknown
}

// readCell reads one <c> element, whose start tag was just read. refRow is
// the row of the cell's own reference, 0 when it has none.
func (r *Rows) readCell(prevCol, rowNum int) (c Cell, refRow int, err error) {
	x := r.x
	typ := typeNumber
	var unknown string // the t attribute when typ is typeUnknown
	style := -1
	for i := range x.attrs {
		var name string
		switch {
		case x.attrIs(i, "r"):
			name = "r"
		case x.attrIs(i, "t"):
			name = "t"
		case x.attrIs(i, "s"):
			name = "s"
		default:
			continue
		}
		v := x.attrValue(i)
		switch name {
		case "r":
			if len(v) == 0 {
				continue
			}
			col, row, ok := parseRef(v)
			if !ok {
				return c, 0, r.corrupt("cell reference %q is not within A1:XFD1048576", v)
			}
			c.Col, refRow = col, row
		case "t":
			if typ = parseCellType(v); typ == typeUnknown {
				unknown = string(v)
			}
		case "s":
			if n, ok := atoi(v); ok {
				style = n
			}
		}
	}
	if c.Col == 0 {
		c.Col = prevCol + 1
		if c.Col > maxCols {
			return c, 0, r.corrupt("more than %d columns in row %d", maxCols, max(rowNum, r.prevRow+1))
		}
	}
	depth := x.depth()
	var hasV, hasIS, inV bool
	r.vbuf = r.vbuf[:0]
	for {
		var text *[]byte
		if inV {
			text = &r.vbuf
		}
		tok, err := x.next(text)
		if err != nil {
			return c, 0, err
		}
		switch tok {
		case tokStart:
			if x.depth() != depth+1 {
				continue
			}
			switch {
			case x.local("v"):
				hasV, inV = true, true
			case x.local("f"):
				c.Formula = true
			case x.local("is"):
				hasIS = true
				r.isbuf = r.isbuf[:0]
				if err := x.richText(&r.isbuf); err != nil {
					return c, 0, err
				}
			}
		case tokEnd:
			inV = false
			if x.depth() < depth {
				err := r.resolve(&c, typ, unknown, hasV, hasIS, refRow, rowNum)
				if err == nil {
					err = r.spend(&c, refRow, rowNum)
				}
				if style >= 0 && style < len(r.wb.dateXF) {
					c.DateFormat = r.wb.dateXF[style]
				}
				return c, refRow, err
			}
		}
	}
}

// atoi is strconv.Atoi for a byte slice, without allocating for the
// short decimal numbers that style indexes are.
func atoi(b []byte) (int, bool) {
	if len(b) > 0 && len(b) < 10 {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				goto slow
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
slow:
	n, err := strconv.Atoi(string(b))
	return n, err == nil
}

// resolve sets the cell's type and value from its t attribute and the
// collected <v> and <is> text.
func (r *Rows) resolve(c *Cell, typ cellType, unknown string, hasV, hasIS bool, refRow, rowNum int) error {
	c.Cached = hasV || hasIS
	switch typ {
	case typeNumber:
		c.Type = Number
		c.Value = string(trimSpace(r.vbuf))
	case typeShared:
		c.Type = String
		idx := trimSpace(r.vbuf)
		if len(idx) == 0 {
			return nil
		}
		i, ok := atoi(idx)
		if !ok {
			return r.corrupt("cell %s: shared string index %q is not a number", r.cellName(c, refRow, rowNum), idx)
		}
		s, ok := r.wb.strings.get(i)
		if !ok {
			return r.corrupt("cell %s refers to shared string %d, the table has %d", r.cellName(c, refRow, rowNum), i, r.wb.strings.len())
		}
		c.Value = s
	case typeInline:
		c.Type = String
		if hasIS {
			c.Value = r.unescape(r.isbuf)
		} else {
			c.Value = r.unescape(r.vbuf)
		}
	case typeFormula:
		c.Type = String
		c.Value = r.unescape(r.vbuf)
	case typeBool:
		c.Type = Bool
		switch v := trimSpace(r.vbuf); string(v) {
		case "1", "true", "TRUE", "True":
			c.Value = "1"
		case "0", "false", "FALSE", "False":
			c.Value = "0"
		default:
			c.Value = string(v)
		}
	case typeError:
		c.Type = Error
		c.Value = string(trimSpace(r.vbuf))
	case typeISODate:
		c.Type = ISODate
		c.Value = string(trimSpace(r.vbuf))
	default:
		// Guessing would risk reading text as a number or the reverse.
		return r.corrupt("cell %s has unknown type %q", r.cellName(c, refRow, rowNum), unknown)
	}
	return nil
}

// spend counts the cell's value against the workbook's MaxTextSize. Every
// value counts, even one a later cell of the same column replaces, as it
// was made all the same; a shared string counts at every reference, which
// is what the budget is for.
func (r *Rows) spend(c *Cell, refRow, rowNum int) error {
	n := int64(len(c.Value))
	if n == 0 {
		return nil
	}
	limit := r.wb.lim.MaxTextSize
	if r.wb.text.Add(n) <= limit {
		return nil
	}
	ref := r.cellName(c, refRow, rowNum)
	return &FormatError{Problem: ProblemTooLarge, Sheet: r.sheet, Cell: ref,
		Detail: fmt.Sprintf("sheet %q, cell %s: the text of the cells up to here exceeds %s, the limit for the whole workbook",
			r.sheet, ref, formatSize(limit))}
}

func (r *Rows) cellName(c *Cell, refRow, rowNum int) string {
	row := rowNum
	if row == 0 {
		row = refRow
	}
	if row == 0 {
		row = r.prevRow + 1
	}
	return c.Ref(row)
}

func (r *Rows) unescape(b []byte) string {
	if !hasEscape(b) {
		return string(b)
	}
	r.tmp = appendUnescaped(r.tmp[:0], b)
	return string(r.tmp)
}

// trimSpace trims XML white space, which pretty-printing writers put
// around numbers.
func trimSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
