package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"github.com/xuri/excelize/v2"
)

// part is one zip entry of a hand-made package, in write order.
type part struct {
	name, body string
}

func zipOf(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`

	oneSheetWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`

	oneSheetRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

	// twoStyles: cellXfs 0 is General, 1 is the built-in date 14, 2 is
	// the custom DD.MM.YYYY, 3 a custom currency.
	twoStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="DD.MM.YYYY"/><numFmt numFmtId="165" formatCode="#,##0.00\ &quot;€&quot;"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/></cellXfs></styleSheet>`
)

func worksheet(sheetData string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`
}

// oneSheet builds a minimal package with one sheet "S" holding the given
// worksheet XML, plus shared strings and styles when given.
func oneSheet(t testing.TB, sheetXML, sharedStrings string) []byte {
	t.Helper()
	parts := []part{
		{"_rels/.rels", rootRels},
		{"xl/workbook.xml", oneSheetWorkbook},
		{"xl/_rels/workbook.xml.rels", oneSheetRels},
		{"xl/worksheets/sheet1.xml", sheetXML},
		{"xl/styles.xml", twoStyles},
	}
	if sharedStrings != "" {
		parts = append(parts, part{"xl/sharedStrings.xml", sharedStrings})
	}
	return zipOf(t, parts...)
}

func openBytes(b []byte, lim Limits) (*Workbook, error) {
	return OpenReaderAt(bytes.NewReader(b), int64(len(b)), lim)
}

// row is what a test expects of one row.
type row struct {
	Row   int
	Cells []Cell
}

// readAll reads every row of a sheet and the error that ended them.
func readAll(t testing.TB, wb *Workbook, sheet string) ([]row, error) {
	t.Helper()
	rs, err := wb.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		out = append(out, row{rs.Row(), append([]Cell(nil), rs.Cells()...)})
	}
	return out, rs.Err()
}

// cellMap indexes the cells of a sheet by reference.
func cellMap(t testing.TB, wb *Workbook, sheet string) map[string]Cell {
	t.Helper()
	rows, err := readAll(t, wb, sheet)
	if err != nil {
		t.Fatalf("reading %s: %v", sheet, err)
	}
	m := make(map[string]Cell)
	for _, r := range rows {
		for _, c := range r.Cells {
			m[c.Ref(r.Row)] = c
		}
	}
	return m
}

// excelizeBytes builds a workbook with excelize, as a district's generator
// might, and returns the file.
func excelizeBytes(t testing.TB, build func(f *excelize.File) error) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := build(f); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func problemOf(err error) Problem {
	var fe *FormatError
	if errors.As(err, &fe) {
		return fe.Problem
	}
	return 0
}
