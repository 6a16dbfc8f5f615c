package feedback

import (
	"fmt"
	"grantpipe/pipeline/finding"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/workbook"
)

// place is a cell of the workbook that carries one or more findings.
type place struct{ sheet, cell string }

// xfKey names a derived cell style: the cell's original style with the fill
// of severity, or with no fill when severity is "".
type xfKey struct {
	old      int
	severity finding.Severity
}

// highlight gives the cell of every finding of the district's the fill of
// its most severe finding and one comment with all its messages, and
// records each finding's link target for the result sheet.
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
		if audience(fd) != District {
			// The ministry's findings are for information: linked to, never
			// highlighted as something to fix.
			continue
		}
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
func (b *book) derive(old int, severity finding.Severity) (int, error) {
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
func (b *book) fillID(severity finding.Severity) (int, error) {
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

// isHighlight reports whether the cell style xf has one of the fills this
// package sets: a solid fill whose colour is one of fillColor's, given as
// RGB (with or without its alpha byte). The fill is read from the style
// sheet itself: excelize's GetStyle shows no colour at all in a workbook
// without a theme part, which is how LibreOffice saves one.
func (b *book) isHighlight(xf int) bool {
	if _, err := b.f.GetStyle(xf); err != nil {
		return false
	}
	s := b.f.Styles
	if s == nil || s.CellXfs == nil || s.Fills == nil || xf < 0 || xf >= len(s.CellXfs.Xf) {
		return false
	}
	id := s.CellXfs.Xf[xf].FillID
	if id == nil || *id < 0 || *id >= len(s.Fills.Fill) {
		return false
	}
	pf := s.Fills.Fill[*id].PatternFill
	if pf == nil || pf.PatternType != "solid" || pf.FgColor == nil || pf.FgColor.Theme != nil {
		return false
	}
	rgb := strings.ToUpper(pf.FgColor.RGB)
	if len(rgb) == 8 {
		rgb = rgb[2:]
	}
	for _, c := range fillColor {
		if rgb == c {
			return true
		}
	}
	return false
}

// comment puts the messages of the findings idx on cell p, in front of the
// district's own comment if the cell has one (a cell holds one comment).
// The first line is Author and a colon: what marks the comment as
// grantpipe's when the file comes back (isOwnComment).
func (b *book) comment(p place, idx []int, existing map[string]excelize.Comment) error {
	bold, err := workbook.Font(b.f, excelize.Font{Bold: true, Size: 9})
	if err != nil {
		return err
	}
	plain := &excelize.Font{Size: 9, Family: bold.Family}
	runs := []excelize.RichTextRun{{Text: Author + ":", Font: bold}}
	lines := 1
	for _, i := range idx {
		fd := b.findings[i]
		head := b.text("feedback.comment.finding", messages.Args{"severity": b.text(severityKey(fd.Severity), nil), "title": b.title(fd.Rule)})
		runs = append(runs,
			excelize.RichTextRun{Text: "\n" + head + " ", Font: bold},
			excelize.RichTextRun{Text: fd.Message, Font: plain})
		lines += 1 + len([]rune(head+" "+fd.Message))/45
	}
	if c, ok := existing[p.cell]; ok {
		if err := b.f.DeleteComment(p.sheet, c.Cell); err != nil {
			return err
		}
		runs = append(runs, excelize.RichTextRun{
			Text: "\n\n" + b.originalLine(b.lang, c.Author) + "\n",
			Font: &excelize.Font{Italic: true, Size: 9, Family: bold.Family},
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

// originalLine is the line in lang that introduces the district's own
// comment inside grantpipe's, naming its author unless it is blank (as
// LibreOffice saves every author).
func (b *book) originalLine(lang, author string) string {
	if strings.TrimSpace(author) == "" {
		return b.cat.Text(lang, "feedback.comment.original_anonymous", nil)
	}
	return b.cat.Text(lang, "feedback.comment.original", messages.Args{"author": author})
}

// isOwnComment tells whether c is a comment grantpipe added: its first line
// is Author and a colon, which Excel and LibreOffice keep (LibreOffice
// merges and splits the text's runs, so the line is read across them), or
// its author is Author, which Excel keeps and LibreOffice saves as a blank.
func isOwnComment(c excelize.Comment) bool {
	return c.Author == Author || ownFirstLine(commentText(c))
}

// ownFirstLine tells whether text, a comment's text, starts with the line
// grantpipe starts its comments with. Blanks and invisible characters
// around it do not count.
func ownFirstLine(text string) bool {
	line, _, _ := strings.Cut(text, "\n")
	return strings.TrimFunc(line, invisible) == Author+":"
}

// invisible reports white space and the zero-width characters an editor
// may leave around a line.
func invisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(r)
}

// commentText is the whole text of a comment, its runs joined.
func commentText(c excelize.Comment) string {
	var sb strings.Builder
	for _, r := range commentRuns(c) {
		sb.WriteString(r.Text)
	}
	return sb.String()
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
// one exists, so that the workbook never runs out of sheets), removes
// grantpipe's comments (isOwnComment: after Excel and after LibreOffice),
// gives back the district's own comment that such a comment carried, and
// clears the highlight fill of those cells.
//
// A fill is grantpipe's when it is one of fillColor's exact colours on a
// cell with grantpipe's comment. A fill of that colour elsewhere is left:
// the district may have chosen it (the light blue is also a tint of
// Office's theme), and nothing else tells. The fill a cell had before its
// first highlight is not recorded anywhere that survives Excel, so a cell
// that was highlighted goes back to no fill.
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
			if !isOwnComment(c) {
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
			if !b.isHighlight(old) {
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
// comment c carried after the line feedback.comment.original (or its
// anonymous form), in either language. The line is looked for in the
// comment's whole text, whatever runs an office suite split it into, and
// the district's text keeps the formatting of its runs.
func (b *book) districtPart(c excelize.Comment) (excelize.Comment, bool) {
	runs := commentRuns(c)
	text := commentText(c)
	start := 0
	for start <= len(text) {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if author, ok := b.originalAuthor(text[start:end]); ok {
			rest := splitRuns(runs, end+1)
			if len(rest) == 0 {
				return excelize.Comment{}, false
			}
			if strings.TrimSpace(author) == "" {
				author = " "
			}
			return excelize.Comment{Cell: c.Cell, Author: author, Paragraph: rest}, true
		}
		start = end + 1
	}
	return excelize.Comment{}, false
}

// originalAuthor tells whether line is the line that introduces the
// district's comment, in any language, and returns the author it names.
func (b *book) originalAuthor(line string) (string, bool) {
	line = strings.TrimFunc(line, invisible)
	for _, lang := range messages.Langs {
		if line == strings.TrimFunc(b.originalLine(lang, ""), invisible) {
			return "", true
		}
		tmpl := b.cat.Text(lang, "feedback.comment.original", messages.Args{"author": "\x00"})
		prefix, suffix, ok := strings.Cut(tmpl, "\x00")
		if ok && len(line) >= len(prefix)+len(suffix) &&
			strings.HasPrefix(line, prefix) && strings.HasSuffix(line, suffix) {
			return line[len(prefix) : len(line)-len(suffix)], true
		}
	}
	return "", false
}

// splitRuns returns what of runs lies from byte offset at of their joined
// text on, each run with its font.
func splitRuns(runs []excelize.RichTextRun, at int) []excelize.RichTextRun {
	var out []excelize.RichTextRun
	pos := 0
	for _, r := range runs {
		end := pos + len(r.Text)
		switch {
		case end <= at:
		case pos >= at:
			out = append(out, r)
		default:
			r.Text = r.Text[at-pos:]
			out = append(out, r)
		}
		pos = end
	}
	for len(out) > 0 && out[0].Text == "" {
		out = out[1:]
	}
	return out
}
