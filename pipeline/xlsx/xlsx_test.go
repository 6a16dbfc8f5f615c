package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestCellsWrittenByExcelize(t *testing.T) {
	yes := true
	data := excelizeBytes(t, func(f *excelize.File) error {
		dmy, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("DD.MM.YYYY")})
		if err != nil {
			return err
		}
		builtin14, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			return err
		}
		euro, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`#,##0.00 "€"`)})
		if err != nil {
			return err
		}
		percent, err := f.NewStyle(&excelize.Style{NumFmt: 10})
		if err != nil {
			return err
		}
		steps := []error{
			f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}),
			f.SetCellStr("Sheet1", "A1", "1.234"),
			f.SetCellValue("Sheet1", "B1", 1.234),
			f.SetCellValue("Sheet1", "C1", 45382),
			f.SetCellStyle("Sheet1", "C1", "C1", dmy),
			f.SetCellValue("Sheet1", "D1", 45382.5),
			f.SetCellStyle("Sheet1", "D1", "D1", builtin14),
			f.SetCellValue("Sheet1", "E1", 4723.93),
			f.SetCellStyle("Sheet1", "E1", "E1", euro),
			f.SetCellValue("Sheet1", "F1", 0.25),
			f.SetCellStyle("Sheet1", "F1", "F1", percent),
			f.SetCellFormula("Sheet1", "G1", "SUM(B1:F1)"),
			f.SetCellValue("Sheet1", "H1", true),
			f.SetCellValue("Sheet1", "I1", "=1+1"),
			f.SetCellValue("Sheet1", "J1", " padded \n text "),
			f.SetCellValue("Sheet1", "K1", 1e-3),
			f.SetCellValue("Sheet1", "L1", int64(8595602512225)),
			f.SetCellValue("Sheet1", "M1", time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)),
		}
		return errors.Join(steps...)
	})
	wb, err := openBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if !wb.Date1904() {
		t.Errorf("Date1904() = false, want true")
	}
	got := cellMap(t, wb, "Sheet1")
	tests := []struct {
		name string
		ref  string
		want Cell
	}{
		{"text that looks like a number stays a string", "A1", Cell{Col: 1, Type: String, Value: "1.234", Cached: true}},
		{"a number keeps its stored digits", "B1", Cell{Col: 2, Type: Number, Value: "1.234", Cached: true}},
		{"a number with the custom format DD.MM.YYYY is a date", "C1", Cell{Col: 3, Type: Number, Value: "45382", Cached: true, DateFormat: true}},
		{"a number with the built-in format 14 is a date", "D1", Cell{Col: 4, Type: Number, Value: "45382.5", Cached: true, DateFormat: true}},
		{"a number with a euro currency format is not a date", "E1", Cell{Col: 5, Type: Number, Value: "4723.93", Cached: true}},
		{"a percentage is not a date", "F1", Cell{Col: 6, Type: Number, Value: "0.25", Cached: true}},
		{"a formula that was never calculated has no cached value", "G1", Cell{Col: 7, Type: String, Formula: true}}, // excelize declares t="str",
		{"a boolean reads as 1", "H1", Cell{Col: 8, Type: Bool, Value: "1", Cached: true}},
		{"text starting with = stays text, not a formula", "I1", Cell{Col: 9, Type: String, Value: "=1+1", Cached: true}},
		{"white space inside text is kept", "J1", Cell{Col: 10, Type: String, Value: " padded \n text ", Cached: true}},
		{"a small number keeps its exponent form", "K1", Cell{Col: 11, Type: Number, Value: "0.001", Cached: true}},
		{"a large integer is not rounded", "L1", Cell{Col: 12, Type: Number, Value: "8595602512225", Cached: true}},
		{"a time.Time becomes a date-formatted serial number of the 1904 system", "M1", Cell{Col: 13, Type: Number, Value: "43920", Cached: true, DateFormat: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, got[tt.ref]); diff != "" {
				t.Errorf("cell %s (-want +got):\n%s", tt.ref, diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSheetsRowsAndGaps(t *testing.T) {
	data := excelizeBytes(t, func(f *excelize.File) error {
		bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
		if err != nil {
			return err
		}
		_, err1 := f.NewSheet("Zweite")
		_, err2 := f.NewSheet("Versteckt")
		steps := []error{
			err1, err2,
			f.SetSheetVisible("Versteckt", false),
			f.SetCellValue("Sheet1", "A1", "Kopf"),
			f.SetCellValue("Sheet1", "C3", 3),
			f.SetCellStyle("Sheet1", "A5", "F5", bold), // styled but empty
			f.SetCellStyle("Sheet1", "A6", "B6", bold),
			f.SetCellValue("Sheet1", "B6", "nach Stil"),
			f.SetCellValue("Sheet1", "AA1000", 1000),
			f.SetCellValue("Versteckt", "B2", "geheim"),
		}
		return errors.Join(steps...)
	})
	wb, err := openBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	t.Run("sheets come in workbook order, hidden ones included", func(t *testing.T) {
		if diff := cmp.Diff([]string{"Sheet1", "Zweite", "Versteckt"}, wb.Sheets()); diff != "" {
			t.Errorf("Sheets() (-want +got):\n%s", diff)
		}
	})
	t.Run("a workbook in the 1900 date system says so", func(t *testing.T) {
		if wb.Date1904() {
			t.Errorf("Date1904() = true")
		}
	})
	t.Run("rows keep their Excel numbers and styled empty cells are skipped", func(t *testing.T) {
		rows, err := readAll(t, wb, "Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		want := []row{
			{1, []Cell{{Col: 1, Type: String, Value: "Kopf", Cached: true}}},
			{3, []Cell{{Col: 3, Type: Number, Value: "3", Cached: true}}},
			{6, []Cell{{Col: 2, Type: String, Value: "nach Stil", Cached: true}}},
			{1000, []Cell{{Col: 27, Type: Number, Value: "1000", Cached: true}}},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
	t.Run("an empty sheet has no rows", func(t *testing.T) {
		rows, err := readAll(t, wb, "Zweite")
		if err != nil || len(rows) != 0 {
			t.Errorf("got %v, %v; want no rows", rows, err)
		}
	})
	t.Run("a hidden sheet is read like any other", func(t *testing.T) {
		if got := cellMap(t, wb, "Versteckt")["B2"].Value; got != "geheim" {
			t.Errorf("B2 = %q", got)
		}
	})
	t.Run("an unknown sheet name is an error", func(t *testing.T) {
		if _, err := wb.Rows("sheet1"); err == nil {
			t.Errorf("Rows(\"sheet1\") succeeded; names are exact")
		}
	})
}

func TestInlineStringsFromStreamWriter(t *testing.T) {
	data := excelizeBytes(t, func(f *excelize.File) error {
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"Gemeinde", 12.5, true}); err != nil {
			return err
		}
		if err := sw.SetRow("A3", []any{"Kreis _x000D_ Nord", excelize.Cell{Formula: "B1*2"}}); err != nil {
			return err
		}
		return sw.Flush()
	})
	wb, err := openBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	got := cellMap(t, wb, "Sheet1")
	tests := []struct {
		name string
		ref  string
		want Cell
	}{
		{"an inline string reads as a string", "A1", Cell{Col: 1, Type: String, Value: "Gemeinde", Cached: true}},
		{"a number next to it stays a number", "B1", Cell{Col: 2, Type: Number, Value: "12.5", Cached: true}},
		{"a literal _x000D_ written by excelize comes back literally", "A3", Cell{Col: 1, Type: String, Value: "Kreis _x000D_ Nord", Cached: true}},
		{"a streamed formula has no cached value, whatever type excelize declares", "B3", Cell{Col: 2, Type: String, Formula: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, got[tt.ref]); diff != "" {
				t.Errorf("cell %s (-want +got):\n%s", tt.ref, diff)
			}
		})
	}
}

func TestHandMadeSheets(t *testing.T) {
	sst := `<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<si><t>plain</t></si>
<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>text</t></r></si>
<si><r><t>東京</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>
<si><t>line_x000D_
break _x005F_x0041_ _xD83D__xDE00_</t></si>
<si><t/></si>
</sst>`
	tests := []struct {
		name      string
		sheetData string
		want      []row
	}{
		{
			name:      "prefixed x: elements read like unprefixed ones",
			sheetData: `<x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c r="C2"><x:v>7</x:v></x:c></x:row>`,
			want:      []row{{2, []Cell{{Col: 2, Type: String, Value: "plain", Cached: true}, {Col: 3, Type: Number, Value: "7", Cached: true}}}},
		},
		{
			name:      "t=d cells are ISO dates",
			sheetData: `<row r="1"><c r="A1" t="d" s="2"><v>2024-03-31T00:00:00</v></c></row>`,
			want:      []row{{1, []Cell{{Col: 1, Type: ISODate, Value: "2024-03-31T00:00:00", Cached: true, DateFormat: true}}}},
		},
		{
			name: "followers of a shared formula are formulas, cached or not",
			sheetData: `<row r="2"><c r="B2"><f t="shared" ref="B2:B4" si="0">A2*2</f><v>2</v></c></row>` +
				`<row r="3"><c r="B3"><f t="shared" si="0"/><v>4</v></c></row>` +
				`<row r="4"><c r="B4"><f t="shared" si="0"/></c></row>`,
			want: []row{
				{2, []Cell{{Col: 2, Type: Number, Value: "2", Formula: true, Cached: true}}},
				{3, []Cell{{Col: 2, Type: Number, Value: "4", Formula: true, Cached: true}}},
				{4, []Cell{{Col: 2, Type: Number, Formula: true}}},
			},
		},
		{
			name:      "rows and cells without r count on from the previous ones",
			sheetData: `<row><c><v>1</v></c><c><v>2</v></c></row><row/><row><c/><c r="D3"><v>4</v></c><c><v>5</v></c></row><row><c><v>6</v></c></row>`,
			want: []row{
				{1, []Cell{{Col: 1, Type: Number, Value: "1", Cached: true}, {Col: 2, Type: Number, Value: "2", Cached: true}}},
				{3, []Cell{{Col: 4, Type: Number, Value: "4", Cached: true}, {Col: 5, Type: Number, Value: "5", Cached: true}}},
				{4, []Cell{{Col: 1, Type: Number, Value: "6", Cached: true}}},
			},
		},
		{
			name:      "a row without r takes its number from its first cell reference",
			sheetData: `<row><c r="C7"><v>1</v></c></row><row><c r="a9"><v>2</v></c></row>`,
			want: []row{
				{7, []Cell{{Col: 3, Type: Number, Value: "1", Cached: true}}},
				{9, []Cell{{Col: 1, Type: Number, Value: "2", Cached: true}}},
			},
		},
		{
			name:      "inline rich text joins its runs and leaves out phonetic runs",
			sheetData: `<row r="1"><c r="A1" t="inlineStr"><is><r><t>東京</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><r><t xml:space="preserve"> tower</t></r></is></c></row>`,
			want:      []row{{1, []Cell{{Col: 1, Type: String, Value: "東京 tower", Cached: true}}}},
		},
		{
			name:      "an inline string in CDATA",
			sheetData: `<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a < b & c]]></t></is></c></row>`,
			want:      []row{{1, []Cell{{Col: 1, Type: String, Value: "a < b & c", Cached: true}}}},
		},
		{
			name:      "an inline string given as <v> only",
			sheetData: `<row r="1"><c r="A1" t="inlineStr"><v>via v</v></c></row>`,
			want:      []row{{1, []Cell{{Col: 1, Type: String, Value: "via v", Cached: true}}}},
		},
		{
			name:      "shared strings resolve plain, rich and phonetic items and _xHHHH_ escapes",
			sheetData: `<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" t="s"><v> 3 </v></c></row>`,
			want: []row{{1, []Cell{
				{Col: 1, Type: String, Value: "rich text", Cached: true},
				{Col: 2, Type: String, Value: "東京", Cached: true},
				{Col: 3, Type: String, Value: "line\r\nbreak _x0041_ 😀", Cached: true},
			}}},
		},
		{
			name:      "cells with only a style or an empty string are skipped, and so is their row",
			sheetData: `<row r="1" s="1" customFormat="1"><c r="A1" s="1"/><c r="B1" s="2"/><c r="C1" t="s"><v>4</v></c><c r="D1" t="inlineStr"><is><t></t></is></c></row><row r="2"><c r="A2" s="1"><v>45000</v></c></row>`,
			want:      []row{{2, []Cell{{Col: 1, Type: Number, Value: "45000", Cached: true, DateFormat: true}}}},
		},
		{
			name:      "booleans, errors and formula strings",
			sheetData: `<row r="1"><c r="A1" t="b"><v>0</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="D1" t="str"><f>""</f><v></v></c></row>`,
			want: []row{{1, []Cell{
				{Col: 1, Type: Bool, Value: "0", Cached: true},
				{Col: 2, Type: Error, Value: "#DIV/0!", Formula: true, Cached: true},
				{Col: 3, Type: String, Value: "ab", Formula: true, Cached: true},
				{Col: 4, Type: String, Formula: true, Cached: true},
			}}},
		},
		{
			name:      "cells listed out of order come back in column order, the last of a repeated column winning",
			sheetData: `<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c><c r="C1"><v>33</v></c><c r="B1"><v>2</v></c></row>`,
			want: []row{{1, []Cell{
				{Col: 1, Type: Number, Value: "1", Cached: true},
				{Col: 2, Type: Number, Value: "2", Cached: true},
				{Col: 3, Type: Number, Value: "33", Cached: true},
			}}},
		},
		{
			name:      "numbers lose the white space of pretty-printed XML, and styles give date formats",
			sheetData: "<row r=\"1\">\n  <c r=\"A1\" s=\"3\">\n    <v>\n      4723.9300000000003\n    </v>\n  </c>\n  <c r=\"B1\" s=\"1\"><v>1E-3</v></c><c r=\"C1\" s=\"99\"><v>5</v></c><c r=\"D1\" s=\"\"><v>6</v></c>\n</row>",
			want: []row{{1, []Cell{
				{Col: 1, Type: Number, Value: "4723.9300000000003", Cached: true},
				{Col: 2, Type: Number, Value: "1E-3", Cached: true, DateFormat: true},
				{Col: 3, Type: Number, Value: "5", Cached: true},
				{Col: 4, Type: Number, Value: "6", Cached: true},
			}}},
		},
		{
			name:      "the cell at XFD1048576 is within the grid",
			sheetData: `<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>`,
			want:      []row{{1048576, []Cell{{Col: 16384, Type: Number, Value: "1", Cached: true}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet := worksheet(tt.sheetData)
			if strings.Contains(tt.sheetData, "<x:") {
				sheet = `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` + tt.sheetData + `</x:sheetData></x:worksheet>`
			}
			wb, err := openBytes(oneSheet(t, sheet, sst), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			rows, err := readAll(t, wb, "S")
			if err != nil {
				t.Fatalf("Err() = %v", err)
			}
			if diff := cmp.Diff(tt.want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDamagedSheets(t *testing.T) {
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>only</t></si></sst>`
	tests := []struct {
		name       string
		sheet      string
		wantDetail string
		wantRows   int // rows read before the error
	}{
		{"a shared string index past the table is corrupt", worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>`), "refers to shared string 1, the table has 1", 1},
		{"a shared string index that is not a number is corrupt", worksheet(`<row r="1"><c r="A1" t="s"><v>x</v></c></row>`), "is not a number", 0},
		{"a row past 1,048,576 is corrupt", worksheet(`<row r="1048577"><c><v>1</v></c></row>`), "outside 1 to 1048576", 0},
		{"a column past XFD is corrupt", worksheet(`<row r="1"><c r="XFE1"><v>1</v></c></row>`), `"XFE1" is not within`, 0},
		{"more than 16,384 cells without r in a row is corrupt", worksheet(`<row r="1">` + strings.Repeat(`<c/>`, 16384) + `<c><v>1</v></c></row>`), "more than 16384 columns", 0},
		{"an unknown cell type is corrupt, not guessed", worksheet(`<row r="1"><c r="A1" t="x"><v>1</v></c></row>`), `unknown type "x"`, 0},
		{"a mismatched end tag is corrupt", worksheet(`<row r="1"><c r="A1"><v>1</c></row>`), "unexpected </c>", 0},
		{"a sheet that ends inside sheetData is corrupt", `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`, "ends inside <sheetData>", 1},
		{"text of more than 1 MiB in one cell is corrupt", worksheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>` + strings.Repeat("ab", 300<<10) + `</t><r><t>` + strings.Repeat("ab", 300<<10) + `</t></r></is></c></row>`), "text longer than 1.0 MiB", 0},
		{"one XML token of more than 4 MiB is corrupt before it is buffered", worksheet(`<!--` + strings.Repeat("x", 5<<20) + `-->`), "xml token longer than 4.0 MiB", 0},
		{"elements nested 300 deep are corrupt", worksheet(strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)), "nested deeper than 256", 0},
		{"an entity bomb is refused, not expanded", `<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>`, "invalid character entity &b;", 0},
		{"more than 1,048,576 row elements are corrupt", worksheet(strings.Repeat(`<row/>`, maxRows+1)), "more than 1048576 rows", 0},
		{"a sheet that is not XML at all is corrupt", "PK\x03\x04 not xml <<<", "xml syntax error", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb, err := openBytes(oneSheet(t, tt.sheet, sst), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			rows, err := readAll(t, wb, "S")
			if problemOf(err) != ProblemCorrupt || !strings.Contains(err.Error(), tt.wantDetail) {
				t.Fatalf("Err() = %v, want corrupt error with %q", err, tt.wantDetail)
			}
			if len(rows) != tt.wantRows {
				t.Errorf("read %d rows before the error, want %d", len(rows), tt.wantRows)
			}
		})
	}
}

func TestPackageLayouts(t *testing.T) {
	sheet := worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>found</t></si></sst>`
	wbRels := func(target string) string {
		return `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="` + target + `"/></Relationships>`
	}
	tests := []struct {
		name  string
		parts []part
	}{
		{"an absolute sheet target", []part{
			{"_rels/.rels", rootRels},
			{"xl/workbook.xml", strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{"xl/_rels/workbook.xml.rels", wbRels("/xl/worksheets/sheet1.xml")},
			{"xl/worksheets/sheet1.xml", sheet},
			{"xl/sharedStrings.xml", sst},
		}},
		{"a backslash target, zip names with backslashes and another case", []part{
			{`_rels\.rels`, rootRels},
			{`XL\Workbook.xml`, strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{`xl\_rels\workbook.xml.rels`, wbRels(`worksheets\Sheet1.XML`)},
			{`xl\worksheets\sheet1.xml`, sheet},
			{`xl\SharedStrings.xml`, sst},
		}},
		{"a percent-encoded target with a space", []part{
			{"_rels/.rels", rootRels},
			{"xl/workbook.xml", strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{"xl/_rels/workbook.xml.rels", wbRels("worksheets/my%20sheet.xml")},
			{"xl/worksheets/my sheet.xml", sheet},
			{"xl/sharedStrings.xml", sst},
		}},
		{"parts at the zip root, found through the package relationships", []part{
			{"_rels/.rels", strings.Replace(rootRels, "xl/workbook.xml", "book.xml", 1)},
			{"book.xml", strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{"_rels/book.xml.rels", wbRels("sheet1.xml") + ""},
			{"sheet1.xml", sheet},
			{"xl/sharedStrings.xml", sst},
		}},
		{"no package relationships and a prefixed relationship id", []part{
			{"xl/workbook.xml", `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:ns="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="S" sheetId="1" ns:id="rId7"/></x:sheets></x:workbook>`},
			{"xl/_rels/workbook.xml.rels", wbRels("worksheets/sheet1.xml")},
			{"xl/worksheets/sheet1.xml", sheet},
			{"xl/sharedStrings.xml", sst},
		}},
		{"package relationships that are damaged fall back to xl/workbook.xml", []part{
			{"_rels/.rels", "CORRUPTED"},
			{"xl/workbook.xml", strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{"xl/_rels/workbook.xml.rels", wbRels("worksheets/sheet1.xml")},
			{"xl/worksheets/sheet1.xml", sheet},
			{"xl/sharedStrings.xml", sst},
		}},
		{"a part in UTF-16 with a byte order mark", []part{
			{"_rels/.rels", rootRels},
			{"xl/workbook.xml", strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{"xl/_rels/workbook.xml.rels", wbRels("worksheets/sheet1.xml")},
			{"xl/worksheets/sheet1.xml", sheet},
			{"xl/sharedStrings.xml", utf16Doc(t, `<?xml version="1.0" encoding="UTF-16"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>found</t></si></sst>`)},
		}},
		{"a part in ISO-8859-1", []part{
			{"_rels/.rels", rootRels},
			{"xl/workbook.xml", strings.Replace(oneSheetWorkbook, "rId1", "rId7", 1)},
			{"xl/_rels/workbook.xml.rels", wbRels("worksheets/sheet1.xml")},
			{"xl/worksheets/sheet1.xml", sheet},
			{"xl/sharedStrings.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><sst><si><t>f\xf6und</t></si></sst>"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" leads to the sheet", func(t *testing.T) {
			wb, err := openBytes(zipOf(t, tt.parts...), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			got := cellMap(t, wb, "S")["A1"].Value
			if got != "found" && got != "föund" {
				t.Errorf("A1 = %q, want the shared string", got)
			}
		})
	}
}

func utf16Doc(t testing.TB, s string) string {
	t.Helper()
	b := []byte{0xFF, 0xFE}
	b = append(b, utf16le(s)...)
	return string(b)
}

func TestSheetsWithoutParts(t *testing.T) {
	workbook := `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
<sheet name="Daten" sheetId="1" r:id="rId1"/><sheet name="Module1" sheetId="2" state="veryHidden" r:id=""/><sheet name="Weg" sheetId="3" r:id="rId2"/></sheets></workbook>`
	rels := `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`
	wb, err := openBytes(zipOf(t,
		part{"xl/workbook.xml", workbook},
		part{"xl/_rels/workbook.xml.rels", rels},
		part{"xl/worksheets/sheet1.xml", worksheet(`<row r="1"><c r="A1"><v>1</v></c></row>`)},
	), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	t.Run("every listed sheet is named", func(t *testing.T) {
		if diff := cmp.Diff([]string{"Daten", "Module1", "Weg"}, wb.Sheets()); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("a sheet with an empty relationship id has no rows", func(t *testing.T) {
		rows, err := readAll(t, wb, "Module1")
		if err != nil || len(rows) != 0 {
			t.Errorf("got %v, %v", rows, err)
		}
	})
	t.Run("a sheet whose part is missing is corrupt, the others still read", func(t *testing.T) {
		if _, err := wb.Rows("Weg"); problemOf(err) != ProblemCorrupt {
			t.Errorf("Rows(Weg) error = %v, want corrupt", err)
		}
		if got := cellMap(t, wb, "Daten")["A1"].Value; got != "1" {
			t.Errorf("Daten!A1 = %q", got)
		}
	})
}

func TestOpenRejects(t *testing.T) {
	valid := oneSheet(t, worksheet(`<row r="1"><c r="A1"><v>1</v></c></row>`), "")
	ole2 := func(tail []byte) []byte {
		b := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 1024)...)
		return append(b, tail...)
	}
	tests := []struct {
		name       string
		data       []byte
		lim        Limits
		want       Problem
		wantDetail string
	}{
		{"garbage bytes are text", []byte("\x00\x01\x02garbage\xff\xfe"), Limits{}, ProblemText, "not a zip or ole2 file"},
		{"a CSV is text", []byte("Gemeinde;Betrag\nNord;1.234,56\n"), Limits{}, ProblemText, `starts with "Gemeinde;Betrag."`},
		{"an empty file is text", nil, Limits{}, ProblemText, "empty file"},
		{"an OLE2 file naming EncryptionInfo is an encrypted workbook", ole2(utf16le("EncryptionInfo")), Limits{}, ProblemEncrypted, "password-protected"},
		{"an OLE2 file naming EncryptedPackage past the first MiB is an encrypted workbook", ole2(append(make([]byte, 3<<20), utf16le("EncryptedPackage")...)), Limits{}, ProblemEncrypted, "password-protected"},
		{"an OLE2 file without encryption streams is a legacy .xls", ole2(utf16le("Workbook")), Limits{}, ProblemLegacyXLS, "excel 97-2003"},
		{"an OpenDocument spreadsheet without sheets is corrupt", odsBytes(t, true), Limits{}, ProblemCorrupt, "content.xml holds no spreadsheet"},
		{"an OpenDocument spreadsheet with mimetype not first is read as one", odsBytes(t, false), Limits{}, ProblemCorrupt, "content.xml holds no spreadsheet"},
		{"a truncated workbook is corrupt", valid[:len(valid)/2], Limits{}, ProblemCorrupt, "damaged zip archive"},
		{"an empty zip is corrupt", zipOf(t), Limits{}, ProblemCorrupt, "no workbook part"},
		{"a zip of other things is corrupt", zipOf(t, part{"readme.txt", "hello"}), Limits{}, ProblemCorrupt, "no workbook part"},
		{"a Word document is corrupt", zipOf(t, part{"_rels/.rels", strings.Replace(rootRels, "xl/workbook.xml", "word/document.xml", 1)}, part{"word/document.xml", "<w:document/>"}), Limits{}, ProblemCorrupt, "not a workbook part"},
		{"a binary .xlsb workbook is corrupt", zipOf(t, part{"_rels/.rels", strings.Replace(rootRels, "xl/workbook.xml", "xl/workbook.bin", 1)}, part{"xl/workbook.bin", "\x83\x01"}), Limits{}, ProblemCorrupt, ".xlsb"},
		{"a zip with two entries of one name is corrupt", zipOf(t, part{"xl/workbook.xml", oneSheetWorkbook}, part{"xl/workbook.xml", oneSheetWorkbook}), Limits{}, ProblemCorrupt, "two entries named xl/workbook.xml"},
		{"missing workbook relationships are corrupt", zipOf(t, part{"xl/workbook.xml", oneSheetWorkbook}), Limits{}, ProblemCorrupt, "relationships part xl/_rels/workbook.xml.rels missing"},
		{"a file over MaxFileSize is too large", valid, Limits{MaxFileSize: 100}, ProblemTooLarge, "limit 100 bytes"},
		{"more entries than MaxEntries is too large", valid, Limits{MaxEntries: 4}, ProblemTooLarge, "more than 4 entries"},
		{"declared sizes over MaxUnzippedSize in total are too large", valid, Limits{MaxUnzippedSize: 1000}, ProblemTooLarge, "in total"},
		{"a part read whole over MaxPartSize is too large", valid, Limits{MaxPartSize: 300}, ProblemTooLarge, "limit 300 bytes for parts read whole"},
		{"a sheet declaring 4 GiB is too large", lyingSizeZip(t, 4<<30), Limits{}, ProblemTooLarge, "part xl/worksheets/sheet1.xml declares 4.0 GiB uncompressed, limit 256.0 MiB"},
		{"a workbook listing more sheets than MaxEntries is too large", zipOf(t, part{"_rels/.rels", rootRels}, part{"xl/workbook.xml", `<workbook xmlns:r="r"><sheets>` + strings.Repeat(`<sheet name="M" r:id=""/>`, 13) + `</sheets></workbook>`}), Limits{MaxEntries: 12}, ProblemTooLarge, "xl/workbook.xml lists more than 12 sheets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			wb, err := openBytes(tt.data, tt.lim)
			if err == nil {
				wb.Close()
				t.Fatalf("opened fine, want %v", tt.want)
			}
			if problemOf(err) != tt.want || !strings.Contains(err.Error(), tt.wantDetail) {
				t.Errorf("error = %v, want %v with %q", err, tt.want, tt.wantDetail)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// odsBytes builds the start of an OpenDocument spreadsheet. With first,
// mimetype is the first, stored entry, as the format requires.
func odsBytes(t testing.TB, first bool) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func() {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(odsMimetype))
	}
	if first {
		add()
	}
	w, _ := zw.Create("content.xml")
	w.Write([]byte("<office:document-content/>"))
	if !first {
		add()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingSizeZip builds a workbook whose sheet entry declares size bytes
// uncompressed while holding a tiny deflate stream.
func lyingSizeZip(t testing.TB, size uint64) []byte {
	t.Helper()
	content := []byte(worksheet(`<row r="1"><c r="A1"><v>1</v></c></row>`))
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(content)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range []part{{"_rels/.rels", rootRels}, {"xl/workbook.xml", oneSheetWorkbook}, {"xl/_rels/workbook.xml.rels", oneSheetRels}} {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "xl/worksheets/sheet1.xml",
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(content),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: size,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipBombs(t *testing.T) {
	t.Run("a sheet that inflates past its declared size is corrupt", func(t *testing.T) {
		wb, err := openBytes(lyingSizeZip(t, 20), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		_, err = readAll(t, wb, "S")
		if problemOf(err) != ProblemCorrupt || !strings.Contains(err.Error(), "longer than declared") {
			t.Errorf("Err() = %v, want corrupt", err)
		}
	})
	t.Run("50 MB of zeros declared honestly is refused under a 10 MB limit without inflating", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		zeros := make([]byte, 1<<20)
		for range 50 {
			w.Write(zeros)
		}
		zw.Close()
		start := time.Now()
		_, err := openBytes(buf.Bytes(), Limits{MaxUnzippedSize: 10 << 20})
		if problemOf(err) != ProblemTooLarge {
			t.Errorf("error = %v, want too-large", err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("took %v", d)
		}
	})
	t.Run("a part read whole that yields more than MaxPartSize is too large even if its header lies", func(t *testing.T) {
		// archive/zip already stops at the declared size; this is the
		// second guard, so it is exercised directly.
		cr := &capReader{r: strings.NewReader(strings.Repeat("x", 101)), left: 100, part: "xl/sharedStrings.xml", limit: 100}
		_, err := io.ReadAll(cr)
		if problemOf(err) != ProblemTooLarge {
			t.Errorf("error = %v, want too-large", err)
		}
		cr = &capReader{r: strings.NewReader(strings.Repeat("x", 100)), left: 100, part: "xl/sharedStrings.xml", limit: 100}
		if b, err := io.ReadAll(cr); err != nil || len(b) != 100 {
			t.Errorf("exactly the limit: %d bytes, %v", len(b), err)
		}
	})
}

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "meldung.xlsx")
	if err := os.WriteFile(path, oneSheet(t, worksheet(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`), ""), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("a file on disk opens and reads", func(t *testing.T) {
		wb, err := Open(path, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		if got := cellMap(t, wb, "S")["A2"].Value; got != "2" {
			t.Errorf("A2 = %q", got)
		}
	})
	t.Run("a file over the size limit is refused before it is read", func(t *testing.T) {
		_, err := Open(path, Limits{MaxFileSize: 10})
		if problemOf(err) != ProblemTooLarge {
			t.Errorf("error = %v, want too-large", err)
		}
	})
	t.Run("a closed workbook refuses new rows and stops open ones", func(t *testing.T) {
		wb, err := Open(path, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := wb.Rows("S")
		if err != nil {
			t.Fatal(err)
		}
		if !rs.Next() {
			t.Fatalf("no first row: %v", rs.Err())
		}
		if err := wb.Close(); err != nil {
			t.Fatal(err)
		}
		if err := wb.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if rs.Next() || !errors.Is(rs.Err(), fs.ErrClosed) {
			t.Errorf("Next after Close: err = %v, want fs.ErrClosed", rs.Err())
		}
		rs.Close()
		if _, err := wb.Rows("S"); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("Rows after Close: %v, want fs.ErrClosed", err)
		}
	})
	t.Run("a missing file is an I/O error, not a format error", func(t *testing.T) {
		_, err := Open(filepath.Join(dir, "fehlt.xlsx"), Limits{})
		if err == nil || problemOf(err) != 0 || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("a directory is refused", func(t *testing.T) {
		_, err := Open(dir, Limits{})
		if err == nil || problemOf(err) != 0 {
			t.Errorf("error = %v", err)
		}
	})
}

func TestReadErrorsAreNotFormatErrors(t *testing.T) {
	data := oneSheet(t, worksheet(`<row r="1"><c r="A1"><v>1</v></c></row>`), "")
	boom := errors.New("disk on fire")
	_, err := OpenReaderAt(failingReaderAt{data, boom}, int64(len(data)), Limits{})
	if !errors.Is(err, boom) || problemOf(err) != 0 {
		t.Errorf("error = %v, want the reader's error", err)
	}
}

type failingReaderAt struct {
	data []byte
	err  error
}

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off == 0 {
		return copy(p, f.data), nil // the header is readable
	}
	return 0, f.err
}

func TestLimitsDefaults(t *testing.T) {
	t.Run("zero limits mean the documented defaults", func(t *testing.T) {
		want := Limits{MaxFileSize: 32 << 20, MaxUnzippedSize: 256 << 20, MaxPartSize: 16 << 20, MaxEntries: 10000, MaxTextSize: 16 << 20}
		if diff := cmp.Diff(want, (Limits{}).withDefaults()); diff != "" {
			t.Error(diff)
		}
		if diff := cmp.Diff(want, DefaultLimits()); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("a set field is kept", func(t *testing.T) {
		if got := (Limits{MaxEntries: 3}).withDefaults().MaxEntries; got != 3 {
			t.Errorf("MaxEntries = %d", got)
		}
	})
}

func TestProblemNames(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{ProblemCorrupt, "corrupt"},
		{ProblemLegacyXLS, "legacy-xls"},
		{ProblemEncrypted, "encrypted"},
		{ProblemODS, "ods"},
		{ProblemText, "text"},
		{ProblemTooLarge, "too-large"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" names its problem", func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q", got)
			}
			err := &FormatError{Problem: tt.p, Detail: "some detail"}
			if got, want := err.Error(), "xlsx: "+tt.want+": some detail"; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

func TestColumnNamesAndRefs(t *testing.T) {
	tests := []struct {
		col  int
		name string
	}{{1, "A"}, {26, "Z"}, {27, "AA"}, {52, "AZ"}, {53, "BA"}, {702, "ZZ"}, {703, "AAA"}, {16384, "XFD"}}
	for _, tt := range tests {
		t.Run("column "+tt.name+" is number "+ColumnName(tt.col), func(t *testing.T) {
			if got := ColumnName(tt.col); got != tt.name {
				t.Errorf("ColumnName(%d) = %q, want %q", tt.col, got, tt.name)
			}
			col, row, err := ParseRef(tt.name + "12")
			if err != nil || col != tt.col || row != 12 {
				t.Errorf("ParseRef(%s12) = %d, %d, %v", tt.name, col, row, err)
			}
		})
	}
	t.Run("column 0 has no name", func(t *testing.T) {
		if got := ColumnName(0); got != "" {
			t.Errorf("ColumnName(0) = %q", got)
		}
	})
	refs := []struct {
		ref      string
		col, row int
		ok       bool
	}{
		{"C12", 3, 12, true},
		{"$C$12", 3, 12, true},
		{"c12", 3, 12, true},
		{"XFD1048576", 16384, 1048576, true},
		{"XFE1", 0, 0, false},
		{"A1048577", 0, 0, false},
		{"A0", 0, 0, false},
		{"12", 0, 0, false},
		{"C", 0, 0, false},
		{"", 0, 0, false},
		{"C1x", 0, 0, false},
		{"AAAAAAAAAAAAAAAAAAAAA1", 0, 0, false},
		{"A99999999999999999999", 0, 0, false},
	}
	for _, tt := range refs {
		t.Run("reference "+strings.TrimSpace(tt.ref+" ")+" parses as expected", func(t *testing.T) {
			col, row, err := ParseRef(tt.ref)
			if (err == nil) != tt.ok || col != tt.col || row != tt.row {
				t.Errorf("ParseRef(%q) = %d, %d, %v", tt.ref, col, row, err)
			}
		})
	}
	t.Run("Ref puts column and row together", func(t *testing.T) {
		if got := (Cell{Col: 3}).Ref(12); got != "C12" {
			t.Errorf("Ref = %q", got)
		}
	})
}

func TestDateFormatCodes(t *testing.T) {
	tests := []struct {
		code string
		date bool
	}{
		{"General", false},
		{"general", false},
		{"0.00", false},
		{"0.00%", false},
		{"#,##0.00 €", false},
		{`"€"#,##0.00`, false},
		{`#,##0.00\ "€"`, false},
		{`_-* #,##0.00\ [$€-407]_-;\-* #,##0.00\ [$€-407]_-;_-* "-"??\ [$€-407]_-;_-@_-`, false},
		{"0.00E+00", false},
		{"[Red]0.00;[Blue]-0.00", false},
		{`0" days"`, false},
		{`0\d`, false},
		{"@", false},
		{"DD.MM.YYYY", true},
		{"[$-407]DD.MM.YYYY", true},
		{"yyyy-mm-dd", true},
		{"m/d/yy h:mm", true},
		{"h:mm AM/PM", true},
		{"[h]:mm:ss", true},
		{"[mm]", true},
		{"[ss]", true},
		{"mmm-yy", true},
		{`dd/mm/yyyy;@`, true},
		{`[$-F800]dddd\,\ mmmm\ dd\,\ yyyy`, true},
		{`"Datum: "dd.mm.yy`, true},
	}
	for _, tt := range tests {
		name := "a number shown as " + tt.code + " is not a date"
		if tt.date {
			name = "a number shown as " + tt.code + " is a date"
		}
		t.Run(name, func(t *testing.T) {
			if got := isDateFormatCode(tt.code); got != tt.date {
				t.Errorf("isDateFormatCode(%q) = %v", tt.code, got)
			}
		})
	}
	t.Run("built-in date ids are the documented ranges", func(t *testing.T) {
		var ids []int
		for id := 0; id < 200; id++ {
			if isBuiltinDateFormat(id) {
				ids = append(ids, id)
			}
		}
		want := slices.Concat(rangeInts(14, 22), rangeInts(27, 36), rangeInts(45, 47), rangeInts(50, 58), rangeInts(71, 81))
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Error(diff)
		}
	})
}

func rangeInts(from, to int) []int {
	var r []int
	for i := from; i <= to; i++ {
		r = append(r, i)
	}
	return r
}

func TestStylesWithAlternateContent(t *testing.T) {
	styles := `<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
<x:numFmts><x:numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></x:numFmts>
<x:cellStyleXfs><x:xf numFmtId="164"/></x:cellStyleXfs>
<x:cellXfs>
<x:xf numFmtId="0"/>
<mc:AlternateContent><mc:Choice Requires="hs"><x:xf numFmtId="0" hs:extension="1"/></mc:Choice><mc:Fallback><x:xf numFmtId="164"/></mc:Fallback></mc:AlternateContent>
<x:xf numFmtId="0"/>
</x:cellXfs></x:styleSheet>`
	wb, err := openBytes(zipOf(t,
		part{"xl/workbook.xml", oneSheetWorkbook},
		part{"xl/_rels/workbook.xml.rels", oneSheetRels},
		part{"xl/styles.xml", styles},
		part{"xl/worksheets/sheet1.xml", worksheet(`<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="2"><v>1</v></c></row>`)},
	), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	got := cellMap(t, wb, "S")
	t.Run("the fallback of alternate content counts and the choice does not", func(t *testing.T) {
		if !got["A1"].DateFormat || got["B1"].DateFormat {
			t.Errorf("A1 date %v, B1 date %v; want true, false", got["A1"].DateFormat, got["B1"].DateFormat)
		}
	})
}

func TestCloseInterruptsReading(t *testing.T) {
	cell := `<c t="inlineStr"><is><t>` + strings.Repeat("x", 100) + `</t></is></c>`
	data := storedZip(t,
		part{"xl/workbook.xml", oneSheetWorkbook},
		part{"xl/_rels/workbook.xml.rels", oneSheetRels},
		part{"xl/worksheets/sheet1.xml", worksheet(`<row r="1">` + strings.Repeat(cell, maxCols) + `</row>`)},
	)
	ra := &hookReaderAt{r: bytes.NewReader(data), after: int64(len(data)) / 4}
	wb, err := OpenReaderAt(ra, int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ra.hook = func() { wb.Close() } // armed only now: Open reads the whole file
	rows, err := readAll(t, wb, "S")
	t.Run("closing the workbook stops a row that is still being read", func(t *testing.T) {
		if len(rows) != 0 || !errors.Is(err, fs.ErrClosed) {
			t.Errorf("read %d rows, err %v; want none and fs.ErrClosed", len(rows), err)
		}
	})
}

// hookReaderAt calls hook, once set, when a read first goes past offset after.
type hookReaderAt struct {
	r     *bytes.Reader
	after int64
	hook  func()
	done  bool
}

func (h *hookReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off > h.after && h.hook != nil && !h.done {
		h.done = true
		h.hook()
	}
	return h.r.ReadAt(p, off)
}

// sharedStringRefs builds a workbook whose one shared string of size bytes
// is referred to by refs cells, one per row, in column A.
func sharedStringRefs(t testing.TB, size, refs int) []byte {
	t.Helper()
	var sheet strings.Builder
	for r := 1; r <= refs; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>`, r, r)
	}
	return oneSheet(t, worksheet(sheet.String()), `<sst><si><t>`+strings.Repeat("A", size)+`</t></si></sst>`)
}

func TestTextBudget(t *testing.T) {
	t.Run("one 1 MiB shared string in 4,000 cells is refused at the 17th, naming sheet and cell", func(t *testing.T) {
		data := sharedStringRefs(t, 1<<20, 4000)
		if len(data) > 100<<10 {
			t.Fatalf("the file is %d bytes; the attack is a small file", len(data))
		}
		wb, err := openBytes(data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		rows, err := readAll(t, wb, "S")
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Problem != ProblemTooLarge {
			t.Fatalf("Err() = %v, want too-large", err)
		}
		// 16 cells are exactly the 16 MiB of the default budget.
		if len(rows) != 16 || fe.Sheet != "S" || fe.Cell != "A17" {
			t.Errorf("%d rows read, error at sheet %q cell %q; want 16 rows and the error at S!A17", len(rows), fe.Sheet, fe.Cell)
		}
		if want := `sheet "S", cell A17: the text of the cells up to here exceeds 16.0 MiB`; !strings.Contains(fe.Detail, want) {
			t.Errorf("detail %q, want it to contain %q", fe.Detail, want)
		}
	})
	t.Run("text of exactly the budget is read, one byte more is refused", func(t *testing.T) {
		data := oneSheet(t, worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>12</v></c><c r="C1" t="inlineStr"><is><t>xyz</t></is></c></row>`),
			`<sst><si><t>abcde</t></si></sst>`)
		for _, tt := range []struct {
			budget int64
			want   error
		}{{10, nil}, {9, &FormatError{Problem: ProblemTooLarge, Sheet: "S", Cell: "C1"}}} {
			wb, err := openBytes(data, Limits{MaxTextSize: tt.budget})
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(t, wb, "S")
			wb.Close()
			if diff := cmp.Diff(tt.want, err, cmp.Comparer(sameFormatError)); diff != "" {
				t.Errorf("budget %d: Err() (-want +got):\n%s", tt.budget, diff)
			}
		}
	})
	t.Run("the budget is the workbook's: reading a sheet twice spends it twice", func(t *testing.T) {
		data := oneSheet(t, worksheet(`<row r="1"><c r="A1"><v>12345</v></c></row><row r="2"><c r="A2"><v>12345</v></c></row>`), "")
		wb, err := openBytes(data, Limits{MaxTextSize: 15})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		if _, err := readAll(t, wb, "S"); err != nil {
			t.Fatalf("first read: %v", err)
		}
		rows, err := readAll(t, wb, "S")
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Cell != "A2" || len(rows) != 1 {
			t.Errorf("second read: %d rows, %v; want 1 row and the budget exceeded at A2", len(rows), err)
		}
	})
}

// sameFormatError compares the fields that say what and where.
func sameFormatError(a, b error) bool {
	var fa, fb *FormatError
	if !errors.As(a, &fa) || !errors.As(b, &fb) {
		return a == nil && b == nil
	}
	return fa.Problem == fb.Problem && fa.Sheet == fb.Sheet && fa.Cell == fb.Cell
}

// zipWithCRC writes the parts deflated, giving those named in crc the
// CRC-32 there instead of their own, as a file damaged after it was saved
// would have.
func zipWithCRC(t testing.TB, crc map[string]uint32, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		sum, bad := crc[p.name]
		if !bad {
			sum = crc32.ChecksumIEEE([]byte(p.body))
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.DefaultCompression)
		io.WriteString(fw, p.body)
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: sum,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(p.body))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// damagedPackage is the one-sheet package with the given sheet and a CRC
// of crc on the part damaged.
func damagedPackage(t testing.TB, sheet, damaged string, crc uint32) []byte {
	return zipWithCRC(t, map[string]uint32{damaged: crc},
		part{"_rels/.rels", rootRels},
		part{"xl/workbook.xml", oneSheetWorkbook},
		part{"xl/_rels/workbook.xml.rels", oneSheetRels},
		part{"xl/worksheets/sheet1.xml", sheet},
		part{"xl/styles.xml", twoStyles},
		part{"xl/sharedStrings.xml", `<sst><si><t>eins</t></si></sst>`},
	)
}

// isDamaged reports whether err is the error for a damaged zip entry.
func isDamaged(err error, part string) bool {
	var fe *FormatError
	return errors.As(err, &fe) && fe.Problem == ProblemCorrupt && errors.Is(err, zip.ErrChecksum) &&
		strings.Contains(fe.Detail, part+": checksum mismatch")
}

func TestDamagedEntries(t *testing.T) {
	const sheetPart = "xl/worksheets/sheet1.xml"
	twoRows := worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`)
	// Everything after the cells: the part a reader that stops at the end of
	// <sheetData> never parses.
	withTail := strings.Replace(twoRows, "</sheetData>", "</sheetData>"+mergeCells(1000), 1)
	for _, name := range []string{"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml"} {
		t.Run("a wrong checksum on "+name+" makes the file damaged at Open", func(t *testing.T) {
			_, err := openBytes(damagedPackage(t, twoRows, name, 0xDEADBEEF), Limits{})
			if !isDamaged(err, name) {
				t.Errorf("Open: %v, want a damaged %s", err, name)
			}
		})
	}
	tests := []struct {
		name  string
		sheet string
		crc   uint32
	}{
		{"a worksheet with a wrong checksum is damaged, after its rows", twoRows, 0xDEADBEEF},
		{"a worksheet whose damage lies after its cells is damaged", withTail, 0xDEADBEEF},
		{"a worksheet whose header claims a checksum of 0 is damaged", withTail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb, err := openBytes(damagedPackage(t, tt.sheet, sheetPart, tt.crc), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			rows, err := readAll(t, wb, "S")
			if !isDamaged(err, sheetPart) {
				t.Errorf("Err() = %v, want a damaged %s", err, sheetPart)
			}
			if len(rows) != 2 {
				t.Errorf("%d rows before the error, want 2", len(rows))
			}
		})
	}
	t.Run("a worksheet read only partially reports the damage at Close", func(t *testing.T) {
		wb, err := openBytes(damagedPackage(t, withTail, sheetPart, 0xDEADBEEF), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		rs, err := wb.Rows("S")
		if err != nil {
			t.Fatal(err)
		}
		if !rs.Next() || rs.Err() != nil {
			t.Fatalf("first row: %v", rs.Err())
		}
		if err := rs.Close(); !isDamaged(err, sheetPart) {
			t.Errorf("Close() = %v, want a damaged %s", err, sheetPart)
		}
		if err := rs.Err(); !isDamaged(err, sheetPart) {
			t.Errorf("Err() after Close = %v, want a damaged %s", err, sheetPart)
		}
	})
	t.Run("a sound worksheet read partially closes without error", func(t *testing.T) {
		wb, err := openBytes(oneSheet(t, withTail, `<sst><si><t>eins</t></si></sst>`), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		rs, err := wb.Rows("S")
		if err != nil {
			t.Fatal(err)
		}
		rs.Next()
		if err := rs.Close(); err != nil || rs.Err() != nil {
			t.Errorf("Close() = %v, Err() = %v; want nil", err, rs.Err())
		}
	})
	t.Run("a part read whole whose header claims a checksum of 0 is damaged", func(t *testing.T) {
		_, err := openBytes(damagedPackage(t, twoRows, "xl/sharedStrings.xml", 0), Limits{})
		if !isDamaged(err, "xl/sharedStrings.xml") {
			t.Errorf("Open: %v, want a damaged xl/sharedStrings.xml", err)
		}
	})
	t.Run("empty parts, whose checksum is 0, are sound", func(t *testing.T) {
		data := zipWithCRC(t, nil, part{"_rels/.rels", rootRels}, part{"xl/workbook.xml", oneSheetWorkbook},
			part{"xl/_rels/workbook.xml.rels", oneSheetRels}, part{"xl/worksheets/sheet1.xml", ""}, part{"xl/sharedStrings.xml", ""})
		wb, err := openBytes(data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		if rows, err := readAll(t, wb, "S"); err != nil || len(rows) != 0 {
			t.Errorf("%d rows, %v; want an empty sheet", len(rows), err)
		}
	})
}

// mergeCells is the XML of n merged ranges, A1:B1, A2:B2 …, as Excel
// writes them after a sheet's cells.
func mergeCells(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<mergeCells count="%d">`, n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<mergeCell ref="A%d:B%d"/>`, i, i)
	}
	b.WriteString(`</mergeCells>`)
	return b.String()
}

func TestManyMergedCells(t *testing.T) {
	// Merged ranges hold no values: the reader skips them, in time linear
	// in their number, wherever the writer put them, and reads them (after
	// the cells, unparsed) only to compare the part's checksum. 120,000 of
	// them take some 11 ms (BenchmarkMergedCells); a reader quadratic in
	// them, as excelize is when it saves a sheet (74 s for these), would
	// make this test time out.
	rows := `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`
	for _, tt := range []struct{ name, sheet string }{
		{"120,000 merged ranges after the cells are read past", worksheet(rows)},
		{"120,000 merged ranges before the cells are read past", `<worksheet>` + mergeCells(120_000) + `<sheetData>` + rows + `</sheetData></worksheet>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sheet := tt.sheet
			if !strings.Contains(sheet, "mergeCell ") {
				sheet = strings.Replace(sheet, "</sheetData>", "</sheetData>"+mergeCells(120_000), 1)
			}
			wb, err := openBytes(oneSheet(t, sheet, ""), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			got, err := readAll(t, wb, "S")
			if err != nil || len(got) != 2 {
				t.Errorf("%d rows, %v; want 2 rows", len(got), err)
			}
		})
	}
}
