package xlsx

// OpenDocument spreadsheets (.ods, and .ots templates) are read by the same
// Workbook and Rows as .xlsx files, with the same limits and hardening, so
// that a caller needs no second code path: Open tells the format from the
// package's mimetype entry.
//
// An .ods holds every sheet in one part, content.xml, which is streamed
// with sheetScanner like a worksheet. Open reads it once to its end: that
// lists the sheets, checks the XML and the part's checksum, and records
// where in content.xml each sheet's <table:table> element begins, so that
// Rows can skip to its sheet by decompressing, without parsing what comes
// before. Cells come out exactly as the .xlsx reader gives them for the
// same cells saved as .xlsx (see readODSCell), dates as serial numbers of
// the 1900 date system.
//
// Two features of the format need bounds of their own. A row or cell can
// stand for any number of copies of itself (table:number-rows-repeated,
// table:number-columns-repeated): LibreOffice ends every sheet with an
// empty row repeated to the last of its 1,048,576 rows, each holding one
// empty cell repeated over all 16,384 columns. Empty copies are never
// made, only counted; copies that hold a value are returned, and every
// one counts against MaxTextSize and against a bound on the number of
// cells (maxODSCells). And elements can be renamed by binding namespace
// prefixes anew, so names are resolved, with a bound on the bindings in
// scope.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
)

// Format is the file format a workbook was read as.
type Format uint8

const (
	// FormatXLSX is Office Open XML SpreadsheetML: .xlsx, .xlsm and their
	// templates.
	FormatXLSX Format = iota + 1
	// FormatODS is an OpenDocument spreadsheet: .ods and .ots.
	FormatODS
)

// String returns "xlsx" or "ods".
func (f Format) String() string {
	switch f {
	case FormatXLSX:
		return "xlsx"
	case FormatODS:
		return "ods"
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// Format reports whether the workbook is an Office Open XML or an
// OpenDocument file. The methods that serve rewriting a package (Entry,
// WorkbookPart, SheetParts, Relationships, DefinedNames) know only Office
// Open XML parts; for an OpenDocument workbook all but Entries and Entry
// return a *FormatError of ProblemODS.
func (w *Workbook) Format() Format {
	if w.ods != nil {
		return FormatODS
	}
	return FormatXLSX
}

// odsContentPart is the part of an OpenDocument package that holds the
// sheets; odsManifestPart lists the package's entries and says which are
// encrypted.
const (
	odsContentPart  = "content.xml"
	odsManifestPart = "META-INF/manifest.xml"
)

// odsCellBytes is the size of the smallest cell that Rows returns from an
// .xlsx worksheet, <c><f/></c> (a formula without a value). The cells an
// .ods returns, every repeated copy counted, are bounded to what an .xlsx
// within the same MaxUnzippedSize could hold: at the default of 256 MiB,
// 24.4 million. Real submissions have tens of thousands. Without the bound
// a file of 300 bytes, one formula cell repeated over 16,384 columns in a
// row repeated 1,048,576 times, makes 17 billion cells; MaxTextSize does not
// stop it, as a formula without a value has no text.
const odsCellBytes = 11

func maxODSCells(lim Limits) int64 { return lim.MaxUnzippedSize / odsCellBytes }

// odsBook is what Open learned of an OpenDocument workbook.
type odsBook struct {
	part   string     // content.xml as the zip names it
	sheets []odsSheet // parallel to Workbook.sheets
	// seek is set when the offsets in sheets are offsets into the zip
	// entry's bytes, which is so unless the part is in an encoding other
	// than UTF-8 and was converted while it was read.
	seek bool
	// ns are the namespace bindings in scope at every sheet's element,
	// which are the same for all of them: those of office:spreadsheet and
	// its ancestors.
	ns []nsBinding
	// cells counts the cells that all Rows of the workbook have returned,
	// against maxODSCells.
	cells atomic.Int64
}

type odsSheet struct {
	offset int64 // of the '<' of the sheet's <table:table> in content.xml
	lines  int   // newlines before offset, for the line numbers of errors
}

// odsErr marks a *FormatError as one about an OpenDocument file, so that a
// message can point to LibreOffice rather than Excel.
func odsErr(err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.Format = FormatODS
	}
	return err
}

// loadODS reads what Open needs of an OpenDocument package: that it is not
// encrypted, and the list of its sheets.
func (w *Workbook) loadODS() error {
	if err := w.checkManifest(); err != nil {
		return err
	}
	name, f := w.lookup(odsContentPart)
	if f == nil {
		return corrupt("opendocument package without %s", odsContentPart)
	}
	rc, err := openEntry(f, &w.closed)
	if err != nil {
		return partErr(name, err)
	}
	defer rc.Close()
	x := newSheetScanner(name, rc, f.UncompressedSize64, &w.closed)
	book := &odsBook{part: name}
	var ns nsResolver
	// kinds holds what the open elements down to a sheet are.
	var kinds [odsSheetDepth]odsElem
	sawBody := false
	for {
		tok, err := x.next(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if tok != tokStart || x.depth() > odsSheetDepth {
			continue
		}
		d := x.depth()
		if err := ns.enter(x, d); err != nil {
			return err
		}
		k := ns.elem(x)
		kinds[d-1] = k
		switch {
		case d == 1 && k != odsDocumentContent:
			return corrupt("%s is not the content of an opendocument file (root element <%s>)", name, x.tag[:x.nameEnd])
		case d == 3 && k == odsSpreadsheet && kinds[1] == odsBody:
			if sawBody {
				return corrupt("%s holds more than one spreadsheet", name)
			}
			sawBody = true
			book.ns = ns.snapshot()
		case d == odsSheetDepth && k == odsTable && kinds[2] == odsSpreadsheet && kinds[1] == odsBody:
			if len(w.sheets) >= w.lim.MaxEntries {
				return formatErr(ProblemTooLarge, "%s lists more than %d sheets", name, w.lim.MaxEntries)
			}
			sheetName := ""
			for i := range x.attrs {
				if ns.attr(x, i) == odsAttrName {
					sheetName = string(x.attrValue(i))
				}
			}
			// The tag ends at x.r; it began len(tag)+1 bytes before, at '<'.
			start := x.base + int64(x.r) - int64(len(x.tag)) - 1
			lines := x.lineAt(x.r) - 1 - bytes.Count(x.tag, newline)
			book.sheets = append(book.sheets, odsSheet{offset: start, lines: lines})
			w.sheets = append(w.sheets, sheetRef{name: sheetName, part: name})
		}
	}
	if !sawBody {
		return corrupt("%s holds no spreadsheet (no office:body/office:spreadsheet element)", name)
	}
	// A part in another encoding was converted while it was read, and the
	// offsets above count converted bytes.
	book.seek = x.src == io.Reader(rc)
	w.ods = book
	return nil
}

// checkManifest refuses a password-protected package: its manifest gives
// the encryption of every encrypted entry (manifest:encryption-data), and
// LibreOffice encrypts content.xml whenever a password is set. Damaged XML
// in the manifest is not the file's end, as the cells do not depend on it;
// a damaged zip entry is.
func (w *Workbook) checkManifest() error {
	x, rc, ok, err := w.openWhole(odsManifestPart)
	if !ok || err != nil {
		return err
	}
	defer rc.Close()
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) && fe.Problem == ProblemCorrupt && fe.Err == nil {
				return nil
			}
			return err
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "encryption-data" {
			return formatErr(ProblemEncrypted, "password-protected opendocument spreadsheet (%s lists encrypted entries)", odsManifestPart)
		}
	}
}

// odsNoParts is the error of the methods that serve rewriting an Office
// Open XML package, for an OpenDocument workbook.
func odsNoParts() error {
	return &FormatError{Problem: ProblemODS, Format: FormatODS,
		Detail: "opendocument spreadsheet: its sheets are in " + odsContentPart + ", it has no office open xml parts"}
}

// Element and attribute names.

// odsSheetDepth is the depth of a sheet's element:
// office:document-content / office:body / office:spreadsheet / table:table.
const odsSheetDepth = 4

type nsID uint8

const (
	nsNone nsID = iota // no namespace, or one this reader has no use for
	nsOffice
	nsTable
	nsText
	nsCalcExt
)

// nsByURI are the namespaces whose elements and attributes the reader
// uses. calcext is LibreOffice's extension namespace, in which it says that
// a formula's result is an error.
var nsByURI = map[string]nsID{
	"urn:oasis:names:tc:opendocument:xmlns:office:1.0":                     nsOffice,
	"urn:oasis:names:tc:opendocument:xmlns:table:1.0":                      nsTable,
	"urn:oasis:names:tc:opendocument:xmlns:text:1.0":                       nsText,
	"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0": nsCalcExt,
}

// nsByPrefix is what an unbound prefix means: the conventional one of
// every writer. Some generators leave out the declarations.
var nsByPrefix = map[string]nsID{"office": nsOffice, "table": nsTable, "text": nsText, "calcext": nsCalcExt}

// maxNSBindings bounds the namespace declarations in scope at once. A
// LibreOffice content.xml declares some forty, all on its root element.
const maxNSBindings = 1024

type nsBinding struct {
	prefix string // "" for the default namespace
	id     nsID
	depth  int // of the element that declares it; 0 for inherited ones
}

// nsResolver resolves the prefixes of element and attribute names to the
// namespaces they are bound to.
type nsResolver struct {
	bindings []nsBinding
	// cache maps prefixes to namespaces for the bindings now in scope; it
	// is emptied whenever they change.
	cache map[string]nsID
}

func newNSResolver(inherited []nsBinding) nsResolver {
	return nsResolver{bindings: append([]nsBinding(nil), inherited...)}
}

// enter drops the bindings of elements that have ended and adds those that
// the start tag just read declares, at depth d.
func (n *nsResolver) enter(x *sheetScanner, d int) error {
	k := len(n.bindings)
	for k > 0 && n.bindings[k-1].depth >= d {
		k--
	}
	if k < len(n.bindings) {
		n.bindings = n.bindings[:k]
		clear(n.cache)
	}
	for i := range x.attrs {
		a := &x.attrs[i]
		name := x.tag[a.nameStart:a.nameEnd]
		if !bytes.HasPrefix(name, xmlnsPrefix) {
			continue
		}
		var prefix string
		switch {
		case len(name) == len(xmlnsPrefix):
		case name[len(xmlnsPrefix)] == ':':
			prefix = string(name[len(xmlnsPrefix)+1:])
		default:
			continue // an attribute such as xmlnsfoo
		}
		if len(n.bindings) >= maxNSBindings {
			return corrupt("%s: more than %d namespace declarations in scope", x.part, maxNSBindings)
		}
		n.bindings = append(n.bindings, nsBinding{prefix: prefix, id: nsByURI[string(x.attrValue(i))], depth: d})
		clear(n.cache)
	}
	return nil
}

var xmlnsPrefix = []byte("xmlns")

// snapshot returns the bindings in scope, as inherited by a scanner that
// starts at the next element.
func (n *nsResolver) snapshot() []nsBinding {
	out := make([]nsBinding, len(n.bindings))
	for i, b := range n.bindings {
		b.depth = 0
		out[i] = b
	}
	return out
}

func (n *nsResolver) lookup(prefix []byte) nsID {
	if id, ok := n.cache[string(prefix)]; ok {
		return id
	}
	id, found := nsNone, false
	for i := len(n.bindings) - 1; i >= 0; i-- {
		if n.bindings[i].prefix == string(prefix) {
			id, found = n.bindings[i].id, true
			break
		}
	}
	if !found {
		id = nsByPrefix[string(prefix)]
	}
	if n.cache == nil {
		n.cache = make(map[string]nsID)
	}
	if len(n.cache) < maxNSBindings {
		n.cache[string(prefix)] = id
	}
	return id
}

// odsElem names the elements the reader acts on.
type odsElem uint8

const (
	odsOther odsElem = iota
	odsDocumentContent
	odsBody
	odsSpreadsheet
	odsTable
	odsRow
	odsRowContainer // table:table-header-rows, table:table-row-group, table:table-rows
	odsCell         // table:table-cell, table:covered-table-cell
	odsAnnotation   // office:annotation, which can stand inside a paragraph too
	odsParagraph    // text:p, text:h
	odsTextBlock    // text:list, text:list-item, text:list-header, text:section
	odsSpace        // text:s
	odsTab          // text:tab
	odsLineBreak    // text:line-break
	odsNotText      // text:note, text:ruby-text: not part of the paragraph's text
	odsTextOther    // other text: elements, whose text is the paragraph's (text:span, text:a, fields)
)

// elem classifies the start tag just read.
func (n *nsResolver) elem(x *sheetScanner) odsElem {
	var prefix []byte
	if x.localStart > 0 {
		prefix = x.tag[:x.localStart-1]
	}
	local := x.tag[x.localStart:x.nameEnd]
	switch n.lookup(prefix) {
	case nsOffice:
		switch string(local) {
		case "document-content":
			return odsDocumentContent
		case "body":
			return odsBody
		case "spreadsheet":
			return odsSpreadsheet
		case "annotation":
			return odsAnnotation
		}
	case nsTable:
		switch string(local) {
		case "table":
			return odsTable
		case "table-row":
			return odsRow
		case "table-header-rows", "table-row-group", "table-rows":
			return odsRowContainer
		case "table-cell", "covered-table-cell":
			return odsCell
		}
	case nsText:
		switch string(local) {
		case "p", "h":
			return odsParagraph
		case "list", "list-item", "list-header", "section":
			return odsTextBlock
		case "s":
			return odsSpace
		case "tab":
			return odsTab
		case "line-break":
			return odsLineBreak
		case "note", "ruby-text":
			return odsNotText
		}
		return odsTextOther
	}
	return odsOther
}

// odsAttr names the attributes the reader uses.
type odsAttr uint8

const (
	odsAttrOther       odsAttr = iota
	odsAttrName                // table:name
	odsAttrRowsRep             // table:number-rows-repeated
	odsAttrColsRep             // table:number-columns-repeated
	odsAttrFormula             // table:formula
	odsAttrValueType           // office:value-type
	odsAttrCalcExtType         // calcext:value-type
	odsAttrValue               // office:value
	odsAttrDateValue           // office:date-value
	odsAttrTimeValue           // office:time-value
	odsAttrBoolValue           // office:boolean-value
	odsAttrStringValue         // office:string-value
	odsAttrCount               // text:c
)

// attr classifies attribute i of the start tag just read.
func (n *nsResolver) attr(x *sheetScanner, i int) odsAttr {
	a := &x.attrs[i]
	name := x.tag[a.nameStart:a.nameEnd]
	c := bytes.IndexByte(name, ':')
	if c <= 0 || c == len(name)-1 {
		return odsAttrOther // unprefixed attributes are in no namespace
	}
	local := name[c+1:]
	switch n.lookup(name[:c]) {
	case nsTable:
		switch string(local) {
		case "name":
			return odsAttrName
		case "number-rows-repeated":
			return odsAttrRowsRep
		case "number-columns-repeated":
			return odsAttrColsRep
		case "formula":
			return odsAttrFormula
		}
	case nsOffice:
		switch string(local) {
		case "value-type":
			return odsAttrValueType
		case "value":
			return odsAttrValue
		case "date-value":
			return odsAttrDateValue
		case "time-value":
			return odsAttrTimeValue
		case "boolean-value":
			return odsAttrBoolValue
		case "string-value":
			return odsAttrStringValue
		}
	case nsCalcExt:
		if string(local) == "value-type" {
			return odsAttrCalcExtType
		}
	case nsText:
		if string(local) == "c" {
			return odsAttrCount
		}
	}
	return odsAttrOther
}

// ODS files name their type in the mimetype entry; a template is read like
// the spreadsheet it makes.
func isODSMimetype(mt string) bool {
	return strings.HasPrefix(strings.TrimSpace(mt), odsMimetype)
}
