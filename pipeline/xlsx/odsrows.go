package xlsx

import (
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
)

// odsRows is the OpenDocument side of a Rows: the sheet is a <table:table>
// element of content.xml, its rows <table:table-row> elements (also inside
// header-row and row-group elements), its cells <table:table-cell> and
// <table:covered-table-cell> elements (a covered cell is one hidden under
// a merged cell; it can hold a value, as the cells under a merge in an
// .xlsx can). Rows and cells have no references: their place is their
// position, every repeated copy counted.
type odsRows struct {
	ns nsResolver
	// sheetDepth is the depth of the sheet's element: 1 when the scanner
	// starts at it, odsSheetDepth when it reads content.xml from its start.
	sheetDepth int
	// skipSheets is the number of sheets to pass before the sheet to read,
	// when reading content.xml from its start.
	skipSheets int
	kinds      [odsSheetDepth]odsElem
	started    bool // the sheet's start tag has been read

	nextRow int    // the number of the next <table:table-row>, up to maxRows+1
	repeat  int    // copies of the current row still to return
	tmpl    []Cell // the current row's cells, for its copies

	// The current cell's attributes and text.
	vtype, value, date, time, boolean, str []byte
	text                                   odsText
	raw                                    []byte
}

// openODSSheet starts streaming the sheet with the given name.
func (w *Workbook) openODSSheet(sheet string) (*Rows, error) {
	idx := -1
	for i, s := range w.sheets {
		if s.name == sheet {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("xlsx: no sheet named %q", sheet)
	}
	name, f := w.lookup(w.ods.part)
	rc, err := openEntry(f, &w.closed)
	if err != nil {
		return nil, odsErr(partErr(name, err))
	}
	st := &odsRows{nextRow: 1}
	var x *sheetScanner
	if sh := w.ods.sheets[idx]; w.ods.seek {
		// Open has read and checked everything before the sheet; only the
		// checksum of the whole part is compared again, at the end.
		if err := skipBytes(rc, sh.offset, &w.closed); err != nil {
			rc.Close()
			return nil, odsErr(partErr(name, err))
		}
		x = newSheetScanner(name, rc, f.UncompressedSize64-uint64(sh.offset), &w.closed)
		x.lines = sh.lines
		st.ns = newNSResolver(w.ods.ns)
		st.sheetDepth = 1
	} else {
		x = newSheetScanner(name, rc, f.UncompressedSize64, &w.closed)
		st.sheetDepth = odsSheetDepth
		st.skipSheets = idx
	}
	return &Rows{wb: w, sheet: sheet, part: name, rc: rc, x: x, ods: st}, nil
}

// skipBytes reads and drops the first n bytes of an entry.
func skipBytes(rc *entryReader, n int64, stop *atomic.Bool) error {
	buf := make([]byte, 32<<10)
	for n > 0 {
		if stop.Load() {
			return errClosed
		}
		m, err := rc.Read(buf[:min(n, int64(len(buf)))])
		n -= int64(m)
		switch {
		case err == io.EOF && n > 0:
			return io.ErrUnexpectedEOF
		case err != nil && err != io.EOF:
			return err
		}
	}
	return nil
}

// odsNext is Next for an OpenDocument sheet.
func (r *Rows) odsNext() bool {
	st, x := r.ods, r.x
	if st.repeat > 0 {
		return r.odsRepeat()
	}
	for {
		tok, err := x.next(nil)
		if err == io.EOF {
			r.done = true
			if !st.started {
				// Open found the sheet; the file has changed since.
				r.err = odsErr(corrupt("%s: sheet %q not found", r.part, r.sheet))
			}
			return false
		}
		if err != nil {
			r.err = odsErr(err)
			return false
		}
		d := x.depth()
		switch {
		case tok == tokEnd:
			if st.started && d < st.sheetDepth {
				// The rest of content.xml holds other sheets and settings:
				// it is read unparsed, to compare the part's checksum.
				r.done = true
				r.err = odsErr(r.finish())
				return false
			}
		case !st.started:
			if err := r.odsFindSheet(d); err != nil {
				r.err = odsErr(err)
				return false
			}
		default:
			if err := st.ns.enter(x, d); err != nil {
				r.err = odsErr(err)
				return false
			}
			switch st.ns.elem(x) {
			case odsRow:
				ok, err := r.odsRow()
				if err != nil {
					r.err = odsErr(err)
					return false
				}
				if ok {
					return true
				}
			case odsRowContainer:
				// Its rows are the sheet's rows, in order.
			default:
				// Columns, shapes, forms, named ranges: no cells.
				if err := skipElement(x); err != nil {
					r.err = odsErr(err)
					return false
				}
			}
		}
	}
}

// odsFindSheet looks at a start tag on the way to the sheet: the sheet's
// own, or one of the elements around and before it.
func (r *Rows) odsFindSheet(d int) error {
	st, x := r.ods, r.x
	if d > st.sheetDepth {
		return nil // inside a sheet that is passed over
	}
	if err := st.ns.enter(x, d); err != nil {
		return err
	}
	k := st.ns.elem(x)
	st.kinds[d-1] = k
	if d < st.sheetDepth || k != odsTable {
		return nil
	}
	if d == odsSheetDepth && (st.kinds[2] != odsSpreadsheet || st.kinds[1] != odsBody) {
		return nil
	}
	if st.skipSheets > 0 {
		st.skipSheets--
		return nil
	}
	st.started = true
	return nil
}

// skipElement reads up to the end of the element whose start tag was just
// read.
func skipElement(x *sheetScanner) error {
	depth := x.depth()
	for {
		tok, err := x.next(nil)
		if err != nil {
			return err
		}
		if tok == tokEnd && x.depth() < depth {
			return nil
		}
	}
}

// odsRow reads one <table:table-row>, whose start tag was just read, and
// reports whether it holds a non-empty cell.
func (r *Rows) odsRow() (bool, error) {
	st, x := r.ods, r.x
	rep := 1
	for i := range x.attrs {
		if st.ns.attr(x, i) == odsAttrRowsRep {
			rep = repeatCount(x.attrValue(i), maxRows+1)
		}
	}
	row := st.nextRow
	// Rows past the last of the grid are counted no further: LibreOffice
	// ends every sheet with an empty row repeated to the grid's end.
	st.nextRow = min(st.nextRow+rep, maxRows+1)
	r.cells = r.cells[:0]
	depth := x.depth()
	col := 1
	for {
		tok, err := x.next(nil)
		if err != nil {
			return false, err
		}
		if tok == tokEnd {
			if x.depth() >= depth {
				continue
			}
			if len(r.cells) == 0 {
				return false, nil
			}
			r.row = row
			if rep > 1 {
				st.tmpl = append(st.tmpl[:0], r.cells...)
				st.repeat = rep - 1
			}
			return true, nil
		}
		if err := st.ns.enter(x, x.depth()); err != nil {
			return false, err
		}
		if st.ns.elem(x) != odsCell {
			if err := skipElement(x); err != nil {
				return false, err
			}
			continue
		}
		if err := r.odsCell(&col, row); err != nil {
			return false, err
		}
	}
}

// odsRepeat returns the next copy of a repeated row.
func (r *Rows) odsRepeat() bool {
	st := r.ods
	st.repeat--
	row := r.row + 1
	if row > maxRows {
		r.err = odsErr(r.odsCorrupt("more than %d rows", maxRows))
		return false
	}
	r.row = row
	r.cells = append(r.cells[:0], st.tmpl...)
	for i := range r.cells {
		c := &r.cells[i]
		if err := r.odsSpend(c, row, c.Col, 1); err != nil {
			r.err = err
			return false
		}
	}
	return true
}

func (r *Rows) odsCorrupt(format string, args ...any) error {
	return corrupt("%s, sheet %q: "+format, append([]any{r.part, r.sheet}, args...)...)
}

// repeatCount reads a number-rows-repeated or number-columns-repeated
// value, which is at least 1; numbers larger than limit count as limit.
// Values that are no positive number count as 1, as in LibreOffice.
func repeatCount(v []byte, limit int) int {
	v = trimSpace(v)
	if len(v) == 0 {
		return 1
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 1
		}
		if n = n*10 + int(c-'0'); n > limit {
			return limit
		}
	}
	return max(n, 1)
}

// odsSpend counts copies of the cell c, the first of them at column col of
// the given row, against the workbook's MaxTextSize and its bound on cells,
// and names the copy that went over.
func (r *Rows) odsSpend(c *Cell, row, col, copies int) error {
	book, lim := r.wb.ods, r.wb.lim
	if maxCells, n := maxODSCells(lim), book.cells.Add(int64(copies)); n > maxCells {
		k := 1
		if prev := n - int64(copies); prev < maxCells {
			k = int(maxCells-prev) + 1
		}
		return &FormatError{Problem: ProblemTooLarge, Format: FormatODS,
			Detail: fmt.Sprintf("sheet %q, cell %s: more than %d cells up to here, every repeated copy counted, as many as %s of xlsx could hold",
				r.sheet, ColumnName(col+k-1)+itoa(row), maxCells, formatSize(lim.MaxUnzippedSize))}
	}
	size := int64(len(c.Value))
	if size == 0 {
		return nil
	}
	limit := lim.MaxTextSize
	total := r.wb.text.Add(size * int64(copies))
	if total <= limit {
		return nil
	}
	k := 1
	if prev := total - size*int64(copies); prev < limit {
		k = int((limit-prev)/size) + 1
	}
	ref := ColumnName(col+k-1) + itoa(row)
	return &FormatError{Problem: ProblemTooLarge, Format: FormatODS, Sheet: r.sheet, Cell: ref,
		Detail: fmt.Sprintf("sheet %q, cell %s: the text of the cells up to here exceeds %s, the limit for the whole workbook",
			r.sheet, ref, formatSize(limit))}
}

func itoa(n int) string { return strconv.Itoa(n) }
