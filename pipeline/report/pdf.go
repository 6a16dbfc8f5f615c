package report

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/templates"
)

// Page layout, in millimetres.
const (
	margin  = 15.0
	lineH   = 4.6
	cellPad = 1.2
	font    = "DejaVu"
	fontKey = "dejavu" // font as fpdf names it (GetFontFamily)
)

// Colours of the reports.
var (
	colHead    = [3]int{31, 78, 121}
	colHeadTx  = [3]int{255, 255, 255}
	colZebra   = [3]int{242, 246, 250}
	colGrey    = [3]int{110, 110, 110}
	colPlan    = [3]int{190, 200, 212}
	colActual  = [3]int{46, 117, 182}
	colOver    = [3]int{192, 0, 0}
	colLimit   = [3]int{192, 0, 0}
	sevColours = map[string][3]int{"error": {192, 0, 0}, "warning": {191, 120, 0}, "info": {46, 117, 182}}
)

// doc is one PDF being written.
type doc struct {
	ctx     context.Context
	pdf     *fpdf.Fpdf
	d       *Data
	cat     *messages.Catalog
	lang    string
	title   string
	width   float64 // printable width
	pending string  // a heading waiting for its section's content

	maxPages int      // the page bound (pageBound), the notice of a cut included
	section  string   // the heading of the section being drawn
	noted    bool     // the note on shortened texts was given
	stop     *cut     // where the page bound was reached: nothing more is drawn
	skipped  []string // the sections left out after that
	err      error    // the context's error: rendering was cancelled
}

func (w *doc) t(key string, args messages.Args) string { return w.cat.Text(w.lang, key, args) }

// newDoc starts a document of at most maxPages pages (see pageBound).
func newDoc(ctx context.Context, d *Data, cat *messages.Catalog, orientation, title string, maxPages int) (*doc, error) {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	for _, f := range []struct{ style, file string }{{"", "fonts/DejaVuSansCondensed.ttf"}, {"B", "fonts/DejaVuSansCondensed-Bold.ttf"}} {
		b, err := fs.ReadFile(templates.FS, f.file)
		if err != nil {
			return nil, fmt.Errorf("font %s: %w", f.file, err)
		}
		pdf.AddUTF8FontFromBytes(font, f.style, b)
	}
	// Same data, same bytes: the data's timestamp, never the wall clock.
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(d.DataTime)
	pdf.SetModificationDate(d.DataTime)
	// The pages' content streams are compressed by compressPages, with one
	// zlib writer for the whole document: fpdf makes a new one for every
	// page, and setting up its tables (about 800 KB zeroed) cost more than
	// compressing the page.
	pdf.SetCompression(false)
	pdf.SetTitle(title, true)
	pdf.SetCreator("grantpipe", true)
	pdf.SetProducer("grantpipe", true)
	pdf.SetMargins(margin, margin+6, margin)
	pdf.SetAutoPageBreak(true, margin+6)
	pdf.AliasNbPages("{nb}")
	w := &doc{ctx: ctx, pdf: pdf, d: d, cat: cat, lang: d.Lang, title: title, maxPages: max(maxPages, 2)}
	pw, _ := pdf.GetPageSize()
	w.width = pw - 2*margin
	// Every page break is one of newPage's, which keeps to the bound; an
	// automatic one would mean a line drawn below the page's foot, and is
	// allowed only within the bound too.
	pdf.SetAcceptPageBreakFunc(func() bool { return !w.done() && pdf.PageNo() < w.maxPages-1 })
	pdf.SetHeaderFunc(func() {
		pdf.SetFont(font, "", 7.5)
		w.color(colGrey)
		pdf.SetXY(margin, 8)
		pdf.CellFormat(w.width*0.7, 4, w.t("report.programme", nil), "", 0, "L", false, 0, "")
		pdf.CellFormat(w.width*0.3, 4, title, "", 0, "R", false, 0, "")
		pdf.SetDrawColor(200, 200, 200)
		pdf.Line(margin, 12.5, margin+w.width, 12.5)
		w.color([3]int{0, 0, 0})
		pdf.SetXY(margin, margin+6)
	})
	pdf.SetFooterFunc(func() {
		_, ph := pdf.GetPageSize()
		pdf.SetXY(margin, ph-11)
		pdf.SetFont(font, "", 7.5)
		w.color(colGrey)
		pdf.CellFormat(w.width*0.75, 4, w.t("report.footer", messages.Args{
			"data_time": w.dateTime(d.DataTime), "as_of": w.date(d.AsOf), "rules": d.RuleSet}), "", 0, "L", false, 0, "")
		pdf.CellFormat(w.width*0.25, 4, w.t("report.page", messages.Args{"page": strconv.Itoa(pdf.PageNo()), "pages": "{nb}"}), "", 0, "R", false, 0, "")
		w.color([3]int{0, 0, 0})
	})
	return w, nil
}

// color, fill and setFont leave fpdf's state alone when it already is
// what they would set: fpdf writes a colour and a font into the page each
// time they are set, and formats the colour each time, which a table's
// cells would repeat thousands of times.
func (w *doc) color(c [3]int) {
	if r, g, b := w.pdf.GetTextColor(); [3]int{r, g, b} != c {
		w.pdf.SetTextColor(c[0], c[1], c[2])
	}
}

func (w *doc) fill(c [3]int) {
	if r, g, b := w.pdf.GetFillColor(); [3]int{r, g, b} != c {
		w.pdf.SetFillColor(c[0], c[1], c[2])
	}
}

func (w *doc) setFont(style string, size float64) {
	if pt, _ := w.pdf.GetFontSize(); pt != size || w.pdf.GetFontStyle() != style || w.pdf.GetFontFamily() != fontKey {
		w.pdf.SetFont(font, style, size)
	}
}

func (w *doc) date(t time.Time) string {
	if w.lang == "en" {
		return t.Format("2006-01-02")
	}
	return t.Format("02.01.2006")
}

func (w *doc) dateTime(t time.Time) string {
	if w.lang == "en" {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("02.01.2006 15:04")
}

func (w *doc) dateP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return w.date(*t)
}

// money formats an amount; the space before "€" does not break, so an
// amount never wraps inside a narrow column.
func (w *doc) money(c money.Cents) string { return strings.ReplaceAll(c.Format(w.lang), " ", "\u00a0") }

// pct formats basis points: 12345 → "123,45 %".
func (w *doc) pct(bp int64) string {
	s := fmt.Sprintf("%d.%02d %%", bp/100, abs64(bp%100))
	if bp < 0 && bp > -100 {
		s = "-" + s
	}
	if w.lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// heading starts a section. It is drawn with the section's first content
// (see begin), so a heading never stands alone at the foot of a page.
func (w *doc) heading(text string) {
	if w.done() {
		w.skipped = append(w.skipped, text)
		return
	}
	w.pending, w.section = text, text
}

// begin makes room for need millimetres of content, with the pending
// heading above it on the same page. It reports false when the document
// has reached its bound: the section is not drawn.
func (w *doc) begin(need float64) bool {
	pdf := w.pdf
	if w.pending == "" {
		return w.ensure(need)
	}
	if !w.ensure(need + 12) {
		return false
	}
	pdf.Ln(3)
	pdf.SetFont(font, "B", 12)
	w.color(colHead)
	pdf.CellFormat(w.width, 7, w.pending, "", 1, "L", false, 0, "")
	w.color([3]int{0, 0, 0})
	pdf.SetFont(font, "", 9)
	w.pending = ""
	return true
}

func (w *doc) titleBlock(title, subtitle string) {
	pdf := w.pdf
	pdf.SetFont(font, "B", 17)
	pdf.MultiCell(w.width, 8, title, "", "L", false)
	pdf.SetFont(font, "", 10)
	w.color(colGrey)
	pdf.MultiCell(w.width, 5, subtitle, "", "L", false)
	w.color([3]int{0, 0, 0})
	pdf.Ln(2)
}

func (w *doc) paragraph(text string) {
	if !w.begin(2 * lineH) {
		return
	}
	w.pdf.SetFont(font, "", 9)
	ls, _ := w.lines(text, w.width, maxParagraphLines, maxParagraphRunes)
	w.drawLines(ls, lineH, "L")
	w.pdf.Ln(1.5)
}

// drawLines draws lines the full printable width down the page, each
// lh high, breaking the page where needed (within the bound).
func (w *doc) drawLines(lines []string, lh float64, align string) {
	for _, l := range lines {
		if !w.ensure(lh) {
			return
		}
		w.pdf.SetX(margin)
		w.pdf.CellFormat(w.width, lh, l, "", 2, align, false, 0, "")
	}
}

// ensure starts a new page unless h millimetres fit on this one. It
// reports false when no page may be added (see newPage).
func (w *doc) ensure(h float64) bool {
	if w.done() {
		return false
	}
	_, ph := w.pdf.GetPageSize()
	if w.pdf.GetY()+h > ph-margin-6 {
		return w.newPage()
	}
	return true
}

// newPage adds a page unless the document has reached its page bound (one
// page is kept for the notice of the cut) or its context was cancelled;
// then it records where it stopped, reports false, and nothing more is
// drawn.
func (w *doc) newPage() bool {
	if w.done() {
		return false
	}
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return false
	}
	if w.pdf.PageNo() >= w.maxPages-1 {
		w.stop = &cut{section: w.section}
		return false
	}
	w.pdf.AddPage()
	return true
}

// done reports whether drawing has stopped: at the page bound, or
// cancelled.
func (w *doc) done() bool { return w.stop != nil || w.err != nil }

// column of a table.
type column struct {
	title string
	width float64 // share of the printable width
	align string  // "L" or "R"
}

// tableStyle sets a table's font size.
type tableStyle struct {
	size float64 // font size in points; 0: 8
}

// row of a table: its cells, and how it is drawn.
type row struct {
	cells []string
	bold  bool
	fill  *[3]int
	color map[int][3]int // text colour per cell
	place string         // where the row came from (a receipt's quarter, sheet and cell), for the notice of a cut
}

// table draws a table that breaks across pages with its header repeated,
// wrapping long text inside its column. A short table is kept on one page.
func (w *doc) table(cols []column, rows []row) { w.styledTable(tableStyle{}, cols, rows) }

// styledTable lays out every cell first, within maxCellLines lines (see
// pdf_bounds.go), so that the note on shortened texts can stand above the
// table that first needs it; then it draws the rows until the document's
// page bound.
func (w *doc) styledTable(st tableStyle, cols []column, rows []row) {
	if w.done() {
		return
	}
	pdf := w.pdf
	size := st.size
	if size == 0 {
		size = 8
	}
	lh := lineH * size / 8
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.width * w.width
	}
	// Lay out. A district writes the same payees, purposes and dates
	// again and again: each text is broken into lines once per column and
	// style.
	type layoutKey struct {
		text string
		col  int
		bold bool
	}
	type layout struct {
		lines []string
		cut   bool
	}
	memo := map[layoutKey]layout{}
	laid := make([][][]string, len(rows))
	heights := make([]float64, len(rows))
	shortened := false
	for n, r := range rows {
		if n%1024 == 1023 {
			if err := w.ctx.Err(); err != nil {
				w.err = err
				return
			}
		}
		style := ""
		if r.bold {
			style = "B"
		}
		w.setFont(style, size)
		laid[n] = make([][]string, len(cols))
		h := lh
		for i := range cols {
			text := ""
			if i < len(r.cells) {
				text = r.cells[i]
			}
			key := layoutKey{text, i, r.bold}
			l, ok := memo[key]
			if !ok {
				l.lines, l.cut = w.lines(text, widths[i]-2*cellPad, maxCellLines, maxCellRunes)
				memo[key] = l
			}
			ls, cut := l.lines, l.cut
			laid[n][i] = ls
			shortened = shortened || cut
			h = max(h, float64(len(ls))*lh)
		}
		heights[n] = h + 1
	}
	header := func() {
		pdf.SetFont(font, "B", size)
		w.fill(colHead)
		w.color(colHeadTx)
		h := 0.0
		titles := make([][]string, len(cols))
		for i, c := range cols {
			titles[i], _ = w.lines(c.title, widths[i]-2*cellPad, maxCellLines, maxCellRunes)
			h = max(h, float64(len(titles[i]))*lh)
		}
		x, y := margin, pdf.GetY()
		for i, c := range cols {
			pdf.Rect(x, y, widths[i], h+1, "F")
			for j, line := range titles[i] {
				pdf.SetXY(x+cellPad, y+0.5+float64(j)*lh)
				pdf.CellFormat(widths[i]-2*cellPad, lh, line, "", 0, c.align, false, 0, "")
			}
			x += widths[i]
		}
		pdf.SetXY(margin, y+h+1)
		w.color([3]int{0, 0, 0})
	}
	need := 5 * (lh + 1.2)
	if len(rows) <= 12 {
		need = float64(len(rows)+2) * (lh + 1.2)
	}
	if shortened && !w.noted {
		need += 8
	}
	if !w.begin(need) {
		return
	}
	if shortened {
		w.shortenedNote()
	}
	header()
	_, ph := pdf.GetPageSize()
	for n, r := range rows {
		h := heights[n]
		if pdf.GetY()+h > ph-margin-6 {
			if !w.newPage() {
				if w.stop != nil {
					w.stop.shown, w.stop.rows = n, len(rows)
					if n > 0 {
						w.stop.last, _ = firstRunes(rows[n-1].place, 300)
					}
				}
				return
			}
			header()
		}
		style := ""
		if r.bold {
			style = "B"
		}
		w.setFont(style, size)
		x, y := margin, pdf.GetY()
		switch {
		case r.fill != nil:
			w.fill(*r.fill)
			pdf.Rect(x, y, w.width, h, "F")
		case n%2 == 1:
			w.fill(colZebra)
			pdf.Rect(x, y, w.width, h, "F")
		}
		// Text is drawn in the fill colour: with fill and text both black,
		// fpdf writes a cell's text without setting and restoring its
		// colour around it.
		w.fill([3]int{0, 0, 0})
		for i, c := range cols {
			if col, ok := r.color[i]; ok {
				w.color(col)
			}
			for j, line := range laid[n][i] {
				pdf.SetXY(x+cellPad, y+0.5+float64(j)*lh)
				pdf.CellFormat(widths[i]-2*cellPad, lh, line, "", 0, c.align, false, 0, "")
			}
			w.color([3]int{0, 0, 0})
			x += widths[i]
		}
		pdf.SetXY(margin, y+h)
		laid[n] = nil
	}
	pdf.SetDrawColor(200, 200, 200)
	pdf.Line(margin, pdf.GetY(), margin+w.width, pdf.GetY())
	pdf.Ln(2)
}

// keyFigures draws label/value pairs in two columns.
func (w *doc) keyFigures(pairs [][2]string) {
	var rows []row
	for _, p := range pairs {
		rows = append(rows, row{cells: []string{p[0], p[1]}})
	}
	w.table([]column{{w.t("report.col_figure", nil), 0.6, "L"}, {w.t("report.col_value", nil), 0.4, "R"}}, rows)
}

// activities draws the activities per type with their total: a
// district's, or the state's.
func (w *doc) activities(acts []Activity) {
	var rows []row
	var n int
	var p int64
	for _, a := range acts {
		rows = append(rows, row{cells: []string{a.Type.Name(w.lang), strconv.Itoa(a.Count), strconv.FormatInt(a.Participants, 10)}})
		n += a.Count
		p += a.Participants
	}
	rows = append(rows, row{cells: []string{w.t("report.total", nil), strconv.Itoa(n), strconv.FormatInt(p, 10)}, bold: true})
	w.table([]column{{w.t("report.col_activity", nil), 0.6, "L"}, {w.t("report.col_count", nil), 0.2, "R"}, {w.t("report.col_participants", nil), 0.2, "R"}}, rows)
}

func (w *doc) status(s string) string { return w.t("report.status_"+s, nil) }

func (w *doc) severity(s string) string { return w.t("report.severity_"+s, nil) }

// finish completes the document (with the notice of a cut when it reached
// its bound) and writes it to out.
func (w *doc) finish(out io.Writer) error {
	if w.err != nil {
		return w.err
	}
	if w.stop != nil {
		w.cutNotice()
	}
	if err := w.pdf.Error(); err != nil {
		return err
	}
	pc := &pageCompressor{out: out}
	if err := w.pdf.Output(pc); err != nil {
		return err
	}
	return pc.close()
}

// pageCompressor takes the document fpdf writes and passes it to
// compressPages. fpdf writes the whole document in one call, which is
// compressed as it comes, without a copy of the uncompressed document (6 MB
// for 8,000 receipts); were it written in parts, they are put together
// first.
type pageCompressor struct {
	out  io.Writer
	raw  []byte
	done bool
}

func (c *pageCompressor) Write(p []byte) (int, error) {
	if c.done {
		return 0, errors.New("compressing the pages: written to after the end of the document")
	}
	if len(c.raw) == 0 && bytes.HasSuffix(p, []byte("\n%%EOF\n")) {
		c.done = true
		return len(p), compressPages(c.out, p)
	}
	c.raw = append(c.raw, p...)
	return len(p), nil
}

func (c *pageCompressor) close() error {
	if c.done {
		return nil
	}
	c.done = true
	return compressPages(c.out, c.raw)
}

// compressPages writes doc, a PDF as fpdf writes it without compression,
// to out with each page's content stream compressed exactly as fpdf's
// SetCompression(true) compresses it (zlib at BestSpeed, the same
// dictionary): the same bytes as fpdf's own, at a fraction of the cost, as
// the tests check. Every other object is copied as it is, and the
// cross-reference table is written again with the objects' new offsets.
func compressPages(out io.Writer, doc []byte) error {
	bad := func(what string) error { return fmt.Errorf("compressing the pages: %s not as fpdf writes it", what) }
	// The end: "startxref\n<offset>\n%%EOF\n".
	sx := bytes.LastIndex(doc, []byte("\nstartxref\n"))
	if sx < 0 {
		return bad("startxref")
	}
	xrefAt, err := strconv.Atoi(string(bytes.TrimSuffix(doc[sx+len("\nstartxref\n"):], []byte("\n%%EOF\n"))))
	if err != nil || xrefAt <= 0 || xrefAt > sx {
		return bad("startxref")
	}
	// The table: "xref\n0 <n>\n", the free entry, then one entry of 20
	// bytes per object ("0000000123 00000 n \n"), then the trailer.
	xref := doc[xrefAt : sx+1]
	head, _, ok := bytes.Cut(xref, []byte("\n0000000000 65535 f \n"))
	count, err := strconv.Atoi(string(bytes.TrimPrefix(head, []byte("xref\n0 "))))
	if !ok || err != nil || !bytes.HasPrefix(head, []byte("xref\n0 ")) || count < 1 {
		return bad("xref")
	}
	entries := xref[len(head)+len("\n0000000000 65535 f \n"):]
	if len(entries) < 20*(count-1) {
		return bad("xref")
	}
	trailer := entries[20*(count-1):]
	offsets := make([]int, count) // by object number; 0 is the free entry
	for n := 1; n < count; n++ {
		e := entries[20*(n-1) : 20*n]
		if !bytes.HasSuffix(e, []byte(" 00000 n \n")) {
			return bad("xref entry")
		}
		if offsets[n], err = strconv.Atoi(string(e[:10])); err != nil || offsets[n] <= 0 || offsets[n] >= xrefAt {
			return bad("xref entry")
		}
	}
	// fpdf writes the pages' root (object 1) and the resources (2) after
	// the pages: the objects in the order of their offsets.
	order := make([]int, 0, count-1)
	for n := 1; n < count; n++ {
		order = append(order, n)
	}
	slices.SortFunc(order, func(a, b int) int { return offsets[a] - offsets[b] })

	cw := &countingWriter{w: out}
	cw.Write(doc[:offsets[order[0]]]) // the header
	newOffsets := make([]int, count)
	contents := map[int]bool{} // the content streams' object numbers
	var zw *zlib.Writer
	var comp bytes.Buffer
	for i, n := range order {
		end := xrefAt
		if i+1 < len(order) {
			end = offsets[order[i+1]]
		}
		obj := doc[offsets[n]:end]
		newOffsets[n] = cw.n
		prefix := strconv.Itoa(n) + " 0 obj\n"
		if !bytes.HasPrefix(obj, []byte(prefix)) {
			return bad("object " + strconv.Itoa(n))
		}
		body := obj[len(prefix):]
		switch {
		case bytes.HasPrefix(body, []byte("<</Type /Page\n")):
			// "/Contents <n> 0 R>>\nendobj\n" names the page's content.
			at := bytes.LastIndex(body, []byte("/Contents "))
			ref, _, ok := bytes.Cut(body[max(at, 0)+len("/Contents "):], []byte(" 0 R>>\n"))
			c, err := strconv.Atoi(string(ref))
			if at < 0 || !ok || err != nil {
				return bad("page object " + strconv.Itoa(n))
			}
			contents[c] = true
		case contents[n]:
			// "<</Length <len>>>\nstream\n<data>\nendstream\nendobj\n"
			dict, rest, ok := bytes.Cut(body, []byte(">>\nstream\n"))
			length, err := strconv.Atoi(string(bytes.TrimPrefix(dict, []byte("<</Length "))))
			if !ok || err != nil || !bytes.HasPrefix(dict, []byte("<</Length ")) || length > len(rest) ||
				string(rest[length:]) != "\nendstream\nendobj\n" {
				return bad("content stream " + strconv.Itoa(n))
			}
			comp.Reset()
			if zw == nil {
				zw, _ = zlib.NewWriterLevel(&comp, zlib.BestSpeed) // the level is valid
			} else {
				zw.Reset(&comp)
			}
			if _, err := zw.Write(rest[:length]); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			cw.Write([]byte(prefix + "<</Filter /FlateDecode /Length " + strconv.Itoa(comp.Len()) + ">>\nstream\n"))
			cw.Write(comp.Bytes())
			cw.Write(rest[length:])
			continue
		}
		cw.Write(obj)
	}
	xrefAt = cw.n
	var tb []byte
	tb = append(tb, "xref\n0 "...)
	tb = strconv.AppendInt(tb, int64(count), 10)
	tb = append(tb, "\n0000000000 65535 f \n"...)
	cw.Write(tb)
	for _, o := range newOffsets[1:] {
		cw.Write(fmt.Appendf(tb[:0], "%010d 00000 n \n", o))
	}
	cw.Write(trailer)
	cw.Write([]byte("startxref\n" + strconv.Itoa(xrefAt) + "\n%%EOF\n"))
	return cw.err
}

// countingWriter counts what it writes; its first error sticks.
type countingWriter struct {
	w   io.Writer
	n   int
	err error
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(b)
	c.n += n
	c.err = err
	return n, err
}

// periodName is "1. Quartal 2026" or "Haushaltsjahr 2026".
func periodName(p Period, cat *messages.Catalog, lang string) string {
	if p.Annual() {
		return cat.Text(lang, "report.period_year", messages.Args{"year": strconv.Itoa(p.Year)})
	}
	return cat.Text(lang, "report.period_quarter", messages.Args{"year": strconv.Itoa(p.Year), "quarter": strconv.Itoa(p.Quarter)})
}
