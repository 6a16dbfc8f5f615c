package feedback

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
)

// place is a cell of the workbook that carries one or more findings.
type place struct{ sheet, cell string }

// xfKey names a derived cell style: the cell's original style with the fill
// of severity, or with no fill when severity is "".
type xfKey struct {
	old      int
	severity string
}

// highlight gives every finding's cell the fill of its most severe finding
// and one comment with all its messages, and records each finding's link
// target for the result sheet.
func (b *book) highlight() error {
	var order []place
	groups := map[place][]int{}
	for i, fd := range b.findings {
		if fd.Sheet == "" {
			continue
		}
		// Excel treats sheet names case-insensitively; so does excelize.
		cell, cellOK := normCell(fd.Cell)
		name, ok := matchSheet(b.marked, fd.Sheet)
		if !ok {
			// A worksheet left unread: the link leads there, nothing is
			// marked (it has no finding at a cell, or it would be read).
			if name, ok := matchSheet(b.linkOnly, fd.Sheet); ok {
				if !cellOK {
					cell = "A1"
				}
				b.targets[i] = quoteSheet(name) + "!" + cell
			}
			continue
		}
		if !cellOK {
			b.targets[i] = quoteSheet(name) + "!A1"
			continue
		}
		b.targets[i] = quoteSheet(name) + "!" + cell
		p := place{name, cell}
		if _, seen := groups[p]; !seen {
			order = append(order, p)
		}
		groups[p] = append(groups[p], i)
	}
	comments := map[string]map[string]excelize.Comment{}
	for _, p := range order {
		idx := groups[p]
		sev := idx[0]
		for _, i := range idx[1:] {
			if severityRank(b.findings[i].Severity) > severityRank(b.findings[sev].Severity) {
				sev = i
			}
		}
		old, err := b.f.GetCellStyle(p.sheet, p.cell)
		if err != nil {
			return fmt.Errorf("sheet %q cell %s: %w", p.sheet, p.cell, err)
		}
		id, err := b.derive(old, b.findings[sev].Severity)
		if err != nil {
			return err
		}
		if err := b.f.SetCellStyle(p.sheet, p.cell, p.cell, id); err != nil {
			return err
		}
		byCell, ok := comments[p.sheet]
		if !ok {
			if byCell, err = b.commentsOf(p.sheet); err != nil {
				return err
			}
			comments[p.sheet] = byCell
		}
		if err := b.comment(p, idx, byCell); err != nil {
			return err
		}
	}
	return nil
}

// normCell turns "$c$5" into "C5"; ok is false for anything that is not a
// cell reference within Excel's bounds.
func normCell(ref string) (string, bool) {
	ref = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(ref), "$", ""))
	if ref == "" {
		return "", false
	}
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		return "", false
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	return name, err == nil
}

func (b *book) commentsOf(sheet string) (map[string]excelize.Comment, error) {
	list, err := b.f.GetComments(sheet)
	if err != nil {
		return nil, err
	}
	byCell := make(map[string]excelize.Comment, len(list))
	for _, c := range list {
		if cell, ok := normCell(c.Cell); ok {
			byCell[cell] = c
		}
	}
	return byCell, nil
}

// derive returns a cell style that is style old with only its fill
// replaced: the fill of severity, or none when severity is "". Styles are
// cached per (old, severity), so thousands of findings add a handful.
//
// The copy is made on excelize's parsed cellXfs record rather than through
// GetStyle and NewStyle: that round trip drops what excelize's Style cannot
// express (the cell style a format is based on, quote prefix, font scheme)
// and drops the font, borders and alignment of records whose apply flags
// are "0", which LibreOffice and other writers emit while Excel still shows
// the font. Copying the record keeps all of it.
func (b *book) derive(old int, severity string) (int, error) {
	key := xfKey{old, severity}
	if id, ok := b.styles[key]; ok {
		return id, nil
	}
	fillID := 0 // fills[0] is the "none" pattern in every workbook
	if severity != "" {
		var err error
		if fillID, err = b.fillID(severity); err != nil {
			return 0, err
		}
	}
	// GetStyle also makes excelize parse styles.xml into f.Styles.
	if _, err := b.f.GetStyle(old); err != nil {
		// A cell pointing past the table of styles: Excel shows it with the
		// default style, so derive from that.
		old = 0
		if _, err := b.f.GetStyle(old); err != nil {
			return 0, err
		}
	}
	s := b.f.Styles
	xf := s.CellXfs.Xf[old]
	xf.FillID = &fillID
	if severity != "" {
		apply := true
		xf.ApplyFill = &apply
	} else {
		xf.ApplyFill = nil
	}
	s.CellXfs.Xf = append(s.CellXfs.Xf, xf)
	s.CellXfs.Count = len(s.CellXfs.Xf)
	id := len(s.CellXfs.Xf) - 1
	b.styles[key] = id
	return id, nil
}

// fillID returns the index of the solid fill of severity in the workbook's
// table of fills, adding it when needed.
func (b *book) fillID(severity string) (int, error) {
	if id, ok := b.fills[severity]; ok {
		return id, nil
	}
	style, err := b.f.NewStyle(&excelize.Style{Fill: solid(fillColor[severity])})
	if err != nil {
		return 0, err
	}
	xf := b.f.Styles.CellXfs.Xf[style]
	if xf.FillID == nil {
		return 0, fmt.Errorf("style %d has no fill", style)
	}
	b.fills[severity] = *xf.FillID
	return *xf.FillID, nil
}

func solid(color string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
}

// isHighlight reports whether fl is one of the fills this package sets.
func isHighlight(fl excelize.Fill) bool {
	if fl.Type != "pattern" || fl.Pattern != 1 || len(fl.Color) != 1 {
		return false
	}
	for _, c := range fillColor {
		if strings.EqualFold(strings.TrimPrefix(strings.ToUpper(fl.Color[0]), "FF"), c) ||
			strings.EqualFold(fl.Color[0], c) {
			return true
		}
	}
	return false
}

// comment puts the messages of the findings idx on cell p, in front of the
// district's own comment if the cell has one (a cell holds one comment).
func (b *book) comment(p place, idx []int, existing map[string]excelize.Comment) error {
	font, err := b.f.GetDefaultFont()
	if err != nil {
		return err
	}
	bold := &excelize.Font{Bold: true, Size: 9, Family: font}
	plain := &excelize.Font{Size: 9, Family: font}
	runs := []excelize.RichTextRun{{Text: Author + ":", Font: bold}}
	lines := 1
	for _, i := range idx {
		fd := b.findings[i]
		runs = append(runs,
			excelize.RichTextRun{Text: "\n" + b.text(severityKey(fd.Severity), nil) + ": ", Font: bold},
			excelize.RichTextRun{Text: fd.Message, Font: plain})
		lines += 1 + len([]rune(fd.Message))/45
	}
	if c, ok := existing[p.cell]; ok {
		if err := b.f.DeleteComment(p.sheet, c.Cell); err != nil {
			return err
		}
		runs = append(runs, excelize.RichTextRun{
			Text: "\n\n" + b.text("feedback.comment.original", messages.Args{"author": c.Author}) + "\n",
			Font: &excelize.Font{Italic: true, Size: 9, Family: font},
		})
		runs = append(runs, commentRuns(c)...)
		lines += 3 + len([]rune(c.Text))/45
		for _, r := range c.Paragraph {
			lines += len([]rune(r.Text)) / 45
		}
	}
	return b.f.AddComment(p.sheet, excelize.Comment{
		Cell:      p.cell,
		Author:    Author,
		Paragraph: runs,
		Width:     300,
		Height:    uint(min(40+13*lines, 400)),
	})
}

// commentRuns returns the text of c as runs, plain text first.
func commentRuns(c excelize.Comment) []excelize.RichTextRun {
	var runs []excelize.RichTextRun
	if c.Text != "" {
		runs = append(runs, excelize.RichTextRun{Text: c.Text})
	}
	return append(runs, c.Paragraph...)
}

// removeEarlierFeedback undoes what an earlier round added to a workbook that
// comes back corrected: it marks the old result sheets (found by the plan)
// for deletion (they are renamed out of the way now and deleted once the new
// one exists, so that the workbook never runs out of sheets), removes the
// comments signed by Author, gives back the district's own comment that
// such a comment carried, and clears the highlight fill of those cells.
//
// The fill a cell had before its first highlight is not recorded anywhere
// that survives Excel, so a cell that was highlighted goes back to no fill.
func (b *book) removeEarlierFeedback(results []string) error {
	for _, s := range results {
		tmp := ""
		for n := 1; ; n++ {
			tmp = fmt.Sprintf("%s-old-%d", Author, n)
			if idx, _ := b.f.GetSheetIndex(tmp); idx == -1 {
				break
			}
		}
		if err := b.f.SetSheetName(s, tmp); err != nil {
			return err
		}
		b.oldResults = append(b.oldResults, tmp)
	}
	for _, sheet := range b.marked {
		list, err := b.f.GetComments(sheet)
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.Author != Author {
				continue
			}
			if err := b.f.DeleteComment(sheet, c.Cell); err != nil {
				return err
			}
			if orig, ok := b.districtPart(c); ok {
				if err := b.f.AddComment(sheet, orig); err != nil {
					return err
				}
			}
			old, err := b.f.GetCellStyle(sheet, c.Cell)
			if err != nil {
				return err
			}
			st, err := b.f.GetStyle(old)
			if err != nil || !isHighlight(st.Fill) {
				continue
			}
			id, err := b.derive(old, "")
			if err != nil {
				return err
			}
			if err := b.f.SetCellStyle(sheet, c.Cell, c.Cell, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// districtPart returns the district's own comment that an earlier round's
// comment c carried after the feedback.comment.original line, in either
// language.
func (b *book) districtPart(c excelize.Comment) (excelize.Comment, bool) {
	for i, r := range c.Paragraph {
		line := strings.Trim(r.Text, "\n")
		for _, lang := range messages.Langs {
			tmpl := b.cat.Text(lang, "feedback.comment.original", messages.Args{"author": "\x00"})
			prefix, suffix, ok := strings.Cut(tmpl, "\x00")
			if !ok || len(line) < len(prefix)+len(suffix) ||
				!strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, suffix) {
				continue
			}
			rest := c.Paragraph[i+1:]
			if len(rest) == 0 {
				return excelize.Comment{}, false
			}
			return excelize.Comment{
				Cell:      c.Cell,
				Author:    line[len(prefix) : len(line)-len(suffix)],
				Paragraph: append([]excelize.RichTextRun(nil), rest...),
			}, true
		}
	}
	return excelize.Comment{}, false
}
