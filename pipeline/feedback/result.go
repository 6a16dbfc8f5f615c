package feedback

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
)

// maxLinks is how many hyperlinks Excel allows on one sheet; findings past
// it are listed without a link.
const maxLinks = excelize.TotalSheetHyperlinks

// Columns of the findings table: severity, rule, place, message.
var tableCols = []struct {
	key   string
	width float64
}{
	{"feedback.col.severity", 14},
	{"feedback.col.rule", 26},
	{"feedback.col.place", 28},
	{"feedback.col.message", 100},
}

// resultStyles are the cell styles of the result sheet.
type resultStyles struct {
	title, label, value, note, header, text, link, message int
	outcome                                                int
	severity                                               map[string]int
}

func (b *book) newResultStyles() (resultStyles, error) {
	var rs resultStyles
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	top := &excelize.Alignment{Vertical: "top"}
	rs.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	rs.label = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top})
	rs.value = style(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	rs.note = style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	rs.header = style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      solid("D9D9D9"),
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	rs.text = style(&excelize.Style{Alignment: top})
	rs.link = style(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: top})
	rs.message = style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	outcome := "375623"
	if !b.opt.Accepted {
		outcome = "C00000"
	}
	rs.outcome = style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: outcome}, Alignment: top})
	rs.severity = map[string]int{}
	for _, sev := range severities {
		rs.severity[sev] = style(&excelize.Style{Fill: solid(fillColor[sev]), Alignment: top})
	}
	return rs, err
}

// resultSheet fills the result sheet b.sheet: a header about the file, the
// counts by severity, the note (how to read the feedback, or why the
// findings could not be marked in the file), and the table of findings with
// a link to each place. It makes the sheet the active one.
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
	if b.opt.Accepted {
		outcome = "feedback.accepted"
	}
	str(1, row, b.text("feedback.outcome", nil), rs.label)
	str(2, row, b.text(outcome, nil), rs.outcome)
	row++
	counts := map[string]int{}
	for _, fd := range b.findings {
		counts[fd.Severity]++
	}
	for _, sev := range severities {
		str(1, row, b.text("feedback.count."+sev, nil), rs.label)
		c := cell(2, row)
		do(f.SetCellInt(sh, c, int64(counts[sev])))
		do(f.SetCellStyle(sh, c, c, rs.value))
		row++
	}
	row++
	str(1, row, note, rs.note)
	do(f.MergeCell(sh, cell(1, row), cell(len(tableCols), row)))
	// Excel does not grow a merged row to fit wrapped text: size it here,
	// at about 150 characters a line across the four columns.
	do(f.SetRowHeight(sh, row, float64(15*(1+len([]rune(note))/150))))
	row += 2

	header := row
	for i, c := range tableCols {
		str(i+1, header, b.text(c.key, nil), rs.header)
		col, err := excelize.ColumnNumberToName(i + 1)
		do(err)
		do(f.SetColWidth(sh, col, col, c.width))
	}
	tip := b.text("feedback.link_tip", nil)
	links := 0
	for i, fd := range b.findings {
		row++
		str(1, row, b.text(severityKey(fd.Severity), nil), rs.severity[fd.Severity])
		str(2, row, fd.Rule, rs.text)
		str(3, row, b.placeText(fd), rs.text)
		if target := b.targets[i]; target != "" && links < maxLinks {
			c := cell(3, row)
			do(f.SetCellHyperLink(sh, c, target, "Location", excelize.HyperlinkOpts{Tooltip: &tip}))
			do(f.SetCellStyle(sh, c, c, rs.link))
			links++
		}
		str(4, row, fd.Message, rs.message)
	}
	if len(b.findings) == 0 {
		str(1, header+1, b.text("feedback.none", nil), rs.text)
	} else {
		do(f.AutoFilter(sh, cell(1, header)+":"+cell(len(tableCols), row), nil))
	}
	first := cell(1, header+1)
	do(f.SetPanes(sh, &excelize.Panes{
		Freeze:      true,
		YSplit:      header,
		TopLeftCell: first,
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}))
	if werr != nil {
		return fmt.Errorf("feedback: result sheet: %w", werr)
	}
	return b.activate()
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
