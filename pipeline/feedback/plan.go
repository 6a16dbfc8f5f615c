package feedback

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/xlsx"
)

// How the district's workbook is rewritten without parsing what does not
// change.
//
// excelize loads every part it is given into memory when it opens a file,
// and parses each worksheet whole, at several hundred bytes per cell, when
// anything touches it (and SetActiveSheet and DeleteSheet touch them all).
// A workbook that our streaming reader accepts can carry a sheet that
// excelize cannot afford: 40 million unclosed elements in 132 KB, millions
// of empty cells, or parts that no relationship names at all, none of them
// read by the ingester because the form does not use them. So excelize gets
// a reduced copy of the package: the workbook-level parts it reads (but
// the shared strings, see sst.go), and the sheets that get marks (or lose
// the marks of an earlier round), slimmed to the rows it touches (see
// slim.go); every other part is replaced by a tiny placeholder. When the result is
// written, each placeholder is swapped back for the original part's
// compressed bytes, copied raw (zip.File.OpenRaw, zip.Writer.CreateRaw):
// never decompressed, never parsed. That keeps excelize's handling of
// styles, comments and drawings, which would be a great deal of XML to
// patch by hand, and bounds its work by what it is asked to change.
//
// A placeholder is not well-formed XML, so that excelize cannot mistake it
// for an empty worksheet: SetActiveSheet stops at it, and any operation
// that did load it would fail instead of silently replacing the district's
// sheet. merge checks that every placeholder comes back unchanged.

// Limits of the feedback step beyond those of the reader (xlsx.Limits),
// which it applies first. excelize holds what it parses in memory at about
// 650 bytes per cell, so its input is bounded both in bytes and in XML
// elements; a real submission (5,000 receipt lines are 60,000 cells) stays
// far below either.
const (
	// maxParsedBytes bounds the declared unzipped size of the parts given to
	// excelize whole: the workbook, its relationships, styles, shared
	// strings, theme, calculation chain and core properties, and the sheets
	// to be marked with their comments and drawings.
	maxParsedBytes = 32 << 20
	// maxParsedElements bounds the XML elements in those parts.
	maxParsedElements = 400_000
	// maxParsedMerges bounds the merged ranges on the sheets excelize
	// rewrites: it checks every new range against every other when it saves
	// (120,000 merges took 9.6 minutes; 5,000 take about a second). A form
	// has a handful.
	maxParsedMerges = 5_000
	// maxRelsScan bounds a relationships part of a sheet that is read to
	// find its comments; real ones hold a few hundred bytes.
	maxRelsScan = 1 << 20
	// maxCommentsScan bounds what is read of a comments part to find
	// whether it holds a comment of grantpipe's: its authors come first,
	// and the first line of each comment is all that is looked at.
	maxCommentsScan = 16 << 20
	// maxHeadScan bounds what is read of a sheet left unread to find
	// whether its tab is selected: the sheet views come before the cells.
	maxHeadScan = 64 << 10
	// legacyRows is how many rows of a sheet named like the result sheet
	// are read to recognise an earlier round's result sheet without a marker.
	legacyRows = 20
)

// markerName is the sheet-local defined name that marks grantpipe's result
// sheet, so that it is recognised when the workbook comes back whatever it
// is called and wherever it is, and a district's own sheet of the same name
// is never taken for it. Excel and LibreOffice keep sheet-local names with
// their sheet through renames, moves and saves.
const markerName = "grantpipe_result"

// placeholder stands in for every part that excelize is not given.
var placeholder = []byte("<!--grantpipe: this part is copied back unread")

// plan says how the district's workbook is handed to excelize.
type plan struct {
	wb *xlsx.Workbook
	// load holds the entries that excelize gets whole.
	load map[*zip.File]bool
	// marked are the worksheets excelize parses: marks to add or to remove.
	marked []string
	// linkOnly are the other worksheets: findings there are linked to, not
	// marked.
	linkOnly []string
	// results are the result sheets of an earlier round.
	results []string
	// stand maps the name excelize gives a placeholder to the original entry.
	stand map[string]*zip.File
	// selected holds the unread sheet parts whose tab is selected; their
	// selection is cleared on the way out.
	selected map[*zip.File]bool
	// sheetParts are excelize's names of the parts of the sheets it parses,
	// whose selection is cleared on the way out too (excelize has no call
	// for that which does not parse every sheet).
	sheetParts map[string]bool
	// vml are the VML drawings (which hold the comments' boxes) of the
	// sheets excelize parses.
	vml map[*zip.File]bool
	// numbers renames comments parts and VML drawings as excelize expects
	// them (see numbering.go).
	numbers *renumbering
	// need holds, per part of a sheet excelize parses, the rows that carry
	// a finding's cell; comments lists its comments parts, whose cells'
	// rows are needed too. whole says to give excelize every sheet whole;
	// slim holds, by excelize's name, the sheets it was given slimmed (see
	// slim.go).
	need     map[*zip.File]map[int]bool
	comments map[*zip.File][]*zip.File
	whole    bool
	slim     map[string]*slimSheet
	// sst is the district's table of shared strings, held back from
	// excelize unless whole (see sst.go).
	sst *sharedTexts
}

// nameOf is the name under which excelize gets entry e.
func (p *plan) nameOf(e *zip.File) string {
	if to, ok := p.numbers.rename[e]; ok {
		return to
	}
	return e.Name
}

// tooLarge is the failure for a workbook beyond the limits above.
func tooLarge(format string, args ...any) *Failure {
	return &Failure{Key: "feedback.reason.too_large_to_mark", Args: messages.Args{"detail": fmt.Sprintf(format, args...)}}
}

// unreadable is the failure for a workbook whose parts cannot be read.
func unreadable(err error) *Failure {
	var fe *xlsx.FormatError
	if errors.As(err, &fe) {
		return &Failure{Key: "feedback.reason.unreadable", Args: messages.Args{"detail": fe.Detail}}
	}
	return &Failure{Key: "feedback.reason.unreadable", Args: messages.Args{"detail": detail(err)}}
}

// makePlan decides which parts of wb excelize parses.
func makePlan(wb *xlsx.Workbook, findings []Finding, cat *messages.Catalog) (*plan, *Failure) {
	sheets, err := wb.SheetParts()
	if err != nil {
		return nil, unreadable(err)
	}
	names, err := wb.DefinedNames()
	if err != nil {
		return nil, unreadable(err)
	}
	p := &plan{wb: wb, load: map[*zip.File]bool{}, stand: map[string]*zip.File{}, selected: map[*zip.File]bool{}, sheetParts: map[string]bool{}, vml: map[*zip.File]bool{},
		need: map[*zip.File]map[int]bool{}, comments: map[*zip.File][]*zip.File{}, whole: !slimSheets}
	result := map[string]bool{}
	for _, dn := range names {
		if strings.EqualFold(dn.Name, markerName) && dn.Sheet >= 0 && dn.Sheet < len(sheets) {
			result[sheets[dn.Sheet].Name] = true
		}
	}
	titles := resultSheetNames(cat)
	for _, s := range sheets {
		if !result[s.Name] && titles[strings.ToLower(s.Name)] && isWorksheet(s) && legacyResult(wb, s.Name, cat) {
			result[s.Name] = true
		}
	}
	var worksheets []string
	for _, s := range sheets {
		switch {
		case result[s.Name]:
			p.results = append(p.results, s.Name)
		case isWorksheet(s):
			worksheets = append(worksheets, s.Name)
		}
	}
	toMark := map[string]bool{}
	for _, fd := range findings {
		if _, ok := normCell(fd.Cell); !ok || fd.Sheet == "" || audience(fd) != District {
			continue
		}
		if name, ok := matchSheet(worksheets, fd.Sheet); ok {
			toMark[name] = true
		}
	}
	part := map[string]xlsx.SheetPart{}
	for _, s := range sheets {
		part[s.Name] = s
	}
	for _, name := range worksheets {
		if toMark[name] || earlierMarks(wb, part[name].Part) {
			p.marked = append(p.marked, name)
		} else {
			p.linkOnly = append(p.linkOnly, name)
		}
	}

	// The parts excelize reads at its own fixed names, and the workbook.
	add := func(name string) {
		if e := wb.Entry(name); e != nil {
			p.load[e] = true
		}
	}
	wbPart, err := wb.WorkbookPart()
	if err != nil {
		return nil, unreadable(err)
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", wbPart, relsOf(wbPart),
		"xl/styles.xml", "xl/sharedStrings.xml", "xl/theme/theme1.xml", "xl/calcChain.xml", "docProps/core.xml"} {
		add(name)
	}
	for _, name := range p.marked {
		sp := part[name].Part
		add(sp)
		sheetEntry := wb.Entry(sp)
		if sheetEntry != nil {
			p.sheetParts[excelizeName(sheetEntry.Name)] = true
			p.need[sheetEntry] = neededRows(findings, name)
		}
		if rels := wb.Entry(relsOf(sp)); rels != nil && rels.UncompressedSize64 > maxRelsScan {
			return nil, tooLarge("the relationships of sheet %q declare %s, limit %s", name, size(rels.UncompressedSize64), size(maxRelsScan))
		}
		add(relsOf(sp))
		rels, err := wb.Relationships(sp)
		if err != nil {
			return nil, unreadable(err)
		}
		for _, r := range rels {
			comments, vml := relKind(r.Type, "comments"), relKind(r.Type, "vmlDrawing")
			if r.Part == "" || !comments && !vml {
				continue
			}
			add(r.Part)
			e := wb.Entry(r.Part)
			switch {
			case e == nil:
			case comments && sheetEntry != nil:
				p.comments[sheetEntry] = append(p.comments[sheetEntry], e)
			case vml:
				p.vml[e] = true
			}
		}
	}
	isMarked := map[string]bool{}
	for _, name := range p.marked {
		isMarked[name] = true
	}
	var all []xlsx.SheetPart
	for _, s := range sheets {
		if isWorksheet(s) {
			all = append(all, s)
		}
	}
	var fail *Failure
	if p.numbers, fail = renumber(wb, all, isMarked); fail != nil {
		return nil, fail
	}
	for e := range p.numbers.targets {
		p.load[e] = true
	}
	var total uint64
	for e := range p.load {
		total += e.UncompressedSize64
	}
	if total > maxParsedBytes {
		return nil, tooLarge("%s to process, limit %s", size(total), size(maxParsedBytes))
	}

	for _, s := range sheets {
		if s.Part == "" || result[s.Name] {
			continue
		}
		if e := wb.Entry(s.Part); e != nil && !p.load[e] && tabSelected(e) {
			p.selected[e] = true
		}
	}
	for _, e := range wb.Entries() {
		if !p.load[e] && !strings.HasSuffix(e.Name, "/") {
			p.stand[excelizeName(p.nameOf(e))] = e
		}
	}
	return p, nil
}

// reduced writes the package that excelize opens: the parts of p.load as
// they are, every other part as a placeholder, uncompressed; the sheets to
// mark slimmed unless p.whole (see slim.go).
func (p *plan) reduced() ([]byte, *Failure) {
	parts := map[*zip.File][]byte{}
	elements, merges := 0, 0
	for _, e := range p.wb.Entries() {
		if !p.load[e] || strings.HasSuffix(e.Name, "/") {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return nil, unreadable(err)
		}
		// archive/zip stops at the declared size, which the plan checked.
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, unreadable(fmt.Errorf("part %s: %w", e.Name, err))
		}
		elements += countElements(data)
		if elements > maxParsedElements {
			return nil, tooLarge("more than %d XML elements to process", maxParsedElements)
		}
		merges += bytes.Count(data, []byte("mergeCell ")) + bytes.Count(data, []byte("mergeCell/"))
		if merges > maxParsedMerges {
			return nil, tooLarge("more than %d merged cells on the sheets to mark", maxParsedMerges)
		}
		parts[e] = data
	}
	p.slim, p.sst = map[string]*slimSheet{}, nil
	for sheet, need := range p.need {
		for _, c := range p.comments[sheet] {
			commentRows(parts[c], need)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range p.wb.Entries() {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.nameOf(e), Method: zip.Store})
		if err != nil {
			return nil, unreadable(err)
		}
		if strings.HasSuffix(e.Name, "/") {
			continue
		}
		if !p.load[e] {
			w.Write(placeholder)
			continue
		}
		data := parts[e]
		if p.vml[e] {
			data = numberShapes(data)
		}
		if t := p.numbers.targets[e]; t != nil {
			data = patchTargets(data, t)
		}
		if excelizeName(e.Name) == "[Content_Types].xml" {
			data = patchPartNames(data, p.numbers.partNames)
		}
		if excelizeName(p.nameOf(e)) == "xl/sharedStrings.xml" && !p.whole {
			if t, ok := keepSharedTexts(data); ok {
				p.sst, data = t, emptySST
			}
		}
		if need, ok := p.need[e]; ok && !p.whole {
			if slimmed, s, ok := slim(data, need); ok {
				data = slimmed
				p.slim[excelizeName(p.nameOf(e))] = s
			}
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		return nil, unreadable(err)
	}
	return buf.Bytes(), nil
}

// neededRows are the rows of the findings at a cell of sheet that are
// marked there.
func neededRows(findings []Finding, sheet string) map[int]bool {
	rows := map[int]bool{}
	for _, fd := range findings {
		cell, ok := normCell(fd.Cell)
		if !ok || fd.Sheet == "" || audience(fd) != District {
			continue
		}
		if name, ok := matchSheet([]string{sheet}, fd.Sheet); !ok || name != sheet {
			continue
		}
		if _, row, err := excelize.CellNameToCoordinates(cell); err == nil {
			rows[row] = true
		}
	}
	return rows
}

var (
	vmlShapeID  = regexp.MustCompile(`(<v:shape\s(?:[^>]*?\s)?id=")([^"]*)(")`)
	excelShapes = regexp.MustCompile(`^_x0000_s(\d{1,9})$`)
)

// numberShapes gives every shape of a VML drawing that lacks one an id of
// the form Excel writes ("_x0000_s1025"), above the highest such id there
// is. excelize reads every id of a drawing as such a number when it adds or
// removes a comment, and fails on the ids LibreOffice writes ("shape_0",
// the same for every shape); a comment's box is tied to its cell by its
// anchor, not by the id, so the renumbering changes nothing else.
func numberShapes(vml []byte) []byte {
	top := 1024
	for _, m := range vmlShapeID.FindAllSubmatch(vml, -1) {
		if n := excelShapes.FindSubmatch(m[2]); n != nil {
			if v, err := strconv.Atoi(string(n[1])); err == nil && v > top {
				top = v
			}
		}
	}
	return vmlShapeID.ReplaceAllFunc(vml, func(tag []byte) []byte {
		m := vmlShapeID.FindSubmatch(tag)
		if excelShapes.Match(m[2]) {
			return tag
		}
		top++
		return []byte(string(m[1]) + "_x0000_s" + strconv.Itoa(top) + string(m[3]))
	})
}

// countElements counts the start tags in XML text: every "<" that opens
// neither an end tag, a comment or declaration, nor a processing
// instruction.
func countElements(data []byte) int {
	n := 0
	for i := bytes.IndexByte(data, '<'); i >= 0; {
		if i+1 < len(data) {
			switch data[i+1] {
			case '/', '!', '?':
			default:
				n++
			}
		}
		j := bytes.IndexByte(data[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return n
}

// excelizeName is the name under which excelize keeps a zip entry (and
// writes it back): backslashes become slashes, and the content types and
// shared strings parts get their canonical case.
func excelizeName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	switch strings.ToLower(name) {
	case "[content_types].xml":
		return "[Content_Types].xml"
	case "xl/sharedstrings.xml":
		return "xl/sharedStrings.xml"
	}
	return name
}

func isWorksheet(s xlsx.SheetPart) bool {
	return s.Part != "" && strings.EqualFold(s.Type, "worksheet")
}

func relKind(typ, kind string) bool {
	return strings.EqualFold(typ[strings.LastIndexByte(typ, '/')+1:], kind)
}

// relsOf names the relationships part of a part.
func relsOf(part string) string {
	dir, base := "", part
	if i := strings.LastIndexByte(part, '/'); i >= 0 {
		dir, base = part[:i+1], part[i+1:]
	}
	return dir + "_rels/" + base + ".rels"
}

// matchSheet finds name among sheets as Excel does: exactly, else ignoring
// case.
func matchSheet(sheets []string, name string) (string, bool) {
	for _, s := range sheets {
		if s == name {
			return s, true
		}
	}
	for _, s := range sheets {
		if strings.EqualFold(s, name) {
			return s, true
		}
	}
	return "", false
}

// resultSheetNames are the lower-cased names the result sheet has in any
// language, the name used when the district has one of its own included.
func resultSheetNames(cat *messages.Catalog) map[string]bool {
	names := map[string]bool{}
	for _, lang := range messages.Langs {
		names[strings.ToLower(cat.Text(lang, "feedback.sheet_name", nil))] = true
		names[strings.ToLower(cat.Text(lang, "feedback.sheet_name_own", nil))] = true
	}
	return names
}

// legacyCols are the columns of the findings table of a result sheet
// written before result sheets carried markerName.
var legacyCols = []string{"feedback.col.severity", "feedback.col.rule", "feedback.col.place", "feedback.col.message"}

// legacyResult recognises a result sheet without markerName (written
// before result sheets carried it, or by a program that dropped it):
// besides its name, it starts with the title of the result sheet and has
// the header of a findings table, of then or of now, in one language.
// Nothing else is taken for one, so that a district's own sheet of that
// name stays.
func legacyResult(wb *xlsx.Workbook, sheet string, cat *messages.Catalog) bool {
	rows, err := wb.Rows(sheet)
	if err != nil {
		return false
	}
	defer rows.Close()
	var first []string
	var table [][]string
	for n := 0; n < legacyRows && rows.Next(); n++ {
		var vals []string
		for _, c := range rows.Cells() {
			if c.Col > len(tableCols) {
				break
			}
			for len(vals) < c.Col-1 {
				vals = append(vals, "")
			}
			vals = append(vals, c.Value)
		}
		if first == nil {
			if rows.Row() != 1 {
				return false
			}
			first = append(vals, "")
		}
		table = append(table, vals)
	}
	for _, lang := range messages.Langs {
		tmpl := cat.Text(lang, "feedback.title", messages.Args{"file": "\x00"})
		prefix, _, _ := strings.Cut(tmpl, "\x00")
		if first == nil || prefix == "" || !strings.HasPrefix(first[0], prefix) {
			continue
		}
		current := make([]string, len(tableCols))
		for i, c := range tableCols {
			current[i] = c.key
		}
		for _, keys := range [][]string{legacyCols, current} {
			header := make([]string, len(keys))
			for i, key := range keys {
				header[i] = cat.Text(lang, key, nil)
			}
			for _, r := range table {
				if len(r) == len(header) && strings.Join(r, "\x00") == strings.Join(header, "\x00") {
					return true
				}
			}
		}
	}
	return false
}

// earlierMarks tells whether a sheet carries comments of an earlier round,
// reading only its comments parts (see hasOwnComment).
func earlierMarks(wb *xlsx.Workbook, sheetPart string) bool {
	if rels := wb.Entry(relsOf(sheetPart)); rels == nil || rels.UncompressedSize64 > maxRelsScan {
		return false
	}
	rels, err := wb.Relationships(sheetPart)
	if err != nil {
		return false
	}
	for _, r := range rels {
		if r.Part == "" || !relKind(r.Type, "comments") {
			continue
		}
		if e := wb.Entry(r.Part); e != nil && hasOwnComment(e) {
			return true
		}
	}
	return false
}

// hasOwnComment tells whether a comments part holds a comment of
// grantpipe's, as isOwnComment decides on the parsed comment: Author among
// the authors (a file saved by Excel), or a comment whose text starts with
// the line Author and a colon (saved by LibreOffice too). It streams the
// part, reads no more of each comment than that first line, and stops at
// the first such comment or after maxCommentsScan bytes.
func hasOwnComment(e *zip.File) bool {
	rc, err := e.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxCommentsScan))
	var text []byte
	inAuthor, inText, inPhonetic, decided := false, false, 0, false
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "author":
				inAuthor, text = true, text[:0]
			case "comment":
				text, decided = text[:0], false
			case "t":
				inText = true
			case "rPh":
				inPhonetic++
			}
		case xml.CharData:
			if (inAuthor || inText && inPhonetic == 0 && !decided) && len(text) < 256 {
				text = append(text, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "author":
				if strings.TrimSpace(string(text)) == Author {
					return true
				}
				inAuthor = false
			case "t":
				inText = false
				// The first line is complete once a line break came, or
				// once it is longer than the one looked for.
				if !decided && (bytes.IndexByte(text, '\n') >= 0 || len(text) >= 256) {
					if ownFirstLine(string(text)) {
						return true
					}
					decided = true
				}
			case "rPh":
				inPhonetic--
			case "comment":
				if !decided && ownFirstLine(string(text)) {
					return true
				}
			}
		}
	}
}

// tabSelected tells whether a sheet part's first sheet view is selected,
// reading no more than its head.
func tabSelected(e *zip.File) bool {
	rc, err := e.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	head, err := io.ReadAll(io.LimitReader(rc, maxHeadScan))
	if err != nil && len(head) == 0 {
		return false
	}
	_, changed := unselect(head)
	return changed
}
