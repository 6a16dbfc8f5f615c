package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// fuzzLimits are small so that the fuzzer spends its time on structure,
// not on inflating large inputs.
var fuzzLimits = Limits{MaxFileSize: 1 << 20, MaxUnzippedSize: 8 << 20, MaxPartSize: 1 << 20, MaxEntries: 64, MaxTextSize: 64 << 10}

// storedZip writes the parts uncompressed, so that mutations of the
// fuzzer land in XML rather than in deflate streams.
func storedZip(t testing.TB, parts ...part) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fuzzSeeds(t testing.TB) [][]byte {
	yes := true
	full := excelizeBytes(t, func(f *excelize.File) error {
		dmy, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("DD.MM.YYYY")})
		_, err := f.NewSheet("Zwei")
		return errors.Join(err,
			f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}),
			f.SetCellStr("Sheet1", "A1", "1.234"),
			f.SetCellValue("Sheet1", "B2", 1.234),
			f.SetCellValue("Sheet1", "C3", 45000),
			f.SetCellStyle("Sheet1", "C3", "C3", dmy),
			f.SetCellFormula("Sheet1", "D4", "SUM(B2:C3)"),
			f.SetCellValue("Zwei", "A1", true),
			f.SetCellValue("Zwei", "XFD1048576", "end"),
		)
	})
	streamed := excelizeBytes(t, func(f *excelize.File) error {
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		for r := 1; r <= 20; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			sw.SetRow(cell, []any{r, "text", time.Date(2024, 1, r, 0, 0, 0, 0, time.UTC), 1.5 * float64(r)})
		}
		return sw.Flush()
	})
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a_x000D_b</t></si><si><r><t>r1</t></r><rPh><t>p</t></rPh><r><t>r2</t></r></si></sst>`
	handMade := storedZip(t,
		part{"_rels/.rels", rootRels},
		part{"xl/workbook.xml", `<x:workbook xmlns:x="s" xmlns:r="r"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="S" r:id="rId1"/><x:sheet name="M" r:id=""/></x:sheets></x:workbook>`},
		part{"xl/_rels/workbook.xml.rels", oneSheetRels},
		part{"xl/worksheets/sheet1.xml", `<x:worksheet xmlns:x="s"><x:sheetData><x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>in</x:t></x:is></x:c><x:c t="d"><x:v>2024-01-01</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c><x:f t="shared" si="0"/></x:c><x:c s="1"><x:v>1</x:v></x:c></x:row><x:row><x:c r="Z9" t="str"><x:f>"x"</x:f><x:v>x</x:v></x:c></x:row></x:sheetData></x:worksheet>`},
		part{"xl/sharedStrings.xml", sst},
		part{"xl/styles.xml", twoStyles},
	)
	return [][]byte{
		full,
		streamed,
		handMade,
		full[:len(full)/2],
		[]byte("Gemeinde;Betrag\nNord;1.234,56\n"),
		[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage"),
		{},
	}
}

func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkWorkbook(t, data)
	})
}

// FuzzSheetXML puts the input into a well-formed package as the sheet
// part, so that every input reaches the worksheet parser with a valid
// checksum.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>A1</f></c><c t="inlineStr"><is><r><t>x</t></r><rPh><t>y</t></rPh></is></c></row>`)))
	f.Add([]byte(`<x:worksheet xmlns:x="s"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`))
	f.Add([]byte("\xff\xfe<\x00w\x00/\x00>\x00"))
	f.Fuzz(func(t *testing.T, sheet []byte) {
		checkWorkbook(t, storedZip(t,
			part{"_rels/.rels", rootRels},
			part{"xl/workbook.xml", oneSheetWorkbook},
			part{"xl/_rels/workbook.xml.rels", oneSheetRels},
			part{"xl/worksheets/sheet1.xml", string(sheet)},
			part{"xl/styles.xml", twoStyles},
			part{"xl/sharedStrings.xml", `<sst><si><t>zero</t></si><si><t>one_x0041_</t></si></sst>`},
		))
	})
}

// checkWorkbook opens and reads every sheet, checking that failures are
// *FormatErrors and that what is returned keeps the documented promises.
func checkWorkbook(t *testing.T, data []byte) {
	wb, err := openBytes(data, fuzzLimits)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("Open error is not a *FormatError: %v", err)
		}
		if fe.Detail == "" || strings.ToLower(fe.Problem.String()) != fe.Problem.String() {
			t.Fatalf("bad FormatError %#v", fe)
		}
		return
	}
	defer wb.Close()
	text := 0
	for _, name := range wb.Sheets() {
		rs, err := wb.Rows(name)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Rows(%q) error is not a *FormatError: %v", name, err)
			}
			continue
		}
		for rs.Next() {
			if r := rs.Row(); r < 1 || r > maxRows {
				t.Fatalf("row %d outside the grid", r)
			}
			cells := rs.Cells()
			if len(cells) == 0 {
				t.Fatalf("row %d returned without cells", rs.Row())
			}
			for i, c := range cells {
				if c.Col < 1 || c.Col > maxCols || (i > 0 && c.Col <= cells[i-1].Col) {
					t.Fatalf("row %d: columns out of order or range: %+v", rs.Row(), cells)
				}
				if !c.Formula && c.Value == "" {
					t.Fatalf("empty cell returned: %+v", c)
				}
				if c.Type < Number || c.Type > ISODate {
					t.Fatalf("bad type: %+v", c)
				}
				if text += len(c.Value); int64(text) > fuzzLimits.MaxTextSize {
					t.Fatalf("%d bytes of text handed out, budget %d", text, fuzzLimits.MaxTextSize)
				}
			}
		}
		if err := rs.Err(); err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Rows(%q).Err is not a *FormatError: %v", name, err)
			}
			if fe.Problem == ProblemTooLarge && (fe.Sheet != name || fe.Cell == "") {
				t.Fatalf("the budget ran out at sheet %q cell %q, reading sheet %q", fe.Sheet, fe.Cell, name)
			}
		}
		if err := rs.Close(); err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || rs.Err() != err {
				t.Fatalf("Rows(%q).Close is not a *FormatError, or Err does not report it: %v, %v", name, err, rs.Err())
			}
		}
	}
}
