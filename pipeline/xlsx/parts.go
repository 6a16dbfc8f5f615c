package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// load reads the workbook-level parts: the package relationships lead to
// the workbook, whose relationships lead to the sheets, the shared strings
// and the styles.
func (w *Workbook) load() error {
	wbPart, err := w.findWorkbookPart()
	if err != nil {
		return err
	}
	if strings.HasSuffix(strings.ToLower(wbPart), ".bin") {
		return corrupt("%s is a binary workbook (.xlsb), which this reader does not read", wbPart)
	}
	sheets, rids, err := w.readWorkbook(wbPart)
	if err != nil {
		return err
	}
	relsPart := relsPartFor(wbPart)
	rels, found, err := w.readRels(relsPart)
	if err != nil {
		return err
	}
	byID := make(map[string]rel, len(rels))
	for _, r := range rels {
		if _, dup := byID[r.id]; !dup {
			byID[r.id] = r
		}
	}
	for i := range sheets {
		s := &sheets[i]
		rid := rids[i]
		if rid == "" {
			// Excel writes r:id="" for Excel 5 module and dialog sheets kept
			// in the VBA project: the sheet exists but has no cells.
			s.empty = true
			continue
		}
		if !found {
			return corrupt("workbook relationships part %s missing, so the sheets cannot be found", relsPart)
		}
		r, ok := byID[rid]
		switch {
		case !ok:
			s.why = fmt.Sprintf("relationship %q not found in %s", rid, relsPart)
		case r.external:
			s.why = "its relationship points outside the package"
		default:
			if name, f := w.lookupTarget(wbPart, r.target); f != nil {
				s.part = name
			} else {
				s.why = fmt.Sprintf("part %q is missing from the package", r.target)
			}
		}
	}
	w.sheets = sheets

	if p := w.relatedPart(wbPart, rels, "sharedStrings", "xl/sharedStrings.xml"); p != "" {
		if err := w.loadSharedStrings(p); err != nil {
			return err
		}
	}
	if p := w.relatedPart(wbPart, rels, "styles", "xl/styles.xml"); p != "" {
		if err := w.loadStyles(p); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workbook) findWorkbookPart() (string, error) {
	rels, _, err := w.readRels("_rels/.rels")
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Problem != ProblemCorrupt || fe.Err != nil {
			return "", err
		}
		// Damaged XML in the package relationship part loses only the
		// pointer to the workbook; the conventional location below still
		// finds it, and the workbook part is checked on its own. A damaged
		// zip entry (a wrong checksum) means the file itself was damaged
		// and is refused.
	}
	for _, r := range rels {
		if !r.external && relTypeIs(r.typ, "officeDocument") {
			if name, f := w.lookupTarget("", r.target); f != nil {
				return name, nil
			}
		}
	}
	if name, f := w.lookup("xl/workbook.xml"); f != nil {
		return name, nil
	}
	return "", corrupt("zip holds no workbook part (neither _rels/.rels nor xl/workbook.xml leads to one)")
}

// relatedPart finds the workbook's part of the given relationship type,
// falling back to the conventional name that writers without
// relationships for it still use. It returns "" when there is none.
func (w *Workbook) relatedPart(wbPart string, rels []rel, kind, fallback string) string {
	for _, r := range rels {
		if !r.external && relTypeIs(r.typ, kind) {
			if name, f := w.lookupTarget(wbPart, r.target); f != nil {
				return name
			}
		}
	}
	if name, f := w.lookup(fallback); f != nil {
		return name
	}
	return ""
}

// relTypeIs matches on the last path segment, so that the Transitional
// (schemas.openxmlformats.org) and Strict (purl.oclc.org) URIs both match.
func relTypeIs(typ, kind string) bool {
	i := strings.LastIndexByte(typ, '/')
	return i >= 0 && strings.EqualFold(typ[i+1:], kind)
}

func relsPartFor(part string) string {
	dir, base := path.Split(part)
	return dir + "_rels/" + base + ".rels"
}

// lookup finds a part by name, ignoring case as Office does.
func (w *Workbook) lookup(name string) (string, *zip.File) {
	name = normalizePartName(name)
	f := w.parts[strings.ToLower(name)]
	if f == nil {
		return "", nil
	}
	return normalizePartName(f.Name), f
}

// lookupTarget resolves a relationship target against the part that owns
// the relationship. Targets may be relative ("worksheets/sheet1.xml"),
// absolute ("/xl/worksheets/sheet1.xml"), use backslashes, or be
// percent-encoded URIs ("sheet%201.xml").
func (w *Workbook) lookupTarget(source, target string) (string, *zip.File) {
	t := strings.ReplaceAll(target, `\`, "/")
	if i := strings.IndexByte(t, '#'); i >= 0 {
		t = t[:i]
	}
	candidates := []string{t}
	if u, err := url.PathUnescape(t); err == nil && u != t {
		candidates = []string{u, t}
	}
	for _, c := range candidates {
		var p string
		if strings.HasPrefix(c, "/") {
			p = path.Clean(c)
		} else {
			p = path.Join("/", path.Dir("/"+source), c)
		}
		if name, f := w.lookup(p); f != nil {
			return name, f
		}
	}
	return "", nil
}

// openWhole opens a part that is parsed in one go. It returns ok=false
// when the part does not exist.
func (w *Workbook) openWhole(part string) (x *xmlReader, rc io.Closer, ok bool, err error) {
	name, r, size, rc, ok, err := w.openCapped(part)
	if !ok || err != nil {
		return nil, nil, ok, err
	}
	return newXMLReader(name, r, size, &w.closed), rc, true, nil
}

// openCapped opens a part that is read whole, checking its declared size
// against MaxPartSize and capping what it yields there too. It returns
// ok=false when the part does not exist.
func (w *Workbook) openCapped(part string) (name string, r io.Reader, size uint64, rc io.Closer, ok bool, err error) {
	name, f := w.lookup(part)
	if f == nil {
		return "", nil, 0, nil, false, nil
	}
	if f.UncompressedSize64 > uint64(w.lim.MaxPartSize) {
		return "", nil, 0, nil, true, formatErr(ProblemTooLarge, "part %s declares %s uncompressed, limit %s for parts read whole",
			name, formatSize(clampSize(f.UncompressedSize64)), formatSize(w.lim.MaxPartSize))
	}
	zr, err := openEntry(f, &w.closed)
	if err != nil {
		return "", nil, 0, nil, true, partErr(name, err)
	}
	// Parts read whole are parsed to their end, which is where the checksum
	// is compared.
	return name, &capReader{r: zr, left: w.lim.MaxPartSize, part: name, limit: w.lim.MaxPartSize}, f.UncompressedSize64, zr, true, nil
}

type rel struct {
	id, typ, target string
	external        bool
}

// readRels reads a relationships part; found is false when it is absent.
func (w *Workbook) readRels(part string) (rels []rel, found bool, err error) {
	x, rc, ok, err := w.openWhole(part)
	if !ok || err != nil {
		return nil, ok, err
	}
	defer rc.Close()
	for {
		tok, err := x.next()
		if err == io.EOF {
			return rels, true, nil
		}
		if err != nil {
			return nil, true, err
		}
		t, ok := tok.(xml.StartElement)
		if !ok || x.depth() != 2 || t.Name.Local != "Relationship" {
			continue
		}
		var r rel
		for _, a := range t.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			case "TargetMode":
				r.external = strings.EqualFold(a.Value, "External")
			}
		}
		rels = append(rels, r)
	}
}

// readWorkbook reads the sheet list and the date system. rids holds each
// sheet's relationship id, parallel to sheets.
func (w *Workbook) readWorkbook(part string) (sheets []sheetRef, rids []string, err error) {
	x, rc, ok, err := w.openWhole(part)
	if !ok || err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	sawRoot := false
	for {
		tok, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if x.depth() == 1 {
			if t.Name.Local != "workbook" {
				return nil, nil, corrupt("%s is not a workbook part (root element <%s>)", part, qname(t.Name))
			}
			sawRoot = true
			continue
		}
		switch {
		case x.depth() == 2 && t.Name.Local == "workbookPr":
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == "date1904" {
					w.date1904 = a.Value == "1" || strings.EqualFold(a.Value, "true")
				}
			}
		case x.depth() == 3 && t.Name.Local == "sheet" && x.stack[1].Local == "sheets":
			var s sheetRef
			var rid string
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "name":
					s.name = a.Value
				case a.Name.Local == "id" && a.Name.Space != "" && a.Name.Space != "xmlns":
					// r:id, whatever prefix the writer bound to the
					// relationships namespace.
					rid = a.Value
				}
			}
			if len(sheets) >= w.lim.MaxEntries {
				// Every real sheet has a part of its own, so a workbook never
				// lists more sheets than its package has entries.
				return nil, nil, formatErr(ProblemTooLarge, "%s lists more than %d sheets", part, w.lim.MaxEntries)
			}
			sheets = append(sheets, s)
			rids = append(rids, rid)
		}
	}
	if !sawRoot {
		return nil, nil, corrupt("%s has no workbook element", part)
	}
	return sheets, rids, nil
}

// stringTable holds the shared strings in one string with end offsets, so
// that a table of millions of tiny items costs four bytes per item rather
// than a string header each, and a lookup allocates nothing.
type stringTable struct {
	data string
	ends []uint32
}

func (t *stringTable) len() int { return len(t.ends) }

func (t *stringTable) get(i int) (string, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.data[start:t.ends[i]], true
}

// loadSharedStrings reads the shared string table. It can hold an item
// for every text cell of the workbook, so it is read with sheetScanner
// like the worksheets, and costs no allocation per item.
func (w *Workbook) loadSharedStrings(part string) error {
	name, r, size, rc, ok, err := w.openCapped(part)
	if !ok || err != nil {
		return err
	}
	defer rc.Close()
	x := newSheetScanner(name, r, size, &w.closed)
	var sb strings.Builder
	var ends []uint32
	var raw, text, unesc []byte
	for {
		tok, err := x.next(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if tok != tokStart || x.depth() != 2 || !x.local("si") {
			continue
		}
		raw = raw[:0]
		if err := x.richText(&raw); err != nil {
			return err
		}
		text = raw
		if hasEscape(raw) {
			text = appendUnescaped(unesc[:0], raw)
			unesc = text
		}
		if sb.Len()+len(text) > math.MaxUint32 {
			return formatErr(ProblemTooLarge, "%s: shared strings exceed 4 GiB", part)
		}
		sb.Write(text)
		ends = append(ends, uint32(sb.Len()))
	}
	w.strings = stringTable{data: sb.String(), ends: ends}
	return nil
}

// loadStyles records, for each cell format (cellXfs), whether its number
// format shows a date or time.
func (w *Workbook) loadStyles(part string) error {
	x, rc, ok, err := w.openWhole(part)
	if !ok || err != nil {
		return err
	}
	defer rc.Close()
	custom := make(map[int]string)
	var xfFmt []int
	// Markup-compatibility wrappers (mc:AlternateContent) appear in styles
	// written by some suites. The content of mc:Choice needs extensions this
	// reader does not know, so it is skipped, and mc:Fallback counts as if
	// its children stood in the wrapper's place; eff holds the element names
	// seen that way ("" for a transparent wrapper).
	var eff []string
	skipBelow := 0
	for {
		tok, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skipBelow > 0 {
				continue
			}
			local := t.Name.Local
			switch local {
			case "Choice":
				skipBelow = x.depth()
				eff = append(eff, "")
				continue
			case "AlternateContent", "Fallback":
				eff = append(eff, "")
				continue
			}
			parent := ""
			for i := len(eff) - 1; i >= 0; i-- {
				if eff[i] != "" {
					parent = eff[i]
					break
				}
			}
			eff = append(eff, local)
			switch {
			case local == "numFmt" && parent == "numFmts":
				id, code, okID := -1, "", false
				for _, a := range t.Attr {
					switch {
					case a.Name.Space != "":
					case a.Name.Local == "numFmtId":
						id, okID = atoiOK(a.Value)
					case a.Name.Local == "formatCode":
						code = a.Value
					}
				}
				if okID {
					custom[id] = code
				}
			case local == "xf" && parent == "cellXfs":
				id := 0
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "numFmtId" {
						id, _ = atoiOK(a.Value)
					}
				}
				xfFmt = append(xfFmt, id)
			}
		case xml.EndElement:
			if skipBelow > 0 {
				if x.depth() >= skipBelow {
					continue
				}
				skipBelow = 0
			}
			eff = eff[:len(eff)-1]
		}
	}
	w.dateXF = make([]bool, len(xfFmt))
	for i, id := range xfFmt {
		if code, ok := custom[id]; ok {
			w.dateXF[i] = isDateFormatCode(code)
		} else {
			w.dateXF[i] = isBuiltinDateFormat(id)
		}
	}
	return nil
}

func atoiOK(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

// appendUnescaped decodes the _xHHHH_ escapes with which Excel writes
// characters that XML 1.0 cannot carry (a carriage return is _x000D_); a
// literal "_x" sequence is written as _x005F_x. Surrogate pairs written as
// two escapes are joined.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		if src[i] == '_' {
			if r, ok := hexEscape(src[i:]); ok {
				adv := 7
				if r >= 0xD800 && r < 0xE000 {
					r2, ok2 := hexEscape(src[i+7:])
					if pair := utf16.DecodeRune(r, r2); ok2 && r < 0xDC00 && pair != utf8.RuneError {
						r, adv = pair, 14
					} else {
						r = utf8.RuneError
					}
				}
				dst = utf8.AppendRune(dst, r)
				i += adv
				continue
			}
		}
		dst = append(dst, src[i])
		i++
	}
	return dst
}

// hexEscape decodes "_xHHHH_" at the start of b.
func hexEscape(b []byte) (rune, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// hasEscape reports whether appendUnescaped could change b, so the common
// case needs no copy.
func hasEscape(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '_' && b[i+1] == 'x' {
			return true
		}
	}
	return false
}
