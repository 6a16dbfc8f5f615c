package feedback

// An OpenDocument spreadsheet's feedback is an .ods: the district's own
// file with content.xml rewritten and every other entry copied raw.
// content.xml is read token by token with encoding/xml; the bytes between
// the tokens that change are copied as they are, so that what the reader
// sees of the district's cells is the same as in the original. A repeated
// row or cell is split only around a marked cell, never expanded.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/xlsx"
)

// maxODSContent bounds content.xml, which this step holds in memory with
// its rewritten copy.
const maxODSContent = 64 << 20

// OpenDocument namespaces the rewrite writes in.
const (
	nsOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	nsTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	nsStyle  = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	nsFO     = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
)

// odsMark is what one cell gets: the fill of its most severe finding and
// an annotation with all its messages.
type odsMark struct {
	severity finding.Severity
	lines    []string
}

// odsCellStyle is what the rewrite needs of an automatic cell style.
type odsCellStyle struct {
	parent, data, background string
	// start is the style's start tag, inner the span of its content in
	// content.xml; props is its table-cell-properties element's start
	// tag, propsAt the span of that tag.
	start    xml.StartElement
	inner    [2]int64
	props    *xml.StartElement
	propsAt  [2]int64
	selfProp bool
	known    bool
}

// odsAnnotated makes the district's .ods with the findings marked and the
// result sheet in front, and returns its bytes.
func (b *book) odsAnnotated(wb *xlsx.Workbook) (data []byte, fail *Failure) {
	defer func() {
		if r := recover(); r != nil {
			data, fail = nil, unreadable(fmt.Errorf("ods: %v", r))
		}
	}()
	var content *zip.File
	for _, e := range wb.Entries() {
		if e.Name == "content.xml" {
			content = e
		}
	}
	if content == nil || content.UncompressedSize64 > maxODSContent {
		return nil, unreadable(errors.New("content.xml missing or too large"))
	}
	rc, err := content.Open()
	if err != nil {
		return nil, unreadable(err)
	}
	src, err := io.ReadAll(io.LimitReader(rc, maxODSContent+1))
	rc.Close()
	if err != nil || len(src) > maxODSContent {
		return nil, unreadable(fmt.Errorf("content.xml: %v", err))
	}
	r := &odsRewrite{b: b, src: src, marks: map[string]*sheetMarks{}, styles: map[string]odsCellStyle{}, derived: map[xfKeyODS]string{}}
	r.plan(wb.Sheets())
	out, err := r.run()
	if err != nil {
		return nil, unreadable(err)
	}
	var buf bytes.Buffer
	if err := writeODSPackage(&buf, wb.Entries(), content, out); err != nil {
		return nil, unreadable(err)
	}
	return buf.Bytes(), nil
}

// writeODSPackage copies entries raw, the mimetype first, with content
// replaced by data.
func writeODSPackage(w io.Writer, entries []*zip.File, content *zip.File, data []byte) error {
	zw := zip.NewWriter(w)
	ordered := make([]*zip.File, 0, len(entries))
	for _, e := range entries {
		if e.Name == "mimetype" {
			ordered = append(ordered, e)
		}
	}
	for _, e := range entries {
		if e.Name != "mimetype" {
			ordered = append(ordered, e)
		}
	}
	for _, e := range ordered {
		if e == content {
			h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: e.Modified}
			fw, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			if _, err := fw.Write(data); err != nil {
				return err
			}
			continue
		}
		raw, err := e.OpenRaw()
		if err != nil {
			return err
		}
		h := e.FileHeader
		fw, err := zw.CreateRaw(&h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(fw, raw); err != nil {
			return err
		}
	}
	return zw.Close()
}

type xfKeyODS struct {
	old      string
	severity finding.Severity
}

// odsRewrite is one rewrite of content.xml.
type odsRewrite struct {
	b   *book
	src []byte
	d   *xml.Decoder
	// head is the output up to where the derived styles go, body the rest.
	head, body bytes.Buffer
	out        *bytes.Buffer
	copied     int64
	// prefix maps the namespaces written to the document's prefixes.
	prefix map[string]string
	ns     []map[string]string // prefix → URI per open element
	marks  map[string]*sheetMarks
	sheets []string
	// styles are the automatic cell styles of content.xml by name.
	styles  map[string]odsCellStyle
	derived map[xfKeyODS]string
	order   []xfKeyODS
	// noAutoStyles is set when content.xml has no automatic styles: they
	// are then written with their element before the body.
	noAutoStyles bool
	// resultAt is where in body the result sheet goes; oldResults are the
	// result sheets of an earlier round, which are dropped.
	resultAt   int
	oldResults map[string]bool
	// columns are the columns of the sheet being read.
	columns []odsColumn
	// ownStyles are the automatic styles an earlier round added, where
	// they are in head.
	ownStyles []ownStyle
}

// ownStyle is an automatic style of an earlier round and its span in the
// output.
type ownStyle struct {
	name string
	at   [2]int
}

// odsColumn is a run of columns [from, to) and their default cell style.
type odsColumn struct {
	from, to int
	style    string
}

// columnStyle is the default cell style of column col.
func (r *odsRewrite) columnStyle(col int) string {
	for _, c := range r.columns {
		if col >= c.from && col < c.to {
			return c.style
		}
	}
	return ""
}

// plan groups the district's findings by cell, in the order of the
// findings, and sets each finding's place for the result sheet.
func (r *odsRewrite) plan(sheets []string) {
	b := r.b
	r.sheets = sheets
	b.targets = make([]string, len(b.findings))
	var order []place
	groups := map[place][]int{}
	for i, fd := range b.findings {
		if fd.Sheet == "" || audience(fd) != District {
			continue
		}
		name, ok := matchSheet(sheets, fd.Sheet)
		cell, cellOK := normCell(fd.Cell)
		if !ok || !cellOK {
			continue
		}
		p := place{name, cell}
		if _, seen := groups[p]; !seen {
			order = append(order, p)
		}
		groups[p] = append(groups[p], i)
	}
	for _, p := range order {
		col, row, _ := excelize.CellNameToCoordinates(p.cell)
		m := &odsMark{lines: []string{Author + ":"}}
		for _, i := range groups[p] {
			fd := b.findings[i]
			if severityRank(fd.Severity) > severityRank(m.severity) {
				m.severity = fd.Severity
			}
			head := b.text("feedback.comment.finding", messages.Args{"severity": b.text(severityKey(fd.Severity), nil), "title": b.title(fd.Rule)})
			m.lines = append(m.lines, head+" "+fd.Message)
		}
		sm := r.marks[p.sheet]
		if sm == nil {
			sm = &sheetMarks{at: map[[2]int]*odsMark{}, cols: map[int][]int{}}
			r.marks[p.sheet] = sm
		}
		if len(sm.cols[row]) == 0 {
			sm.rows = append(sm.rows, row)
		}
		sm.at[[2]int{row, col}] = m
		sm.cols[row] = append(sm.cols[row], col)
	}
	for _, sm := range r.marks {
		sort.Ints(sm.rows)
		for _, c := range sm.cols {
			sort.Ints(c)
		}
	}
}

// sheetMarks are the marks of one sheet: by cell, and the rows and each
// row's columns in order, so that a row or a run of cells finds its marks
// without looking at the others.
type sheetMarks struct {
	at   map[[2]int]*odsMark // by {row, column}
	rows []int
	cols map[int][]int
}

// within returns the elements of sorted that lie in [from, to).
func within(sorted []int, from, to int) []int {
	return sorted[sort.SearchInts(sorted, from):sort.SearchInts(sorted, to)]
}

// copyTo copies the source up to off unchanged.
func (r *odsRewrite) copyTo(off int64) {
	if off > r.copied {
		r.out.Write(r.src[r.copied:off])
		r.copied = off
	}
}

// skipTo drops the source up to off.
func (r *odsRewrite) skipTo(off int64) { r.copied = off }

func (r *odsRewrite) uri(n xml.Name) string {
	if n.Space == "" {
		return ""
	}
	for i := len(r.ns) - 1; i >= 0; i-- {
		if u, ok := r.ns[i][n.Space]; ok {
			return u
		}
	}
	return n.Space
}

func (r *odsRewrite) is(n xml.Name, space, local string) bool {
	return n.Local == local && r.uri(n) == space
}

func (r *odsRewrite) attr(se xml.StartElement, space, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space != "xmlns" && r.uri(a.Name) == space {
			return a.Value, true
		}
	}
	return "", false
}

// token reads the next token; start is the offset where it begins.
func (r *odsRewrite) token() (tok xml.Token, start int64, err error) {
	start = r.d.InputOffset()
	tok, err = r.d.RawToken()
	if err != nil {
		return nil, start, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		m := map[string]string{}
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" {
				m[a.Name.Local] = a.Value
			} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
				m[""] = a.Value
			}
		}
		r.ns = append(r.ns, m)
		tok = t.Copy()
	case xml.EndElement:
		// popped by the caller after it has looked at the name
	default:
		tok = xml.CopyToken(tok)
	}
	return tok, start, nil
}

func (r *odsRewrite) pop() {
	if len(r.ns) > 0 {
		r.ns = r.ns[:len(r.ns)-1]
	}
}

// run rewrites content.xml.
func (r *odsRewrite) run() ([]byte, error) {
	r.d = xml.NewDecoder(bytes.NewReader(r.src))
	r.d.Strict = true
	r.out = &r.head
	depth := 0
	inAuto, inSpreadsheet, resultDone := false, false, false
	var styleName string
	var styleOK bool
	for {
		tok, start, err := r.token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if !r.is(t.Name, nsOffice, "document-content") {
					return nil, errors.New("content.xml: not an office:document-content")
				}
				// The same namespace may be bound to more than one prefix:
				// take the conventional one, else the first in order, so
				// that the output is the same for the same input.
				r.prefix = map[string]string{}
				conventional := map[string]string{nsOffice: "office", nsTable: "table", nsText: "text", nsStyle: "style", nsFO: "fo"}
				bound := make([]string, 0, len(r.ns[0]))
				for p := range r.ns[0] {
					bound = append(bound, p)
				}
				sort.Strings(bound)
				for _, p := range bound {
					u := r.ns[0][p]
					if old, ok := r.prefix[u]; !ok || (old != conventional[u] && p == conventional[u]) {
						r.prefix[u] = p
					}
				}
				for _, u := range []string{nsOffice, nsTable, nsText, nsStyle, nsFO} {
					if p, ok := r.prefix[u]; !ok || p == "" {
						return nil, fmt.Errorf("content.xml: no prefix for %s", u)
					}
				}
			case depth == 2 && r.is(t.Name, nsOffice, "automatic-styles"):
				inAuto = true
				if r.selfClosing() {
					// <office:automatic-styles/>: reopen it around ours.
					r.copyTo(start)
					r.skipTo(r.d.InputOffset())
					fmt.Fprintf(r.out, "<%s:automatic-styles>", r.prefix[nsOffice])
					r.out = &r.body
					fmt.Fprintf(r.out, "</%s:automatic-styles>", r.prefix[nsOffice])
				}
			case depth == 2 && r.is(t.Name, nsOffice, "body"):
				if r.out == &r.head {
					r.copyTo(start)
					r.noAutoStyles = true
					r.out = &r.body
				}
			case inAuto && depth == 3 && r.is(t.Name, nsStyle, "style"):
				styleName, styleOK = r.attr(t, nsStyle, "name")
				if fam, _ := r.attr(t, nsStyle, "family"); fam != "table-cell" {
					styleOK = false
				}
				if strings.HasPrefix(styleName, Author+"_") && r.out == &r.head {
					r.copyTo(start)
					r.ownStyles = append(r.ownStyles, ownStyle{name: styleName, at: [2]int{r.head.Len(), -1}})
				}
				if styleOK {
					s := odsCellStyle{start: t, known: true}
					s.inner = [2]int64{r.d.InputOffset(), r.d.InputOffset()}
					s.parent, _ = r.attr(t, nsStyle, "parent-style-name")
					s.data, _ = r.attr(t, nsStyle, "data-style-name")
					r.styles[styleName] = s
				}
			case inAuto && depth == 4 && styleOK && r.is(t.Name, nsStyle, "table-cell-properties"):
				s := r.styles[styleName]
				s.background, _ = r.attr(t, nsFO, "background-color")
				p := t
				s.props = &p
				s.propsAt = [2]int64{start, r.d.InputOffset()}
				s.selfProp = r.selfClosing()
				r.styles[styleName] = s
			case depth == 3 && r.is(t.Name, nsOffice, "spreadsheet"):
				inSpreadsheet = true
			case inSpreadsheet && depth == 4 && r.is(t.Name, nsTable, "table"):
				if !resultDone {
					r.copyTo(start)
					r.resultAt = r.body.Len()
					resultDone = true
				}
				if err := r.table(t, start); err != nil {
					return nil, err
				}
				depth--
			}
		case xml.EndElement:
			if depth == 2 && r.is(t.Name, nsOffice, "automatic-styles") && r.out == &r.head {
				r.copyTo(start)
				r.out = &r.body
				inAuto = false
			}
			if inAuto && depth == 3 && r.is(t.Name, nsStyle, "style") && r.out == &r.head {
				if n := len(r.ownStyles); n > 0 && r.ownStyles[n-1].at[1] < 0 {
					r.copyTo(r.d.InputOffset())
					r.ownStyles[n-1].at[1] = r.head.Len()
				}
			}
			if inAuto && depth == 3 && styleOK && r.is(t.Name, nsStyle, "style") {
				s := r.styles[styleName]
				if start > s.inner[0] {
					s.inner[1] = start
				}
				r.styles[styleName] = s
				styleOK = false
			}
			if depth == 3 && r.is(t.Name, nsOffice, "spreadsheet") {
				inSpreadsheet = false
			}
			r.pop()
			depth--
		}
	}
	r.copyTo(int64(len(r.src)))
	if !resultDone {
		return nil, errors.New("content.xml: no sheets")
	}
	// The result sheet first: it adds styles of its own.
	var result bytes.Buffer
	r.resultTable(&result)
	// An earlier round's styles go unless a cell still uses them (the
	// district may have copied a highlighted cell's format).
	var out bytes.Buffer
	head := r.head.Bytes()
	at := 0
	for _, o := range r.ownStyles {
		ref := []byte(`:style-name="` + esc(o.name) + `"`)
		if o.at[1] < 0 || bytes.Contains(r.body.Bytes(), ref) || bytes.Contains(result.Bytes(), ref) || bytes.Contains(head[o.at[1]:], ref) {
			continue
		}
		out.Write(head[at:o.at[0]])
		at = o.at[1]
	}
	out.Write(head[at:])
	if r.noAutoStyles {
		fmt.Fprintf(&out, "<%s:automatic-styles>", r.prefix[nsOffice])
	}
	for _, k := range r.order {
		r.writeStyle(&out, k)
	}
	if r.noAutoStyles {
		fmt.Fprintf(&out, "</%s:automatic-styles>", r.prefix[nsOffice])
	}
	body := r.body.Bytes()
	out.Write(body[:r.resultAt])
	out.Write(result.Bytes())
	out.Write(body[r.resultAt:])
	return out.Bytes(), nil
}

// selfClosing tells whether the start tag just read ended with "/>".
func (r *odsRewrite) selfClosing() bool {
	off := r.d.InputOffset()
	return off >= 2 && string(r.src[off-2:off]) == "/>"
}

// style returns the name of the automatic style that is old with the fill
// of severity, or without a fill when severity is "".
func (r *odsRewrite) style(old string, severity finding.Severity) string {
	k := xfKeyODS{old, severity}
	if n, ok := r.derived[k]; ok {
		return n
	}
	sev := string(severity)
	if sev == "" {
		sev = "plain"
	}
	name := Author + "_" + sev
	for n := 2; ; n++ {
		if _, taken := r.styles[name]; !taken {
			break
		}
		name = fmt.Sprintf("%s_%s_%d", Author, sev, n)
	}
	r.styles[name] = odsCellStyle{}
	r.derived[k] = name
	r.order = append(r.order, k)
	return name
}

func (r *odsRewrite) writeStyle(w *bytes.Buffer, k xfKeyODS) {
	st, sp := r.prefix[nsStyle], r.prefix[nsFO]
	old := r.styles[k.old]
	if old.known {
		r.copyStyle(w, k, old)
		return
	}
	// A common style (or none): ours is based on it.
	parent := k.old
	if parent == "" {
		parent = "Default"
	}
	fmt.Fprintf(w, `<%s:style %s:name="%s" %s:family="table-cell" %s:parent-style-name="%s"`, st, st, esc(r.derived[k]), st, st, esc(parent))
	if old.data != "" {
		fmt.Fprintf(w, ` %s:data-style-name="%s"`, st, esc(old.data))
	}
	w.WriteString(">")
	if k.severity != "" {
		fmt.Fprintf(w, `<%s:table-cell-properties %s:background-color="#%s"/>`, st, sp, strings.ToLower(fillColor[k.severity]))
	}
	fmt.Fprintf(w, "</%s:style>", st)
}

// copyStyle writes the automatic style old, named for k and with the
// fill of k's severity (or none), all else as it was.
func (r *odsRewrite) copyStyle(w *bytes.Buffer, k xfKeyODS, old odsCellStyle) {
	st, sp := r.prefix[nsStyle], r.prefix[nsFO]
	w.WriteString("<" + qname(old.start.Name))
	for _, a := range old.start.Attr {
		if a.Name.Space == st && a.Name.Local == "name" {
			a.Value = r.derived[k]
		}
		fmt.Fprintf(w, ` %s="%s"`, qname(a.Name), escAttr(a.Value))
	}
	w.WriteString(">")
	fill := func() {
		if k.severity != "" {
			fmt.Fprintf(w, ` %s:background-color="#%s"`, sp, strings.ToLower(fillColor[k.severity]))
		}
	}
	if old.props == nil {
		if k.severity != "" {
			fmt.Fprintf(w, "<%s:table-cell-properties", st)
			fill()
			w.WriteString("/>")
		}
		w.Write(r.src[old.inner[0]:old.inner[1]])
	} else {
		w.Write(r.src[old.inner[0]:old.propsAt[0]])
		w.WriteString("<" + qname(old.props.Name))
		for _, a := range old.props.Attr {
			if a.Name.Space == sp && a.Name.Local == "background-color" {
				continue
			}
			fmt.Fprintf(w, ` %s="%s"`, qname(a.Name), escAttr(a.Value))
		}
		fill()
		if old.selfProp {
			w.WriteString("/>")
		} else {
			w.WriteString(">")
		}
		w.Write(r.src[old.propsAt[1]:old.inner[1]])
	}
	w.WriteString("</" + qname(old.start.Name) + ">")
}

// isHighlightODS tells whether the automatic style name has one of our
// fills.
func (r *odsRewrite) isHighlightODS(name string) bool {
	bg := strings.TrimPrefix(strings.ToUpper(r.styles[name].background), "#")
	for _, c := range fillColor {
		if bg == c {
			return true
		}
	}
	return false
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// element is a child element of a row (a cell) or of a table (a row):
// its start tag, where its content lies, and its repeat.
type element struct {
	start             xml.StartElement
	from, inner, to   int64 // start of tag, end of start tag, end of element
	innerEnd          int64 // start of end tag
	self              bool
	repeat            int
	cell, covered     bool
	annotations       [][2]int64 // own annotations (spans)
	foreignAnnotation bool
}

// table rewrites one sheet, whose start tag t began at start; on return
// the whole element has been read.
func (r *odsRewrite) table(t xml.StartElement, start int64) error {
	name, _ := r.attr(t, nsTable, "name")
	if r.isOldResult(name) {
		// Read to its end; drop it if it is ours.
		end, own, err := r.skipElement()
		if err != nil {
			return err
		}
		if own {
			if r.oldResults == nil {
				r.oldResults = map[string]bool{}
			}
			r.oldResults[name] = true
			r.copyTo(start)
			r.skipTo(end)
		}
		return nil
	}
	marks := r.marks[name]
	r.columns = r.columns[:0]
	row, col := 1, 1
	depth := 1
	for {
		tok, s, err := r.token()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if r.is(e.Name, nsTable, "table-row") {
				n, err := r.row(e, s, row, marks)
				if err != nil {
					return err
				}
				row += n
				continue
			}
			if r.is(e.Name, nsTable, "table-column") {
				n := r.repeatOf(e, "number-columns-repeated")
				style, _ := r.attr(e, nsTable, "default-cell-style-name")
				r.columns = append(r.columns, odsColumn{col, col + n, style})
				col += n
			}
			if r.is(e.Name, nsTable, "table") || r.is(e.Name, nsOffice, "annotation") || r.is(e.Name, nsTable, "shapes") {
				if _, _, err := r.skipElement(); err != nil {
					return err
				}
				continue
			}
			depth++
		case xml.EndElement:
			r.pop()
			depth--
			if depth == 0 {
				r.rowsPast(s, row, marks)
				return nil
			}
		}
	}
}

// rowsPast adds, before the end tag of a sheet (at end), the rows from row
// on that have marks: a sheet that a program other than LibreOffice wrote
// may end after its last row with a value.
func (r *odsRewrite) rowsPast(at int64, row int, marks *sheetMarks) {
	if marks == nil {
		return
	}
	rows := marks.rows[sort.SearchInts(marks.rows, row):]
	if len(rows) == 0 {
		return
	}
	r.copyTo(at)
	tp := r.prefix[nsTable]
	rowTag := xml.StartElement{Name: xml.Name{Space: tp, Local: "table-row"}}
	for _, m := range rows {
		if m > row {
			r.startTag(rowTag, "number-rows-repeated", m-row, "")
			fmt.Fprintf(r.out, "<%s:table-cell/>", tp)
			r.endTag(rowTag)
		}
		r.startTag(rowTag, "", 1, "")
		r.cellsOut(nil, marks, m)
		r.endTag(rowTag)
		row = m + 1
	}
}

// skipElement reads to the end of the element just started and returns
// the offset after it, and whether it holds an annotation of ours.
func (r *odsRewrite) skipElement() (int64, bool, error) {
	depth := 1
	own := false
	for depth > 0 {
		tok, s, err := r.token()
		if err != nil {
			return 0, false, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if r.is(e.Name, nsOffice, "annotation") {
				_, ours, err := r.annotation(s)
				if err != nil {
					return 0, false, err
				}
				own = own || ours
				depth--
			}
		case xml.EndElement:
			r.pop()
			depth--
		}
	}
	return r.d.InputOffset(), own, nil
}

// annotation reads the annotation just started and tells whether its
// first paragraph is our first line.
func (r *odsRewrite) annotation(start int64) (int64, bool, error) {
	depth := 1
	var first strings.Builder
	paras := 0
	inPara := false
	for depth > 0 {
		tok, _, err := r.token()
		if err != nil {
			return 0, false, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if r.is(e.Name, nsText, "p") {
				paras++
				inPara = paras == 1
			}
		case xml.EndElement:
			if r.is(e.Name, nsText, "p") {
				inPara = false
			}
			r.pop()
			depth--
		case xml.CharData:
			if inPara && first.Len() < 64 {
				first.Write(e)
			}
		}
	}
	return r.d.InputOffset(), ownFirstLine(first.String()), nil
}

// isOldResult tells whether a sheet of this name may be an earlier
// round's result sheet (it is when it holds an annotation of ours).
func (r *odsRewrite) isOldResult(name string) bool {
	for _, lang := range messages.Langs {
		if name == r.b.cat.Text(lang, "feedback.sheet_name", nil) || strings.HasPrefix(name, r.b.cat.Text(lang, "feedback.sheet_name_own", nil)) {
			return true
		}
	}
	return false
}

// children reads the children of the element just started (a row or a
// cell's parent) up to its end, and returns them.
func (r *odsRewrite) children(countAs func(xml.StartElement) (int, bool, bool)) ([]element, int64, error) {
	var out []element
	for {
		tok, s, err := r.token()
		if err != nil {
			return nil, 0, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			el := element{start: e, from: s, inner: r.d.InputOffset(), self: r.selfClosing()}
			el.repeat, el.cell, el.covered = countAs(e)
			if err := r.readCell(&el); err != nil {
				return nil, 0, err
			}
			out = append(out, el)
		case xml.EndElement:
			r.pop()
			return out, s, nil
		}
	}
}

// readCell reads the element el started to its end, noting its
// annotations.
func (r *odsRewrite) readCell(el *element) error {
	depth := 1
	for {
		tok, s, err := r.token()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 1 && el.cell && r.is(e.Name, nsOffice, "annotation") {
				end, own, err := r.annotation(s)
				if err != nil {
					return err
				}
				if own {
					el.annotations = append(el.annotations, [2]int64{s, end})
				} else {
					el.foreignAnnotation = true
				}
				continue
			}
			depth++
		case xml.EndElement:
			r.pop()
			depth--
			if depth == 0 {
				el.innerEnd = s
				el.to = r.d.InputOffset()
				if el.self {
					el.innerEnd = el.inner
				}
				return nil
			}
		}
	}
}

func (r *odsRewrite) repeatOf(se xml.StartElement, local string) int {
	v, ok := r.attr(se, nsTable, local)
	if !ok {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// row rewrites a table:table-row that started at start and stands for the
// rows first… of the sheet; it returns how many rows it stood for.
func (r *odsRewrite) row(t xml.StartElement, start int64, first int, marks *sheetMarks) (int, error) {
	n := r.repeatOf(t, "number-rows-repeated")
	cells, _, err := r.children(func(se xml.StartElement) (int, bool, bool) {
		cell := r.is(se.Name, nsTable, "table-cell")
		covered := r.is(se.Name, nsTable, "covered-table-cell")
		rep := 1
		if cell || covered {
			rep = r.repeatOf(se, "number-columns-repeated")
		}
		return rep, cell, covered
	})
	if err != nil {
		return 0, err
	}
	end := r.d.InputOffset()
	var rows []int
	if marks != nil {
		rows = within(marks.rows, first, first+n)
	}
	old := false
	for _, c := range cells {
		if len(c.annotations) > 0 {
			old = true
		}
	}
	if len(rows) == 0 && !old {
		return n, nil // copied raw later
	}
	r.copyTo(start)
	r.skipTo(end)
	emit := func(count, rowNo int) {
		r.startTag(t, "number-rows-repeated", count, "")
		if rowNo == 0 {
			r.cellsOut(cells, nil, 0)
		} else {
			r.cellsOut(cells, marks, rowNo)
		}
		r.endTag(t)
	}
	at := first
	for _, m := range rows {
		if m > at {
			emit(m-at, 0)
		}
		emit(1, m)
		at = m + 1
	}
	if at < first+n {
		emit(first+n-at, 0)
	}
	return n, nil
}

// startTag writes se's start tag with the repeat attribute repeatAttr set
// to count (left out for 1) and, when style is not empty, the cell style
// set to it.
func (r *odsRewrite) startTag(se xml.StartElement, repeatAttr string, count int, style string) {
	tp := r.prefix[nsTable]
	w := r.out
	w.WriteString("<" + qname(se.Name))
	hasStyle := false
	for _, a := range se.Attr {
		if a.Name.Space != "xmlns" && r.uri(a.Name) == nsTable {
			if a.Name.Local == repeatAttr {
				continue
			}
			if style != "" && a.Name.Local == "style-name" {
				a.Value = style
				hasStyle = true
			}
		}
		fmt.Fprintf(w, ` %s="%s"`, qname(a.Name), escAttr(a.Value))
	}
	if style != "" && !hasStyle {
		fmt.Fprintf(w, ` %s:style-name="%s"`, tp, escAttr(style))
	}
	if count > 1 {
		fmt.Fprintf(w, ` %s:%s="%d"`, tp, repeatAttr, count)
	}
	w.WriteString(">")
}

func (r *odsRewrite) endTag(se xml.StartElement) { r.out.WriteString("</" + qname(se.Name) + ">") }

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func escAttr(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#9;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// cellsOut writes the cells of a row, row rowNo of the sheet (0: a row
// without marks), splitting a repeated cell around each marked one and
// removing the annotations of an earlier round.
func (r *odsRewrite) cellsOut(cells []element, marks *sheetMarks, rowNo int) {
	col := 1
	for _, c := range cells {
		if !c.cell && !c.covered {
			r.out.Write(r.src[c.from:c.to])
			continue
		}
		var cols []int
		if rowNo > 0 && c.cell {
			cols = within(marks.cols[rowNo], col, col+c.repeat)
		}
		at := col
		for _, m := range cols {
			if m > at {
				r.cellOut(c, at, m-at, nil)
			}
			r.cellOut(c, m, 1, marks.at[[2]int{rowNo, m}])
			at = m + 1
		}
		if at < col+c.repeat {
			r.cellOut(c, at, col+c.repeat-at, nil)
		}
		col += c.repeat
	}
	if rowNo == 0 {
		return
	}
	// A row ends after its last cell that is not empty: a mark past it
	// gets empty cells up to it.
	cols := marks.cols[rowNo]
	past := cols[sort.SearchInts(cols, col):]
	tp := r.prefix[nsTable]
	for _, m := range past {
		if m > col {
			fmt.Fprintf(r.out, `<%s:table-cell`, tp)
			if m-col > 1 {
				fmt.Fprintf(r.out, ` %s:number-columns-repeated="%d"`, tp, m-col)
			}
			r.out.WriteString("/>")
		}
		empty := element{start: xml.StartElement{Name: xml.Name{Space: tp, Local: "table-cell"}}, cell: true, repeat: 1}
		r.cellOut(empty, m, 1, marks.at[[2]int{rowNo, m}])
		col = m + 1
	}
}

// cellOut writes count copies of cell c, the first in column col, with
// mark m if not nil. A cell without a style of its own has its column's.
func (r *odsRewrite) cellOut(c element, col, count int, m *odsMark) {
	if m == nil && len(c.annotations) == 0 && count == c.repeat {
		r.out.Write(r.src[c.from:c.to])
		return
	}
	old, ok := r.attr(c.start, nsTable, "style-name")
	if !ok {
		old = r.columnStyle(col)
	}
	style := ""
	switch {
	case m != nil:
		style = r.style(old, m.severity)
	case len(c.annotations) > 0 && r.isHighlightODS(old):
		style = r.style(old, "")
	}
	r.startTag(c.start, "number-columns-repeated", count, style)
	// A cell holds one annotation: one of the district's is kept, and the
	// cell is only highlighted (the result sheet lists its findings).
	if m != nil && !c.foreignAnnotation {
		op, tp := r.prefix[nsOffice], r.prefix[nsText]
		fmt.Fprintf(r.out, "<%s:annotation>", op)
		for _, l := range m.lines {
			fmt.Fprintf(r.out, "<%s:p>%s</%s:p>", tp, esc(l), tp)
		}
		fmt.Fprintf(r.out, "</%s:annotation>", op)
	}
	at := c.inner
	for _, a := range c.annotations {
		r.out.Write(r.src[at:a[0]])
		at = a[1]
	}
	r.out.Write(r.src[at:c.innerEnd])
	r.endTag(c.start)
}

// resultName is the result sheet's name: the catalogue's, unless the
// district has a sheet of that name (compared ignoring case, as
// LibreOffice does); then the catalogue's name for that case, numbered if
// need be.
func (r *odsRewrite) resultName() string {
	taken := map[string]bool{}
	for _, s := range r.sheets {
		if !r.oldResults[s] {
			taken[strings.ToLower(s)] = true
		}
	}
	name := r.b.text("feedback.sheet_name", nil)
	if !taken[strings.ToLower(name)] {
		return name
	}
	own := r.b.text("feedback.sheet_name_own", nil)
	name = own
	for n := 2; taken[strings.ToLower(name)]; n++ {
		name = fmt.Sprintf("%s %d", own, n)
	}
	return name
}

// resultTable writes the result sheet: what the xlsx result sheet says,
// as a plain table. Its first cell carries an annotation of ours, by which
// it is known when the file comes back.
func (r *odsRewrite) resultTable(w *bytes.Buffer) {
	b := r.b
	tp, op, xp := r.prefix[nsTable], r.prefix[nsOffice], r.prefix[nsText]
	fmt.Fprintf(w, `<%s:table %s:name="%s">`, tp, tp, escAttr(r.resultName()))
	fmt.Fprintf(w, `<%s:table-column %s:number-columns-repeated="%d"/>`, tp, tp, len(tableCols))
	cell := func(text, style, note string) {
		fmt.Fprintf(w, `<%s:table-cell`, tp)
		if style != "" {
			fmt.Fprintf(w, ` %s:style-name="%s"`, tp, escAttr(style))
		}
		fmt.Fprintf(w, ` %s:value-type="string">`, op)
		if note != "" {
			fmt.Fprintf(w, "<%s:annotation><%s:p>%s</%s:p><%s:p>%s</%s:p></%s:annotation>", op, xp, esc(Author+":"), xp, xp, esc(note), xp, op)
		}
		for _, line := range strings.Split(text, "\n") {
			fmt.Fprintf(w, "<%s:p>%s</%s:p>", xp, esc(line), xp)
		}
		fmt.Fprintf(w, "</%s:table-cell>", tp)
	}
	row := func(cells ...string) {
		fmt.Fprintf(w, "<%s:table-row>", tp)
		for _, c := range cells {
			cell(c, "", "")
		}
		fmt.Fprintf(w, "</%s:table-row>", tp)
	}
	var own, ministry []int
	for i, fd := range b.findings {
		if audience(fd) == Ministry {
			ministry = append(ministry, i)
		} else {
			own = append(own, i)
		}
	}
	fmt.Fprintf(w, "<%s:table-row>", tp)
	cell(b.text("feedback.title", messages.Args{"file": b.opt.File}), "", b.text("feedback.sheet_name", nil))
	fmt.Fprintf(w, "</%s:table-row>", tp)
	if !b.opt.Received.IsZero() {
		row(b.text("feedback.received", nil), b.receivedText(b.opt.Received))
	}
	outcome := "feedback.rejected"
	switch {
	case b.opt.Replaced != nil:
		outcome = "feedback.accepted_replaced"
	case b.opt.Accepted:
		outcome = "feedback.accepted"
	}
	row(b.text("feedback.outcome", nil), b.text(outcome, nil))
	if rp := b.opt.Replaced; rp != nil {
		row(b.text("feedback.replaced", nil), b.text("feedback.replaced_by", messages.Args{"file": rp.File, "received": b.receivedText(rp.Received)}))
	}
	row(b.text("feedback.summary", nil), b.counts(own))
	if len(ministry) > 0 {
		row(b.text("feedback.summary_ministry", nil), b.text(pluralKey("feedback.count.ministry", len(ministry)), messages.Args{"n": fmt.Sprint(len(ministry))}))
	}
	note := b.text("feedback.how_to", nil)
	if b.opt.Replaced != nil {
		note = b.text("feedback.how_to_replaced", nil)
	}
	row()
	row(note)
	row()
	table := func(heading string, idx []int, marked bool) {
		row(heading)
		var head []string
		for _, c := range tableCols {
			head = append(head, b.text(c.key, nil))
		}
		row(head...)
		for _, i := range idx {
			fd := b.findings[i]
			style := ""
			if marked {
				style = r.style("", fd.Severity)
			}
			fmt.Fprintf(w, "<%s:table-row>", tp)
			cell(b.text(severityKey(fd.Severity), nil), style, "")
			cell(b.title(fd.Rule), "", "")
			cell(b.placeText(fd), "", "")
			cell(fd.Message, "", "")
			cell(fd.Rule, "", "")
			fmt.Fprintf(w, "</%s:table-row>", tp)
		}
	}
	table(b.text("feedback.heading.own", nil), own, true)
	if len(own) == 0 {
		row(b.text("feedback.none", nil))
	}
	if len(ministry) > 0 {
		row()
		table(b.text("feedback.heading.ministry", nil), ministry, false)
	}
	fmt.Fprintf(w, "</%s:table>", tp)
}
