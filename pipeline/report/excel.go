package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/fastzip"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/workbook"
)

// The Excel reports are the figures of the PDF reports as workbooks a
// finance team can filter, sort and sum: every amount, percentage, date and
// count is a number cell with a number format, never text, and every text
// that came from a submission is written as a string cell, so that a payee
// "=Hotel Fürstenhof" stays text and never becomes a formula. Every sheet
// holds one table: a title line, a bold header with the panes frozen below it
// and an auto-filter over the data rows; a totals row, where there is one,
// sits below the filter range so that sorting leaves it in place.
//
// The same Data gives the same bytes: the document properties carry the
// data's timestamp, not the wall clock, and excelize writes its zip entries
// in a fixed order.

// --- sheets of both workbooks ----------------------------------------------------

// maxSheetRows is how many data rows a table sheet takes at most.
const maxSheetRows = 1_000_000

// findingsSheet lists the findings of dists, with the district's key and
// name in front when withDistrict is set (the state report).
func (b *excelBook) findingsSheet(key string, dists []*District, withDistrict bool) {
	var cols []excelColumn
	if withDistrict {
		cols = append(cols, b.col("ags", 10, false), b.col("district", 24, true))
	}
	cols = append(cols,
		b.col("quarter", 10, false),
		b.col("severity", 12, false),
		b.col("rule", 24, true),
		b.col("file", 30, true),
		b.col("sheet", 16, false),
		b.col("cell", 8, false),
		b.col("message", 70, true),
	)
	// A sheet holds 1,048,576 rows; beyond a million findings the rest are
	// counted in a last row (all of them are in the database and the export).
	written, total := 0, 0
	for _, dist := range dists {
		total += len(dist.Findings)
	}
	rows := total
	if total > maxSheetRows {
		rows = maxSheetRows + 1
	}
	// The state's list of every finding is its long table; a district's
	// workbook streams its receipts instead (see longSheet).
	var s *sheetWriter
	if withDistrict {
		s = b.longSheet(key, rows, cols...)
	} else {
		s = b.newSheet(key, cols...)
	}
	for _, dist := range dists {
		for _, f := range dist.Findings {
			if written == maxSheetRows {
				s.add(xlText(b.text("excel.more_findings", messages.Args{"n": strconv.Itoa(total - written)})))
				s.finish()
				return
			}
			written++
			var row []xlValue
			if withDistrict {
				row = append(row, xlText(dist.AGS), xlText(dist.Name))
			}
			quarter := xlBlank()
			if f.Quarter > 0 {
				quarter = xlID(int64(f.Quarter))
			}
			row = append(row, quarter, xlText(b.severity(f.Severity)), xlText(f.Rule),
				xlText(datadir.Printable(f.File)), xlText(f.Sheet), xlText(f.Cell), xlText(f.Message))
			s.add(row...)
		}
	}
	s.finish()
}

func (b *excelBook) activitiesSheet(acts []Activity) {
	s := b.newSheet("activities",
		b.col("activity_type", 36, true),
		b.col("count", 10, false),
		b.col("participants", 14, false),
	)
	var count, participants int64
	for _, a := range acts {
		count += int64(a.Count)
		participants += a.Participants
		s.add(xlText(a.Type.Name(b.lang)), xlCount(int64(a.Count)), xlCount(a.Participants))
	}
	s.total(xlText(b.text("excel.total", nil)), xlCount(count), xlCount(participants))
	s.finish()
}

// receiptsSheet is the Belegliste: every receipt with the file, sheet and

func (b *excelBook) figuresSheet() *sheetWriter {
	return b.newSheet("overview",
		b.col("label", 58, true),
		b.col("value", 22, false),
		b.col("note", 24, true),
	)
}

// figure adds a key figure to an overview sheet.
func (s *sheetWriter) figure(label string, v xlValue, note string) {
	s.add(xlText(s.b.text("excel.label."+label, nil)), v, xlText(note))
}

// runFigures adds when the data was taken and which check run judged it.
func (b *excelBook) runFigures(s *sheetWriter) {
	s.figure("data_time", xlDateTime(b.d.DataTime), "")
	s.figure("as_of", xlDate(&b.d.AsOf), "")
	s.figure("rule_set", xlText(b.d.RuleSet), "")
}

// balanceNote words a balance (paid out − grant). Until the year is
// settled it is provisional: more or less paid out than the grant so far,
// not a claim; once settled, a repayment claim or an additional payment.
func (b *excelBook) balanceNote(balance money.Cents, settled bool) string {
	switch {
	case balance > 0 && settled:
		return b.text("excel.note.repay", nil)
	case balance > 0:
		return b.text("excel.note.paid_more", nil)
	case balance < 0 && settled:
		return b.text("excel.note.to_pay", nil)
	case balance < 0:
		return b.text("excel.note.paid_less", nil)
	default:
		return b.text("excel.note.settled", nil)
	}
}

// settledNote says whether a grant is fixed or still provisional.
func (b *excelBook) settledNote(settled bool) string {
	if settled {
		return b.text("excel.note.fixed", nil)
	}
	return b.text("excel.note.provisional", nil)
}

func (b *excelBook) periodText() string {
	p := b.d.Period
	if p.Annual() {
		return b.text("excel.period.year", messages.Args{"year": strconv.Itoa(p.Year)})
	}
	return b.text("excel.period.quarter", messages.Args{"year": strconv.Itoa(p.Year), "quarter": strconv.Itoa(p.Quarter)})
}

// status names a submission status; a status the catalogue does not know
// is shown as it is rather than as a key.
func (b *excelBook) status(s string) string {
	if s == "" {
		return ""
	}
	return b.known("excel.status."+s, s)
}

func (b *excelBook) severity(s string) string { return b.known("excel.severity."+s, s) }

func (b *excelBook) known(key, fallback string) string {
	if !b.cat.Has(key) {
		return fallback
	}
	return b.text(key, nil)
}

func (b *excelBook) yesNo(v bool) xlValue {
	if v {
		return xlText(b.text("excel.yes", nil))
	}
	return xlText(b.text("excel.no", nil))
}

func (b *excelBook) chartTitle(key string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: b.text(key, nil)}}}
}

// --- the workbook ---------------------------------------------------------------

// excelBook is a workbook being written. Errors are sticky: the first one
// is kept and returned by write, so the sheet code reads as a layout.
type excelBook struct {
	f      *excelize.File
	d      *Data
	cat    *messages.Catalog
	lang   string
	title  string
	sheets int
	// streamed says a sheet of the workbook is streamed (see longSheet),
	// and raw holds its data rows, written by rawRow.
	streamed bool
	raw      *rawSheet
	// rawPath is the streamed sheet's part.
	rawPath string
	styles  map[excelStyleKey]int
	err     error
}

func newExcelBook(d *Data, cat *messages.Catalog) *excelBook {
	lang := d.Lang
	if lang != "en" {
		lang = "de"
	}
	f := excelize.NewFile()
	f.SetZipWriter(fastzip.Excelize)
	return &excelBook{f: f, d: d, cat: cat, lang: lang, styles: map[excelStyleKey]int{}}
}

func (b *excelBook) close() { _ = b.f.Close() }

func (b *excelBook) fail(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

func (b *excelBook) text(key string, args messages.Args) string {
	return b.cat.Text(b.lang, key, args)
}

// write sets the document properties from the data's timestamp (without
// one, excelize's fixed template dates stay) and writes the workbook.
func (b *excelBook) write(w io.Writer) error {
	props := &excelize.DocProperties{
		Title:          b.title,
		Creator:        b.text("excel.doc.creator", nil),
		LastModifiedBy: b.text("excel.doc.creator", nil),
		Language:       b.text("excel.doc.language", nil),
	}
	if !b.d.DataTime.IsZero() {
		stamp := b.d.DataInstant().Format("2006-01-02T15:04:05Z")
		props.Created, props.Modified = stamp, stamp
	}
	b.fail(b.f.SetDocProps(props))
	// excelize adds the image content types of the first drawing from a map,
	// in random order: sort them, so the same data gives the same bytes.
	if ct := b.f.ContentTypes; ct != nil {
		sort.SliceStable(ct.Defaults, func(i, j int) bool { return ct.Defaults[i].Extension < ct.Defaults[j].Extension })
	}
	if b.err != nil {
		return b.err
	}
	var z *rawZip
	if b.raw != nil {
		b.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
			z = &rawZip{Writer: fastzip.NewWriter(w), path: b.rawPath, sheet: b.raw}
			return z
		})
	}
	if _, err := b.f.WriteTo(w); err != nil {
		return err
	}
	if z != nil && !z.spliced {
		return fmt.Errorf("excel: the rows of %s were not written", b.rawPath)
	}
	return nil
}

// rawRows says to write the data rows of a streamed sheet with rawRow
// rather than the StreamWriter; false only in the test that compares the
// two.
var rawRows = true

// rawSheet holds the data rows of the streamed sheet as XML, written as
// excelize's StreamWriter writes them (TestRawRowsAreTheStreamWritersBytes)
// at a third of its cost: it formats each cell through an interface value,
// a cell name and several passes over each text. after is how many rows
// the stream has before them (the title and the header).
type rawSheet struct {
	after int
	buf   bytes.Buffer
}

// row writes one data row: vals from column A on, each with its style,
// and the row's height in points when it is not the default (0).
func (r *rawSheet) row(row int, vals []xlValue, styles []int, height float64) {
	b := &r.buf
	num := strconv.Itoa(row)
	b.WriteString(`<row r="`)
	b.WriteString(num)
	b.WriteByte('"')
	if height > 0 {
		b.WriteString(` ht="`)
		b.WriteString(strconv.FormatFloat(height, 'f', -1, 64))
		b.WriteString(`" customHeight="1"`)
	}
	b.WriteByte('>')
	for i, v := range vals {
		if v.blank {
			continue
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		b.WriteString(`<c r="`)
		b.WriteString(name)
		b.WriteString(num)
		b.WriteByte('"')
		if styles[i] != 0 {
			b.WriteString(` s="`)
			b.WriteString(strconv.Itoa(styles[i]))
			b.WriteByte('"')
		}
		switch {
		case v.kind == cellText:
			r.text(v.text)
		case v.kind == cellCount || v.kind == cellID:
			b.WriteString(`><v>`)
			b.WriteString(strconv.FormatInt(v.n, 10))
			b.WriteString(`</v>`)
		case math.IsNaN(v.num) || math.IsInf(v.num, 0):
			r.text(fmt.Sprint(v.num))
		default:
			b.WriteString(`><v>`)
			b.WriteString(formatFloat(v.num))
			b.WriteString(`</v>`)
		}
		b.WriteString(`</c>`)
	}
	b.WriteString(`</row>`)
}

// text writes an inline string as the StreamWriter does: cut to Excel's
// 32,767 UTF-16 units, blanks at either end preserved, escaped, line feeds
// kept, and what reads as an escaped character ("_x0041_") escaped again.
func (r *rawSheet) text(s string) {
	b := &r.buf
	b.WriteString(` t="inlineStr"><is><t`)
	if n := len(s); n > 0 && (isXMLBlank(s[0]) || isXMLBlank(s[n-1])) {
		b.WriteString(` xml:space="preserve"`)
	}
	b.WriteByte('>')
	if len(s) > excelize.TotalCellChars/3 {
		s = cutUTF16(s, excelize.TotalCellChars)
	}
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(s))
	t := esc.String()
	if strings.Contains(t, "&#xA;") {
		t = strings.ReplaceAll(t, "&#xA;", "\n")
	}
	if strings.Contains(t, "_x") {
		t = escapeBSTR(t)
	}
	b.WriteString(t)
	b.WriteString(`</t></is>`)
}

func isXMLBlank(c byte) bool { return c == 9 || c == 10 || c == 13 || c == 32 }

// cutUTF16 cuts s to at most n UTF-16 code units.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > n {
			return s[:i]
		}
	}
	return s
}

var (
	bstrChar   = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscape = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// escapeBSTR escapes what Excel would read as an escaped character, as
// excelize's bstrMarshal does (which the StreamWriter applies to every
// text): "_xHHHH_" becomes "_x005F_xHHHH_".
func escapeBSTR(s string) string {
	var out strings.Builder
	cursor := 0
	for _, m := range bstrChar.FindAllStringIndex(s, -1) {
		out.WriteString(s[cursor:m[0]])
		sub := s[m[0]:m[1]]
		if sub == "_x005F_" {
			cursor = m[1]
			if m[1]+6 <= len(s) && bstrEscape.MatchString(s[m[1]:m[1]+6]) {
				if _, err := strconv.Unquote(`"\u` + s[m[1]+1:m[1]+5] + `"`); err == nil {
					out.WriteString(sub + "x005F" + sub)
					continue
				}
			}
			out.WriteString(sub + "x005F_")
			continue
		}
		cursor = m[1]
		if _, err := strconv.Unquote(`"\u` + s[m[0]+2:m[1]-1] + `"`); err == nil {
			out.WriteString("_x005F" + sub)
			continue
		}
	}
	out.WriteString(s[cursor:])
	return out.String()
}

// formatFloat formats a number as excelize does: the shortest decimal
// that reads back as it, cut to Excel's 15 significant digits.
func formatFloat(v float64) string {
	str := strconv.FormatFloat(v, 'f', -1, 64)
	if math.Abs(v) == math.MaxFloat64 {
		return str
	}
	const maxPrec = 15
	decimal := strings.IndexByte(str, '.')
	significant := 0
	for idx := range str {
		if str[idx] < '0' || str[idx] > '9' || significant == 0 && str[idx] == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if decimal >= 0 && idx > decimal {
			return strings.TrimSuffix(str[:idx], ".")
		}
		if decimal < 0 {
			decimal = len(str)
		}
		truncated := []byte(str[:decimal])
		for ; idx < len(truncated); idx++ {
			truncated[idx] = '0'
		}
		return string(truncated)
	}
	return str
}

// rawZip is the zip writer of a workbook with a streamed sheet: it puts
// the sheet's data rows (sheet) into its part (path) after the rows the
// stream has before them.
type rawZip struct {
	*zip.Writer
	path    string
	sheet   *rawSheet
	spliced bool
}

func (z *rawZip) Create(name string) (io.Writer, error) {
	w, err := z.Writer.Create(name)
	if err != nil || name != z.path {
		return w, err
	}
	return &rowSplicer{w: w, z: z, left: z.sheet.after}, nil
}

// rowSplicer passes a sheet part through, inserting the data rows after
// the left-th "</row>" (a text holds no "<": it is escaped).
type rowSplicer struct {
	w       io.Writer
	z       *rawZip
	left    int
	matched int // bytes of "</row>" matched at the end of the last write
}

func (s *rowSplicer) Write(p []byte) (int, error) {
	const end = "</row>"
	if s.z.spliced {
		return s.w.Write(p)
	}
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == end[s.matched]:
			s.matched++
		case p[i] == end[0]:
			s.matched = 1
		default:
			s.matched = 0
		}
		if s.matched < len(end) {
			continue
		}
		s.matched = 0
		if s.left--; s.left > 0 {
			continue
		}
		if _, err := s.w.Write(p[:i+1]); err != nil {
			return 0, err
		}
		if _, err := s.w.Write(s.z.sheet.buf.Bytes()); err != nil {
			return 0, err
		}
		s.z.spliced = true
		if _, err := s.w.Write(p[i+1:]); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return s.w.Write(p)
}

// excelColumn is a table column: its header text, width in characters and
// whether its text wraps.
type excelColumn struct {
	header string
	width  float64
	wrap   bool
}

func (b *excelBook) col(key string, width float64, wrap bool) excelColumn {
	return excelColumn{header: b.text("excel.col."+key, nil), width: width, wrap: wrap}
}

// cellKind is how a value is written and formatted.
type cellKind uint8

const (
	cellText     cellKind = iota
	cellMoney             // euros, two decimals, the catalogue's money format
	cellPct               // a fraction shown as 0.00 %
	cellDate              // a day
	cellDateTime          // a day and time
	cellCount             // an integer with thousands separators
	cellID                // an integer without: quarters, IDs, numbering
	cellDecimal           // a plain decimal such as full-time equivalents
)

// xlValue is one cell's value. A blank value leaves the cell empty.
type xlValue struct {
	kind  cellKind
	text  string
	num   float64
	n     int64
	prec  int
	blank bool
}

func xlBlank() xlValue { return xlValue{blank: true} }

// xlText is text exactly as given; it is always written as a string cell.
func xlText(s string) xlValue { return xlValue{kind: cellText, text: s, blank: s == ""} }

func xlMoney(c money.Cents) xlValue { return xlValue{kind: cellMoney, num: float64(c) / 100, prec: 2} }

func xlMoneyPtr(c *money.Cents) xlValue {
	if c == nil {
		return xlBlank()
	}
	return xlMoney(*c)
}

func xlBasisPoints(bp int64) xlValue {
	return xlValue{kind: cellPct, num: float64(bp) / 10000, prec: 4}
}

// xlRatio is num/den as a percentage, blank when den is 0.
func xlRatio(num, den int64) xlValue {
	if den == 0 {
		return xlBlank()
	}
	return xlValue{kind: cellPct, num: float64(num) / float64(den), prec: -1}
}

func xlCount(n int64) xlValue { return xlValue{kind: cellCount, n: n} }

func xlID(n int64) xlValue { return xlValue{kind: cellID, n: n} }

func xlDate(t *time.Time) xlValue {
	if t == nil || t.IsZero() {
		return xlBlank()
	}
	y, m, d := t.Date()
	return xlValue{kind: cellDate, num: excelSerial(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)), prec: -1}
}

func xlDateTime(t time.Time) xlValue {
	if t.IsZero() {
		return xlBlank()
	}
	return xlValue{kind: cellDateTime, num: excelSerial(t), prec: -1}
}

// xlFTE writes full-time equivalents as a number, or as the text given when
// it is not one.
func xlFTE(s string) xlValue {
	if v, ok := parseFTE(s); ok {
		return xlValue{kind: cellDecimal, num: v, prec: -1}
	}
	return xlText(s)
}

func parseFTE(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// excelSerial is t's wall-clock time as an Excel serial date (1900 system).
// It is computed here rather than by excelize's SetCellValue, which would
// replace the cell's date format with its own default.
func excelSerial(t time.Time) float64 {
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	secs := t.Hour()*3600 + t.Minute()*60 + t.Second()
	return days + float64(secs)/86400
}

type excelStyleKey struct {
	role       uint8 // 0 body, 1 header, 2 title
	kind       cellKind
	bold, wrap bool
}

// style returns the style of a body cell, created on first use; the order of
// first use is fixed, so the style ids are too.
func (b *excelBook) style(k excelStyleKey) int {
	if id, ok := b.styles[k]; ok {
		return id
	}
	st := &excelize.Style{
		Font:      &excelize.Font{Bold: k.bold},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: k.wrap},
	}
	switch k.role {
	case 1:
		st.Font.Bold = true
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}
		st.Alignment = &excelize.Alignment{Vertical: "center", WrapText: true}
		st.Border = []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}
	case 2:
		st.Font = &excelize.Font{Bold: true, Size: 13}
	}
	format := func(key string) *string { s := b.text(key, nil); return &s }
	switch k.kind {
	case cellMoney:
		st.CustomNumFmt = format("excel.format.money")
	case cellPct:
		st.NumFmt = 10 // 0.00%
	case cellDate:
		st.CustomNumFmt = format("excel.format.date")
	case cellDateTime:
		st.CustomNumFmt = format("excel.format.datetime")
	case cellCount:
		st.NumFmt = 3 // #,##0
	case cellID:
		st.NumFmt = 1 // 0
	case cellDecimal:
		decimal := "0.00#"
		st.CustomNumFmt = &decimal
	}
	id, err := workbook.Style(b.f, st) // fonts name the default family
	b.fail(err)
	b.styles[k] = id
	return id
}

// sheetWriter writes one table on its own sheet: the title in row 1, the
// header in row 3, data rows below, then an optional totals row.
type sheetWriter struct {
	b      *excelBook
	name   string
	cols   []excelColumn
	header int // the header's row
	row    int // the last row written
	data   int // the last data row: the filter ends here
	// stream, for a long table (see longSheet), writes the rows out as
	// they come instead of building the sheet cell by cell in memory;
	// wantData is then the last data row, which its filter was set to.
	stream *excelize.StreamWriter
	// streamedRows counts the rows given to stream.
	streamedRows int
	wantData     int
}

func (b *excelBook) newSheet(key string, cols ...excelColumn) *sheetWriter {
	return b.namedSheet(b.text("excel.sheet."+key, nil), cols...)
}

// namedSheet is newSheet for a sheet whose name is given rather than looked
// up under excel.sheet (the settlement's workbooks name theirs from their
// own texts).
func (b *excelBook) namedSheet(name string, cols ...excelColumn) *sheetWriter {
	s := b.addSheet(name, cols)
	for i, c := range cols {
		col, err := excelize.ColumnNumberToName(i + 1)
		b.fail(err)
		b.fail(b.f.SetColWidth(name, col, col, c.width))
	}
	s.heading()
	return s
}

// longSheet is newSheet for a table of many rows (a district's receipts,
// every finding of the state): its rows are streamed out as they are
// added. Its filter, panes and page set-up are set before the first row,
// so the number of data rows must be known: dataRows, which add must then
// write. A workbook streams one sheet at most: excelize writes streamed
// sheets into the zip in the order of a map, and the same data must give
// the same bytes; a second long sheet is written as any other.
func (b *excelBook) longSheet(key string, dataRows int, cols ...excelColumn) *sheetWriter {
	if b.streamed {
		return b.newSheet(key, cols...)
	}
	b.streamed = true
	s := b.addSheet(b.text("excel.sheet."+key, nil), cols)
	s.wantData = s.header + dataRows
	s.layout(s.wantData)
	sw, err := b.f.NewStreamWriter(s.name)
	if err != nil {
		b.fail(err)
		return s
	}
	s.stream = sw
	b.rawPath = workbook.SheetPart(b.f, s.name)
	for i, c := range cols {
		b.fail(sw.SetColWidth(i+1, i+1, c.width))
	}
	b.fail(sw.SetPanes(s.panes()))
	s.heading()
	return s
}

// addSheet adds the sheet (the workbook's first one renames the default).
func (b *excelBook) addSheet(name string, cols []excelColumn) *sheetWriter {
	if b.sheets == 0 {
		b.fail(b.f.SetSheetName(b.f.GetSheetName(0), name))
		// The first sheet is the one a workbook opens on. Set now, while
		// it is the only one: SetActiveSheet reads every sheet, and would
		// read a streamed one back whole.
		b.f.SetActiveSheet(0)
	} else {
		_, err := b.f.NewSheet(name)
		b.fail(err)
	}
	b.sheets++
	return &sheetWriter{b: b, name: name, cols: cols, header: 3}
}

// heading writes the sheet's title and its table's header.
func (s *sheetWriter) heading() {
	s.put(1, excelStyleKey{role: 2}, xlText(s.b.text("excel.doc.sheet_title", messages.Args{"report": s.b.title, "sheet": s.name})))
	header := make([]xlValue, len(s.cols))
	for i, c := range s.cols {
		header[i] = xlText(c.header)
	}
	s.put(s.header, excelStyleKey{role: 1}, header...)
	s.row, s.data = s.header, s.header
}

// add writes a data row.
func (s *sheetWriter) add(vals ...xlValue) {
	s.row++
	s.data = s.row
	s.put(s.row, excelStyleKey{}, vals...)
}

// total writes a bold totals row below the data, outside the filter range.
func (s *sheetWriter) total(vals ...xlValue) {
	s.row++
	s.put(s.row, excelStyleKey{bold: true}, vals...)
}

// put writes vals into row from column A on. Text goes in with SetCellStr
// (or as a streamed cell's string value) only: never SetCellValue or
// SetCellFormula, so nothing a submission wrote can become a formula.
func (s *sheetWriter) put(row int, base excelStyleKey, vals ...xlValue) {
	if s.stream != nil {
		s.putStreamed(row, base, vals)
		return
	}
	f := s.b.f
	for i, v := range vals {
		if v.blank {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(i+1, row)
		if err != nil {
			s.b.fail(err)
			return
		}
		k := base
		k.kind = v.kind
		if k.role == 0 && v.kind == cellText && i < len(s.cols) {
			k.wrap = s.cols[i].wrap
		}
		switch v.kind {
		case cellText:
			err = f.SetCellStr(s.name, cell, v.text)
		case cellCount, cellID:
			err = f.SetCellInt(s.name, cell, v.n)
		default:
			err = f.SetCellFloat(s.name, cell, v.num, v.prec, 64)
		}
		s.b.fail(err)
		s.b.fail(f.SetCellStyle(s.name, cell, cell, s.b.style(k)))
	}
	if h := s.height(base, vals); h > 0 {
		s.b.fail(f.SetRowHeight(s.name, row, h))
	}
}

// Row heights. A row states its height when a wrapped text needs more
// than one line. LibreOffice keeps the height a row states, one line when
// it states none, and drew the second line of a long payee or file name
// over the next row. Excel fits a row that states no height itself, and
// keeps a stated one: the lines counted here.
const (
	xlLineHeight    = 15 // points: a line of excelize's default font (Calibri 11), its default row height
	maxWrappedLines = 27 // 405 points, under Excel's highest row (409)
)

// height is the height of a row of vals in points: 0 (the default, one
// line) when every text of a wrapping column, or of the header, fits on
// one line of its column.
func (s *sheetWriter) height(base excelStyleKey, vals []xlValue) float64 {
	if base.role == 2 {
		return 0 // the title: one line, not wrapped
	}
	header := base.role == 1
	lines := 1
	for i, v := range vals {
		if v.blank || v.kind != cellText || i >= len(s.cols) || !(header || s.cols[i].wrap) {
			continue
		}
		width := s.cols[i].width
		if header || base.bold {
			width *= 0.9 // bold letters are wider
		}
		lines = max(lines, wrappedLines(v.text, width))
	}
	if lines == 1 {
		return 0
	}
	return float64(lines * xlLineHeight)
}

// wrappedLines counts the lines text takes in a column width characters
// wide, wrapped at spaces (a word longer than a line is broken), at most
// maxWrappedLines. A width counts characters of the digit 0; Calibri's
// letters are narrower on average (a payee of 31 characters fits a
// column 28 wide in LibreOffice), so a line is taken to hold 1.15 times
// the width, less one character.
func wrappedLines(text string, width float64) int {
	perLine := max(1, int(width*1.15)-1)
	if len(text) <= perLine && !strings.ContainsRune(text, '\n') {
		return 1
	}
	n := 0
	for para := range strings.SplitSeq(text, "\n") {
		used := 0
		n++
		for word := range strings.FieldsSeq(para) {
			w := utf8.RuneCountInString(word)
			if used > 0 && used+1+w <= perLine {
				used += 1 + w
				continue
			}
			if used > 0 {
				n++
			}
			for w > perLine && n < maxWrappedLines {
				n++
				w -= perLine
			}
			used = w
		}
		if n >= maxWrappedLines {
			return maxWrappedLines
		}
	}
	return n
}

// putStreamed is put for a streamed sheet: rows go out in order, each once.
// The data rows are written by rawRow into s.b.raw, which is spliced into
// the sheet when the workbook is written (see rawZip); the title, header
// and totals rows go through the StreamWriter.
func (s *sheetWriter) putStreamed(row int, base excelStyleKey, vals []xlValue) {
	styles := make([]int, len(vals))
	for i, v := range vals {
		if v.blank {
			continue
		}
		k := base
		k.kind = v.kind
		if k.role == 0 && v.kind == cellText && i < len(s.cols) {
			k.wrap = s.cols[i].wrap
		}
		styles[i] = s.b.style(k)
	}
	if rawRows && row > s.header && row <= s.wantData {
		if s.b.raw == nil {
			s.b.raw = &rawSheet{after: s.streamedRows}
		}
		s.b.raw.row(row, vals, styles, s.height(base, vals))
		return
	}
	cells := make([]any, len(vals))
	for i, v := range vals {
		if v.blank {
			continue
		}
		c := excelize.Cell{StyleID: styles[i]}
		switch v.kind {
		case cellText:
			c.Value = v.text
		case cellCount, cellID:
			c.Value = v.n
		default:
			c.Value = v.num
		}
		cells[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, row)
	if err != nil {
		s.b.fail(err)
		return
	}
	s.streamedRows++
	s.b.fail(s.stream.SetRow(cell, cells, excelize.RowOpts{Height: s.height(base, vals)}))
}

// panes freeze the rows down to the header.
func (s *sheetWriter) panes() *excelize.Panes {
	top := fmt.Sprintf("A%d", s.header+1)
	return &excelize.Panes{
		Freeze: true, YSplit: s.header, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
	}
}

// finish freezes the panes below the header, sets the auto-filter over the
// header and data rows, and prints landscape, one page wide, with the
// header repeated on every page. A streamed sheet had all that set before
// its rows and is written out now.
func (s *sheetWriter) finish() {
	if s.stream != nil {
		if s.data != s.wantData {
			s.b.fail(fmt.Errorf("sheet %s: %d data rows written, %d announced", s.name, s.data-s.header, s.wantData-s.header))
		}
		s.b.fail(s.stream.Flush())
		return
	}
	s.b.fail(s.b.f.SetPanes(s.name, s.panes()))
	s.layout(s.data)
}

// layout sets the auto-filter over the header and the data rows down to
// row data, and prints landscape, one page wide, with the header repeated
// on every page.
func (s *sheetWriter) layout(data int) {
	f, b := s.b.f, s.b
	last, err := excelize.ColumnNumberToName(len(s.cols))
	b.fail(err)
	b.fail(f.AutoFilter(s.name, fmt.Sprintf("A%d:%s%d", s.header, last, data), nil))
	// AutoFilter replaces the sheet properties: set fit-to-page after it.
	yes, landscape, wide, tall := true, "landscape", 1, 0
	b.fail(f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &yes}))
	b.fail(f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}))
	b.fail(f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("%s!$%d:$%d", s.quoted(), s.header, s.header),
		Scope:    s.name,
	}))
}

func (s *sheetWriter) quoted() string {
	return "'" + strings.ReplaceAll(s.name, "'", "''") + "'"
}

// series is a chart series over the data rows: categories from column cat,
// values from column val, named by val's header.
func (s *sheetWriter) series(cat, val int) excelize.ChartSeries {
	ref := func(col, from, to int) string {
		c, _ := excelize.ColumnNumberToName(col)
		if from == to {
			return fmt.Sprintf("%s!$%s$%d", s.quoted(), c, from)
		}
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", s.quoted(), c, from, c, to)
	}
	return excelize.ChartSeries{
		Name:       ref(val, s.header, s.header),
		Categories: ref(cat, s.header+1, s.data),
		Values:     ref(val, s.header+1, s.data),
	}
}

// chart places a native chart to the right of the table; a table without
// data rows gets none.
func (s *sheetWriter) chart(c *excelize.Chart, combo ...*excelize.Chart) {
	cell, err := excelize.CoordinatesToCellName(len(s.cols)+2, s.header)
	s.b.fail(err)
	s.chartAt(cell, err, c, combo...)
}

func (s *sheetWriter) chartAt(cell string, err error, c *excelize.Chart, combo ...*excelize.Chart) {
	if err != nil || s.data == s.header {
		s.b.fail(err)
		return
	}
	if c.Dimension.Width == 0 {
		c.Dimension = excelize.ChartDimension{Width: 720, Height: 360}
	}
	c.Legend = excelize.ChartLegend{Position: "bottom"}
	same := false // one colour per series, not per bar
	c.VaryColors = &same
	s.b.fail(s.b.f.AddChart(s.name, cell, c, combo...))
}
