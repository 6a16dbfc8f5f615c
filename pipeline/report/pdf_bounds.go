package report

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
)

// What a district's file can make a PDF do. Every text a district wrote (a
// payee, a purpose, a receipt number, a file name, a finding quoting a
// cell, the narrative) is laid out within these bounds, so that a report's
// size and rendering time follow the number of rows a district sent, never
// the length of its texts. The workbook of the same report keeps every text
// in full (up to Excel's 32,767 characters a cell); a text shortened in the
// PDF ends with cutMark, and the report says once, before the first
// shortened text, that the workbook holds it whole.
const (
	// cutMark ends a shortened text: the omission mark of a quotation,
	// so that it cannot be mistaken for an ellipsis the district wrote.
	cutMark = "[…]"

	// maxCellLines is the most lines one table cell takes: a payee of
	// 120 characters takes 5–6 lines in the Belegliste's payee column,
	// the longest finding message (a duplicate receipt naming a 250-byte
	// file) about 6 in its column.
	maxCellLines = 8
	// maxCellRunes is how much of a cell's text is looked at at all: more
	// than 8 lines of the widest column hold, so cutting here first only
	// saves the line breaking the work on 32,767 characters.
	maxCellRunes = 2000

	// A narrative paragraph takes at most about a page, the whole
	// narrative about six; further paragraphs are counted, not shown.
	maxParagraphLines = 50
	maxParagraphRunes = 10_000
	maxNarrativeLines = 300

	// The page bound of a document: boundFixedPages for what every
	// report has (title, key figures, chart, trend, the narrative at its
	// longest) plus a page per boundRowsPerPage table rows the data
	// brings. Ordinary receipts take 1–3 lines a row, 17–48 rows a page
	// (20,000 receipts: 500–1,200 pages); at 8 rows a page the bound
	// leaves them room, while rows whose every cell is at its 8-line
	// bound (7 a page) reach it. boundMaxPages caps every document: at
	// that size (6 times the annual Belegliste of a 20,000-line district
	// in BENCHMARKS.md) the workbook is the document to work with, and
	// rendering it takes seconds.
	boundFixedPages  = 20
	boundRowsPerPage = 8
	boundMaxPages    = 3000
)

// pageBound is how many pages a document whose tables have rows rows may
// have, the page that says it was cut included.
func pageBound(rows int) int {
	return min(boundMaxPages, boundFixedPages+(rows+boundRowsPerPage-1)/boundRowsPerPage)
}

// districtRows counts the table rows of a district's report: what its page
// bound is derived from.
func districtRows(d *Data, dist *District) int {
	rows := 10 + len(d.Categories) + 1 + len(dist.Trend) + len(dist.Findings) + len(dist.Activities) + 1 + len(dist.Sources) + len(dist.Narrative)
	if d.Period.Annual() {
		rows += len(dist.Receipts) + 2*len(d.Categories) + 2
	}
	return rows
}

// flatText makes a text from a district's file fit for one table cell:
// line breaks and tabs become spaces (the cell wraps by itself), and bytes
// that are not valid UTF-8 and control characters (an ANSI escape, a
// right-to-left override) are written as \xNN or \u{NNNN}
// (datadir.Printable), so the PDF shows what was sent without acting on it.
// Only the first limit characters are kept; cut tells whether there were
// more.
func flatText(s string, limit int) (text string, cut bool) {
	s, cut = firstRunes(s, limit)
	if strings.ContainsAny(s, "\r\n\t\v\f") { // most texts have none: the replacer costs more than the search
		s = flatSpace.Replace(s)
	}
	return datadir.Printable(s), cut
}

var flatSpace = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ", "\v", " ", "\f", " ")

// firstRunes is s up to its limit-th character (an invalid byte counts as
// one), and whether anything was left out.
func firstRunes(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i], true
		}
		n++
	}
	return s, false
}

// lines breaks text (cleaned with flatText) into the lines of a column of
// width millimetres in the current font, at most maxLines of them. A text
// that was cut ends with cutMark on its last line; the line is shortened
// so that the mark fits.
func (w *doc) lines(text string, width float64, maxLines, maxRunes int) ([]string, bool) {
	ls, cut := w.split(text, width, maxRunes)
	if len(ls) > maxLines {
		ls, cut = ls[:maxLines], true
	}
	if cut {
		if len(ls) == 0 {
			ls = []string{""}
		}
		ls[len(ls)-1] = w.marked(ls[len(ls)-1], width)
	}
	return ls, cut
}

// split breaks the first maxRunes characters of text (cleaned with
// flatText) into lines of a column of width millimetres in the current
// font; cut tells whether characters were left out.
func (w *doc) split(text string, width float64, maxRunes int) ([]string, bool) {
	text, cut := flatText(text, maxRunes)
	return w.pdf.SplitText(text, width), cut
}

// marked is line with cutMark at its end, characters dropped from the line
// until both fit in width (as SplitText measures: less the cell margins).
func (w *doc) marked(line string, width float64) string {
	room := width - 2*w.pdf.GetCellMargin()
	line = strings.TrimRight(line, " ")
	for line != "" && w.pdf.GetStringWidth(line+" "+cutMark) > room {
		_, n := utf8.DecodeLastRuneInString(line)
		line = strings.TrimRight(line[:len(line)-n], " ")
	}
	if line == "" {
		return cutMark
	}
	return line + " " + cutMark
}

// shortenedNote tells the reader, once per report and before the first
// shortened text, what the mark means and where the full text is.
func (w *doc) shortenedNote() {
	if w.noted || w.done() {
		return
	}
	w.noted = true
	w.note(w.t("report.shortened_note", nil))
}

// note draws a small grey paragraph.
func (w *doc) note(text string) {
	pdf := w.pdf
	pdf.SetFont(font, "", 7.5)
	w.color(colGrey)
	ls, _ := w.lines(text, w.width, maxParagraphLines, maxParagraphRunes)
	w.drawLines(ls, 3.6, "L")
	w.color([3]int{0, 0, 0})
	pdf.Ln(1.5)
}

// cut is where a document reached its page bound.
type cut struct {
	section     string // the heading of the section that was cut
	shown, rows int    // table rows drawn and in all (0, 0: not in a table)
	last        string // where the last row shown came from, if rows have a place
}

// cutNotice is the document's last page when it reached its bound: where
// it was cut, what is missing, and where all of it is.
func (w *doc) cutNotice() {
	pdf := w.pdf
	pdf.AddPage()
	pdf.SetFont(font, "B", 12)
	w.color(colOver)
	pdf.CellFormat(w.width, 7, w.t("report.cut_title", nil), "", 1, "L", false, 0, "")
	w.color([3]int{0, 0, 0})
	pdf.SetFont(font, "", 9)
	where := ""
	if w.stop.rows > 0 {
		where = w.t("report.cut_rows", messages.Args{"shown": w.number(w.stop.shown), "rows": w.number(w.stop.rows)})
		if w.stop.last != "" {
			where += w.t("report.cut_last", messages.Args{"place": w.stop.last})
		}
	}
	texts := []string{w.t("report.cut_text", messages.Args{"pages": w.number(w.maxPages), "max": w.number(boundMaxPages),
		"section": w.stop.section, "where": where})}
	if len(w.skipped) > 0 {
		texts = append(texts, w.t("report.cut_skipped", messages.Args{"sections": w.quoted(w.skipped)}))
	}
	texts = append(texts, w.t("report.cut_workbook", nil))
	for _, text := range texts {
		ls, _ := w.lines(text, w.width, maxParagraphLines, maxParagraphRunes)
		for _, l := range ls {
			pdf.SetX(margin)
			pdf.CellFormat(w.width, lineH, l, "", 2, "L", false, 0, "")
		}
		pdf.Ln(1.5)
	}
}

// quoted lists names as „a“, „b“ und „c“.
func (w *doc) quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = w.t("report.quote", messages.Args{"text": n})
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + w.t("report.and", nil) + q[len(q)-1]
}

// number writes n with the language's thousands separator.
func (w *doc) number(n int) string {
	s := strconv.Itoa(n)
	sep := "."
	if w.lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}
