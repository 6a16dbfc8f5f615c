package feedback

import (
	"fmt"
	"grantpipe/pipeline/finding"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/workbook"
)

// maxLinks is how many hyperlinks Excel allows on one sheet; findings past
// it are listed without a link.
const maxLinks = excelize.TotalSheetHyperlinks

// Columns of the tables of findings: severity, title, place, message and
// rule id. The widths add up to about what an A4 page in landscape holds
// at a readable size; the sheet prints at page width.
var tableCols = []struct {
	key   string
	width float64
}{
	{"feedback.col.severity", 16},
	{"feedback.col.title", 28},
	{"feedback.col.place", 22},
	{"feedback.col.message", 78},
	{"feedback.col.rule", 27},
}

// tableWidth is the width of all columns of the tables.
func tableWidth() float64 {
	w := 0.0
	for _, c := range tableCols {
		w += c.width
	}
	return w
}

// lines estimates how many lines text takes when wrapped in a column of
// width w. A column's width counts the digits of the default font that fit
// in it, and text averages a little narrower, so a row sized by this is at
// worst a little too high: neither Excel nor LibreOffice grows a row to
// its wrapped text when it opens a file, and a row too low hides text.
func lines(text string, w float64) int {
	n := 0
	for _, para := range strings.Split(text, "\n") {
		n += max(1, int(math.Ceil(float64(utf8.RuneCountInString(para))/w)))
	}
	return n
}

// The place column, which links to the finding's cell.
const placeCol = 3

// Paper size 9 is A4 in the paper sizes of Office Open XML.
const paperA4 = 9

// resultStyles are the cell styles of the result sheet.
type resultStyles struct {
	title, label, value, note, heading, header, text, link, message, rule int
	outcome                                                               int
	severity                                                              map[finding.Severity]int
}

func (b *book) newResultStyles() (resultStyles, error) {
	var rs resultStyles
	var err error
	style := func(s *excelize.Style) int { // fonts name the default family
		if err != nil {
			return 0
		}
		var id int
		id, err = workbook.Style(b.f, s)
		return id
	}
	top := func(wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Vertical: "top", WrapText: wrap}
	}
	rs.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	rs.label = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top(false)})
	rs.value = style(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	rs.note = style(&excelize.Style{Alignment: top(true)})
	rs.heading = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: &excelize.Alignment{Vertical: "bottom"}})
	rs.header = style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      solid("D9D9D9"),
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	rs.text = style(&excelize.Style{Alignment: top(true)})
	rs.link = style(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: top(true)})
	rs.message = style(&excelize.Style{Alignment: top(true)})
	rs.rule = style(&excelize.Style{Font: &excelize.Font{Color: "595959", Size: 9}, Alignment: top(true)})
	outcome := "375623"
	if !b.opt.Accepted {
		outcome = "C00000"
	}
	rs.outcome = style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: outcome}, Alignment: top(false)})
	rs.severity = map[finding.Severity]int{}
	for _, sev := range severities {
		rs.severity[sev] = style(&excelize.Style{Fill: solid(fillColor[sev]), Alignment: top(false)})
	}
	return rs, err
}

// resultSheet fills the result sheet b.sheet: a header about the file (and
// the file that replaced it), what there is to fix and what the ministry
// noted, the note (how to read the feedback, or why the findings could not
// be marked in the file), the table of the district's findings with a link
// to each place, and apart from it the ministry's findings, for
// information. It prints on A4 in landscape at page width, with the
// header of the tables on every page, and is made the active sheet.
func (b *book) resultSheet(note string) error {
	f, sh := b.f, b.sheet
	rs, err := b.newResultStyles()
	if err != nil {
		return fmt.Errorf("feedback: styles: %w", err)
	}
	// Every write goes through do, which keeps the first error; text goes
	// through SetCellStr only, so that a message or file name that
	// starts with "=" stays text and never becomes a formula.
	var werr error
	do := func(err error) {
		if werr == nil && err != nil {
			werr = err
		}
	}
	cell := func(col, row int) string {
		name, err := excelize.CoordinatesToCellName(col, row)
		do(err)
		return name
	}
	str := func(col, row int, s string, style int) {
		c := cell(col, row)
		do(f.SetCellStr(sh, c, s))
		do(f.SetCellStyle(sh, c, c, style))
	}
	// wide writes s across the table's columns, wrapped, in a row sized
	// to it (see lines).
	wide := func(row int, s string, style int) {
		str(1, row, s, style)
		do(f.MergeCell(sh, cell(1, row), cell(len(tableCols), row)))
		do(f.SetRowHeight(sh, row, float64(15*lines(s, tableWidth()))))
	}
	var own, ministry []int
	for i, fd := range b.findings {
		if audience(fd) == Ministry {
			ministry = append(ministry, i)
		} else {
			own = append(own, i)
		}
	}

	row := 1
	str(1, row, b.text("feedback.title", messages.Args{"file": b.opt.File}), rs.title)
	do(f.SetRowHeight(sh, row, 21))
	row++
	if !b.opt.Received.IsZero() {
		str(1, row, b.text("feedback.received", nil), rs.label)
		str(2, row, b.receivedText(b.opt.Received), rs.value)
		row++
	}
	outcome := "feedback.rejected"
	switch {
	case b.opt.Replaced != nil:
		outcome = "feedback.accepted_replaced"
	case b.opt.Accepted:
		outcome = "feedback.accepted"
	}
	str(1, row, b.text("feedback.outcome", nil), rs.label)
	str(2, row, b.text(outcome, nil), rs.outcome)
	row++
	if r := b.opt.Replaced; r != nil {
		str(1, row, b.text("feedback.replaced", nil), rs.label)
		str(2, row, b.text("feedback.replaced_by", messages.Args{"file": r.File, "received": b.receivedText(r.Received)}), rs.value)
		row++
	}
	str(1, row, b.text("feedback.summary", nil), rs.label)
	str(2, row, b.counts(own), rs.value)
	row++
	if len(ministry) > 0 {
		str(1, row, b.text("feedback.summary_ministry", nil), rs.label)
		str(2, row, b.text(pluralKey("feedback.count.ministry", len(ministry)), messages.Args{"n": fmt.Sprint(len(ministry))}), rs.value)
		row++
	}
	row++
	wide(row, note, rs.note)
	row += 2

	// table writes the heading, the column header and the rows of the
	// findings idx; it returns the header's row and the last row.
	links := 0
	tip := b.text("feedback.link_tip", nil)
	table := func(heading string, idx []int, marked bool) (int, int) {
		wide(row, heading, rs.heading)
		do(f.SetRowHeight(sh, row, 21))
		row++
		header := row
		for i, c := range tableCols {
			str(i+1, header, b.text(c.key, nil), rs.header)
		}
		for _, i := range idx {
			fd := b.findings[i]
			row++
			sev := rs.text
			if marked {
				sev = rs.severity[fd.Severity]
			}
			str(1, row, b.text(severityKey(fd.Severity), nil), sev)
			str(2, row, b.title(fd.Rule), rs.text)
			str(placeCol, row, b.placeText(fd), rs.text)
			if target := b.targets[i]; target != "" && links < maxLinks {
				c := cell(placeCol, row)
				do(f.SetCellHyperLink(sh, c, target, "Location", excelize.HyperlinkOpts{Tooltip: &tip}))
				do(f.SetCellStyle(sh, c, c, rs.link))
				links++
			}
			str(4, row, fd.Message, rs.message)
			str(5, row, fd.Rule, rs.rule)
			// Neither Excel nor LibreOffice grows a row to its wrapped text
			// when it opens a file: size it here.
			n := 1
			for col, text := range map[int]string{2: b.title(fd.Rule), placeCol: b.placeText(fd), 4: fd.Message, 5: fd.Rule} {
				n = max(n, lines(text, tableCols[col-1].width))
			}
			if n > 1 {
				do(f.SetRowHeight(sh, row, float64(15*n)))
			}
		}
		return header, row
	}
	for i, c := range tableCols {
		col, err := excelize.ColumnNumberToName(i + 1)
		do(err)
		do(f.SetColWidth(sh, col, col, c.width))
	}
	header, last := table(b.text("feedback.heading.own", nil), own, true)
	if len(own) == 0 {
		row++
		str(1, row, b.text("feedback.none", nil), rs.text)
	} else {
		do(f.AutoFilter(sh, cell(1, header)+":"+cell(len(tableCols), last), nil))
	}
	if len(ministry) > 0 {
		row += 2
		table(b.text("feedback.heading.ministry", nil), ministry, false)
	}
	first := cell(1, header+1)
	do(f.SetPanes(sh, &excelize.Panes{
		Freeze:      true,
		YSplit:      header,
		TopLeftCell: first,
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}))
	do(b.printSetup(header))
	if werr != nil {
		return fmt.Errorf("feedback: result sheet: %w", werr)
	}
	return b.activate()
}

// printSetup makes the result sheet print on A4 in landscape, one page
// wide and as many long as it takes, with the header row of the findings
// table repeated on every page and the page number in the footer.
func (b *book) printSetup(header int) error {
	f, sh := b.f, b.sheet
	size, landscape, wide, long := paperA4, "landscape", 1, 0
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &long,
	}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	margin, edge := 0.4, 0.2
	if err := f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{
		Left: &margin, Right: &margin, Top: &margin, Bottom: &margin, Header: &edge, Footer: &edge,
	}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: "&C&P / &N"}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("%s!$%d:$%d", quoteSheet(sh), header, header),
		Scope:    sh,
	})
}

// counts says how many findings of each severity idx holds, in words with
// the plural form each number takes ("1 Fehler, 2 Warnungen"), the
// severities without findings left out.
func (b *book) counts(idx []int) string {
	n := map[finding.Severity]int{}
	for _, i := range idx {
		n[b.findings[i].Severity]++
	}
	var parts []string
	for _, sev := range severities {
		if n[sev] > 0 {
			parts = append(parts, b.text(countKey(sev, n[sev]), messages.Args{"n": fmt.Sprint(n[sev])}))
		}
	}
	if len(parts) == 0 {
		return b.text("feedback.count.none", nil)
	}
	return strings.Join(parts, ", ")
}

// title is a rule's title for a clerk ("Belegnummer fehlt"); a rule
// without one in the catalogue (an analyst's own) shows its id.
func (b *book) title(rule string) string {
	key := "rule." + rule + ".title"
	if !b.cat.Has(key) {
		return rule
	}
	return b.text(key, nil)
}

// activate marks the result sheet as grantpipe's (markerName), makes it the
// active and only selected sheet, and scrolls the sheet tabs back to it.
//
// SetActiveSheet selects the result sheet and unselects the sheets after it
// up to the first one excelize has not parsed, where it stops (a
// placeholder, see plan.go); every other sheet is unselected when the
// output is written (merge).
func (b *book) activate() error {
	f, sh := b.f, b.sheet
	idx, err := f.GetSheetIndex(sh)
	if err != nil {
		return fmt.Errorf("feedback: result sheet: %w", err)
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: markerName, RefersTo: quoteSheet(sh) + "!$A$1", Scope: sh}); err != nil {
		return fmt.Errorf("feedback: result sheet: %w", err)
	}
	if wb := f.WorkBook; wb != nil && wb.DefinedNames != nil {
		for i := range wb.DefinedNames.DefinedName {
			dn := &wb.DefinedNames.DefinedName[i]
			if dn.Name == markerName && dn.LocalSheetID != nil && *dn.LocalSheetID == idx {
				dn.Hidden = true
			}
		}
	}
	f.SetActiveSheet(idx)
	// Scroll the sheet tabs back to the start, where the result sheet is.
	if wb := f.WorkBook; wb != nil && wb.BookViews != nil {
		for i := range wb.BookViews.WorkBookView {
			wb.BookViews.WorkBookView[i].FirstSheet = 0
		}
	}
	return nil
}

// placeText shows where a finding is: "Belegliste!G4", a sheet name, or the
// whole file. It is for reading, so the sheet name is not quoted.
func (b *book) placeText(fd Finding) string {
	switch {
	case fd.Sheet == "":
		return b.text("feedback.place.file", nil)
	case fd.Cell == "":
		return fd.Sheet
	}
	if cell, ok := normCell(fd.Cell); ok {
		return fd.Sheet + "!" + cell
	}
	return fd.Sheet + "!" + fd.Cell
}
