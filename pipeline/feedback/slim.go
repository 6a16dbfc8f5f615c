package feedback

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// A sheet that gets marks is given to excelize slimmed: its rows reduced to
// those that carry a finding's cell or a comment, and the sheet's last row
// (so that excelize never adds rows below the sheet's own end). Everything
// around the rows (views, columns, merged cells, the drawing of the
// comments …) stays, so excelize does to the slim sheet all it did to the
// whole one, at the cost of a few rows instead of thousands: parsing and
// writing a 2,000-line receipts sheet was two thirds of a feedback
// workbook's time. When the workbook is written, the rows excelize wrote
// are put back among the original rows in their order (splice), which are
// copied as they are, byte for byte.
//
// Only a sheet whose rows can be found without parsing them is slimmed:
// elements without a namespace prefix, every row numbered, in ascending
// order, and no comment, processing instruction or CDATA section among the
// cells. Any other is given whole, as before. If the rows excelize wrote
// cannot be put back (errSplice), the workbook is made again with every
// sheet whole.

// slimSheets is false only in a test that compares with the sheets given
// whole.
var slimSheets = true

// errSplice says that a slimmed sheet's rows could not be put back.
var errSplice = errors.New("feedback: a slimmed sheet could not be put back together")

// rowSpan is a row element of a sheet part: its number and where it lies.
type rowSpan struct {
	r          int
	start, end int
}

// sheetRows is the layout of a sheet part: the end of the sheetData start
// tag, the start of its end tag, and the rows between them.
type sheetRows struct {
	open, close int
	rows        []rowSpan
}

// slimSheet is a marked sheet given to excelize slimmed.
type slimSheet struct {
	orig   []byte
	layout sheetRows
	keep   map[int]bool // the rows excelize got
}

// scanRows finds the rows of a sheet part, or tells that it cannot do so
// without parsing them (see above).
func scanRows(data []byte) (sheetRows, bool) {
	var s sheetRows
	const open, end = "<sheetData", "</sheetData>"
	i := bytes.Index(data, []byte(open))
	if i < 0 || bytes.Count(data, []byte(open)) != 1 || i+len(open) >= len(data) {
		return s, false
	}
	if c := data[i+len(open)]; c != '>' && !isSpace(c) {
		return s, false
	}
	tagEnd, ok := startTagEnd(data, i)
	if !ok || data[tagEnd-2] == '/' {
		return s, false
	}
	j := bytes.Index(data[tagEnd:], []byte(end))
	if j < 0 {
		return s, false
	}
	s.open, s.close = tagEnd, tagEnd+j
	body := data[s.open:s.close]
	if bytes.Contains(body, []byte("<!")) || bytes.Contains(body, []byte("<?")) {
		return s, false
	}
	last := 0
	for pos := s.open; ; {
		for pos < s.close && isSpace(data[pos]) {
			pos++
		}
		if pos == s.close {
			return s, true
		}
		if !bytes.HasPrefix(data[pos:s.close], []byte("<row")) || pos+4 >= s.close {
			return s, false
		}
		if c := data[pos+4]; c != '>' && c != '/' && !isSpace(c) {
			return s, false
		}
		te, ok := startTagEnd(data[:s.close], pos)
		if !ok {
			return s, false
		}
		v, ok := attr(data[pos:te], "r")
		if !ok {
			return s, false
		}
		r, err := strconv.Atoi(v)
		if err != nil || r <= last || r > excelize.TotalRows {
			return s, false
		}
		last = r
		rowEnd := te
		if data[te-2] != '/' {
			k := bytes.Index(data[te:s.close], []byte("</row>"))
			if k < 0 {
				return s, false
			}
			rowEnd = te + k + len("</row>")
		}
		s.rows = append(s.rows, rowSpan{r: r, start: pos, end: rowEnd})
		pos = rowEnd
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// startTagEnd returns the index just past the ">" of the start tag that
// begins at data[at], skipping quoted attribute values.
func startTagEnd(data []byte, at int) (int, bool) {
	var quote byte
	for i := at + 1; i < len(data); i++ {
		c := data[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			return 0, false
		case c == '>':
			return i + 1, true
		}
	}
	return 0, false
}

// attr returns the value of the unprefixed attribute name of a start tag,
// as it stands (rows' numbers need no unescaping).
func attr(tag []byte, name string) (string, bool) {
	i := 1
	for i < len(tag) && !isSpace(tag[i]) && tag[i] != '>' && tag[i] != '/' {
		i++
	}
	for i < len(tag) {
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		start := i
		for i < len(tag) && tag[i] != '=' && !isSpace(tag[i]) && tag[i] != '>' && tag[i] != '/' {
			i++
		}
		key := string(tag[start:i])
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] != '=' {
			return "", false
		}
		i++
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return "", false
		}
		q := tag[i]
		end := bytes.IndexByte(tag[i+1:], q)
		if end < 0 {
			return "", false
		}
		val := string(tag[i+1 : i+1+end])
		i += end + 2
		if key == name {
			return val, true
		}
	}
	return "", false
}

// slim returns the sheet part data with only the rows in need, and the
// last row; ok is false when the sheet is not to be slimmed (see above).
func slim(data []byte, need map[int]bool) ([]byte, *slimSheet, bool) {
	layout, ok := scanRows(data)
	if !ok || len(layout.rows) == 0 {
		return nil, nil, false
	}
	keep := map[int]bool{}
	var out bytes.Buffer
	out.Write(data[:layout.open])
	for k, row := range layout.rows {
		if need[row.r] || k == len(layout.rows)-1 {
			keep[row.r] = true
			out.Write(data[row.start:row.end])
		}
	}
	out.Write(data[layout.close:])
	return out.Bytes(), &slimSheet{orig: data, layout: layout, keep: keep}, true
}

var xmlnsAttr = regexp.MustCompile(`\sxmlns(?::[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')`)

// splice puts the rows excelize wrote (written, the slim sheet as excelize
// wrote it) back among the original rows that it did not get: excelize's
// part around the rows, then the rows of both in order of their numbers.
// Every namespace the original declares on its root element must be
// declared on excelize's too, since the original rows may use them.
func (s *slimSheet) splice(written []byte) ([]byte, error) {
	got, ok := scanRows(written)
	if !ok || !sameNamespaces(s.orig[:s.layout.open], written) {
		return nil, errSplice
	}
	inOrig := make(map[int]bool, len(s.layout.rows))
	for _, r := range s.layout.rows {
		inOrig[r.r] = true
	}
	var out bytes.Buffer
	out.Grow(len(s.orig) + len(written))
	out.Write(written[:got.open])
	i, j := 0, 0
	orig := s.layout.rows
	for i < len(orig) || j < len(got.rows) {
		// Original rows that excelize got come back from excelize, and
		// rows excelize added where the original has one are dropped.
		if i < len(orig) && s.keep[orig[i].r] {
			i++
			continue
		}
		if j < len(got.rows) && inOrig[got.rows[j].r] && !s.keep[got.rows[j].r] {
			j++
			continue
		}
		switch {
		case j == len(got.rows) || i < len(orig) && orig[i].r < got.rows[j].r:
			out.Write(s.orig[orig[i].start:orig[i].end])
			i++
		default:
			out.Write(written[got.rows[j].start:got.rows[j].end])
			j++
		}
	}
	out.Write(written[got.close:])
	return out.Bytes(), nil
}

// sameNamespaces tells whether every namespace declared on the root
// element of the original head is declared, to the same name, on the root
// element of written.
func sameNamespaces(head, written []byte) bool {
	root := func(data []byte) []byte {
		for i := 0; i < len(data); {
			k := bytes.IndexByte(data[i:], '<')
			if k < 0 {
				return nil
			}
			i += k
			if i+1 < len(data) && data[i+1] != '?' && data[i+1] != '!' {
				end, ok := startTagEnd(data, i)
				if !ok {
					return nil
				}
				return data[i:end]
			}
			i++
		}
		return nil
	}
	o, w := root(head), root(written)
	if o == nil || w == nil {
		return false
	}
	have := map[string]bool{}
	for _, m := range xmlnsAttr.FindAll(w, -1) {
		have[normAttr(m)] = true
	}
	for _, m := range xmlnsAttr.FindAll(o, -1) {
		if !have[normAttr(m)] {
			return false
		}
	}
	return true
}

// normAttr is an xmlns attribute without its blanks, in double quotes.
func normAttr(a []byte) string {
	a = bytes.TrimSpace(a)
	eq := bytes.IndexByte(a, '=')
	name := bytes.TrimSpace(a[:eq])
	val := bytes.TrimSpace(a[eq+1:])
	return string(name) + "=" + string(val[1:len(val)-1])
}

var commentRef = regexp.MustCompile(`<(?:[\w.-]+:)?comment\s[^>]*?\bref\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']`)

// commentRows adds to rows the row of every comment in a comments part.
func commentRows(data []byte, rows map[int]bool) {
	for _, m := range commentRef.FindAllSubmatch(data, -1) {
		if r, err := strconv.Atoi(string(m[2])); err == nil {
			rows[r] = true
		}
	}
}
