package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// The methods in this file serve a caller that rewrites a workbook it has
// opened with Open, such as the feedback workbook: which entries the package
// holds, which part holds which sheet, what a part relates to and which
// names the workbook defines. With them it can hand the few parts it changes
// to a library that loads whatever it is given whole, and copy every other
// part unread. They read only the workbook part and relationship parts,
// each within Limits.MaxPartSize, and never a worksheet. An OpenDocument
// workbook has no such parts: all but Entries and Entry return a
// *FormatError of ProblemODS for it.

// Entries returns the package's zip entries in the order of its central
// directory, directory entries included. Open has checked their number and
// declared sizes against the Limits, and archive/zip refuses to inflate an
// entry past its declared size. The caller must not modify the slice.
func (w *Workbook) Entries() []*zip.File { return w.zr.File }

// Entry returns the zip entry of a part, matched as Office matches part
// names (ignoring case, a leading slash and backslashes), or nil.
func (w *Workbook) Entry(part string) *zip.File {
	_, f := w.lookup(part)
	return f
}

// WorkbookPart returns the normalised name of the package's main workbook
// part, such as "xl/workbook.xml".
func (w *Workbook) WorkbookPart() (string, error) {
	if w.closed.Load() {
		return "", errClosed
	}
	if w.ods != nil {
		return "", odsNoParts()
	}
	return w.findWorkbookPart()
}

// SheetPart is a sheet of the workbook with the part that holds it.
type SheetPart struct {
	// Name is the sheet's name as Sheets returns it.
	Name string
	// Part is the normalised name of the sheet's part; "" when the sheet
	// has none (see Rows).
	Part string
	// Type is the last segment of the relationship type that leads to the
	// part: "worksheet", "chartsheet", "dialogsheet", "xlMacrosheet" …; ""
	// when there is no part.
	Type string
}

// SheetParts returns the sheets in workbook order with their parts.
func (w *Workbook) SheetParts() ([]SheetPart, error) {
	if w.closed.Load() {
		return nil, errClosed
	}
	if w.ods != nil {
		return nil, odsNoParts()
	}
	wbPart, err := w.findWorkbookPart()
	if err != nil {
		return nil, err
	}
	// readWorkbook sets date1904 again, to the value load read.
	sheets, rids, err := w.readWorkbook(wbPart)
	if err != nil {
		return nil, err
	}
	rels, err := w.Relationships(wbPart)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Relationship, len(rels))
	for _, r := range rels {
		if _, dup := byID[r.ID]; !dup {
			byID[r.ID] = r
		}
	}
	out := make([]SheetPart, len(sheets))
	for i, s := range sheets {
		out[i].Name = s.name
		if r, ok := byID[rids[i]]; ok && rids[i] != "" && r.Part != "" {
			out[i].Part = r.Part
			out[i].Type = r.Type[strings.LastIndexByte(r.Type, '/')+1:]
		}
	}
	return out, nil
}

// Relationship is one relationship of a part.
type Relationship struct {
	ID, Type, Target string
	External         bool
	// Part is the target resolved to a part of the package (normalised
	// name), or "" when the target is external or not in the package.
	Part string
}

// Relationships returns the relationships of a part (of the package itself
// for part ""), in document order, from the part's relationships part;
// none when there is no relationships part. A relationships part larger
// than Limits.MaxPartSize is a *FormatError.
func (w *Workbook) Relationships(part string) ([]Relationship, error) {
	if w.closed.Load() {
		return nil, errClosed
	}
	if w.ods != nil {
		return nil, odsNoParts()
	}
	part = normalizePartName(part)
	rels, _, err := w.readRels(relsPartFor(part))
	if err != nil {
		return nil, err
	}
	out := make([]Relationship, len(rels))
	for i, r := range rels {
		out[i] = Relationship{ID: r.id, Type: r.typ, Target: r.target, External: r.external}
		if !r.external {
			out[i].Part, _ = w.lookupTarget(part, r.target)
		}
	}
	return out, nil
}

// DefinedName is a name the workbook defines.
type DefinedName struct {
	Name string
	// Sheet is the index (from 0, in the order of Sheets) of the sheet the
	// name belongs to, or -1 for a name of the whole workbook.
	Sheet  int
	Hidden bool
}

// DefinedNames returns the names the workbook defines, in document order.
func (w *Workbook) DefinedNames() ([]DefinedName, error) {
	if w.closed.Load() {
		return nil, errClosed
	}
	if w.ods != nil {
		return nil, odsNoParts()
	}
	wbPart, err := w.findWorkbookPart()
	if err != nil {
		return nil, err
	}
	x, rc, ok, err := w.openWhole(wbPart)
	if !ok || err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []DefinedName
	for {
		tok, err := x.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		t, ok := tok.(xml.StartElement)
		if !ok || x.depth() != 3 || t.Name.Local != "definedName" || x.stack[1].Local != "definedNames" {
			continue
		}
		dn := DefinedName{Sheet: -1}
		for _, a := range t.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "name":
				dn.Name = a.Value
			case "localSheetId":
				if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && n >= 0 {
					dn.Sheet = n
				}
			case "hidden":
				dn.Hidden = a.Value == "1" || strings.EqualFold(a.Value, "true")
			}
		}
		out = append(out, dn)
	}
}
