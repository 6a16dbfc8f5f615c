package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The namespaces of a LibreOffice content.xml, with their usual prefixes.
const odsNamespaces = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" ` +
	`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ` +
	`xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ` +
	`xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
	`xmlns:xlink="http://www.w3.org/1999/xlink" ` +
	`xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"`

// odsContent is a content.xml holding the given <table:table> elements.
func odsContent(tables ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-content ` + odsNamespaces + ` office:version="1.3">` +
		`<office:scripts/><office:automatic-styles><style:style xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" style:name="ce1"/></office:automatic-styles>` +
		`<office:body><office:spreadsheet><table:calculation-settings table:automatic-find-labels="false"/>` +
		strings.Join(tables, "") +
		`<table:named-expressions/></office:spreadsheet></office:body></office:document-content>`
}

// tableXML is a sheet as LibreOffice writes it: column definitions, the
// rows, and an empty row repeated to the end of the grid.
func tableXML(name, rows string) string {
	return `<table:table table:name="` + name + `" table:style-name="ta1">` +
		`<table:table-column table:style-name="co1" table:number-columns-repeated="16384" table:default-cell-style-name="Default"/>` +
		rows +
		`<table:table-row table:style-name="ro1" table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>` +
		`</table:table>`
}

const odsManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`

// odsPackage builds an OpenDocument package from parts, with the mimetype
// entry first and stored, as the format requires. With stored, every part
// is stored, so that a fuzzer's mutations land in the XML.
func odsPackage(t testing.TB, stored bool, mimetype string, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string, method uint16) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if mimetype != "" {
		add("mimetype", mimetype, zip.Store)
	}
	for _, p := range parts {
		method := zip.Deflate
		if stored {
			method = zip.Store
		}
		add(p.name, p.body, method)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// odsOf is an .ods whose content.xml is content.
func odsOf(t testing.TB, content string) []byte {
	t.Helper()
	return odsPackage(t, false, odsMimetype, part{"META-INF/manifest.xml", odsManifest}, part{"content.xml", content})
}

// odsSheetBytes is an .ods with one sheet "S" holding rows.
func odsSheetBytes(t testing.TB, rows string) []byte {
	t.Helper()
	return odsOf(t, odsContent(tableXML("S", rows)))
}

func mustOpen(t testing.TB, data []byte, lim Limits) *Workbook {
	t.Helper()
	wb, err := openBytes(data, lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wb.Close() })
	return wb
}

func cell(text string) string {
	return `<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>` + text + `</text:p></table:table-cell>`
}

func TestODSCells(t *testing.T) {
	tests := []struct {
		name string
		rows string
		want []row
	}{
		{"a float keeps its stored digits, not the displayed text",
			`<table:table-row><table:table-cell office:value-type="float" office:value="4723.93" calcext:value-type="float"><text:p>4.723,93</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "4723.93", Cached: true}}}}},
		{"a currency cell is a number",
			`<table:table-row><table:table-cell office:value-type="currency" office:currency="EUR" office:value="-12.5"><text:p>-12,50 €</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "-12.5", Cached: true}}}}},
		{"a percentage is the fraction",
			`<table:table-row><table:table-cell office:value-type="percentage" office:value="0.19"><text:p>19 %</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "0.19", Cached: true}}}}},
		{"text that looks like a number stays a string",
			`<table:table-row>` + cell("1.234") + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "1.234", Cached: true}}}}},
		{"a date is the serial number of the 1900 system with a date format",
			`<table:table-row><table:table-cell office:value-type="date" office:date-value="2026-03-31" calcext:value-type="date"><text:p>31.03.2026</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "46112", Cached: true, DateFormat: true}}}}},
		{"a date with a time of day has the time as the fraction",
			`<table:table-row><table:table-cell office:value-type="date" office:date-value="2026-03-31T12:00:00"/></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "46112.5", Cached: true, DateFormat: true}}}}},
		{"the first of March 1900 is serial 61, as in Excel",
			`<table:table-row><table:table-cell office:value-type="date" office:date-value="1900-03-01"/></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "61", Cached: true, DateFormat: true}}}}},
		{"a date before 1900 keeps its ISO text",
			`<table:table-row><table:table-cell office:value-type="date" office:date-value="1899-12-31"/></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: ISODate, Value: "1899-12-31", Cached: true}}}}},
		{"a date that is no date keeps its text",
			`<table:table-row><table:table-cell office:value-type="date" office:date-value="2026-02-30"/></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: ISODate, Value: "2026-02-30", Cached: true}}}}},
		{"a time is a fraction of a day with a date format",
			`<table:table-row><table:table-cell office:value-type="time" office:time-value="PT12H30M00S"><text:p>12:30</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "0.5208333333333334", Cached: true, DateFormat: true}}}}},
		{"booleans are 1 and 0",
			`<table:table-row><table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>WAHR</text:p></table:table-cell><table:table-cell office:value-type="boolean" office:boolean-value="false"/></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Bool, Value: "1", Cached: true}, {Col: 2, Type: Bool, Value: "0", Cached: true}}}}},
		{"a formula with a cached value is that value",
			`<table:table-row><table:table-cell table:formula="of:=SUM([.G2:.G3])" office:value-type="float" office:value="95.78999999999999" calcext:value-type="float"><text:p>95,79</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Value: "95.78999999999999", Formula: true, Cached: true}}}}},
		{"a formula without a value is not cached",
			`<table:table-row><table:table-cell table:formula="of:=[.A1]*2"/><table:table-cell table:formula="of:=1+1" office:value-type="float"/></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Number, Formula: true}, {Col: 2, Type: Number, Formula: true}}}}},
		{"a formula whose result is empty text is cached, as LibreOffice writes it",
			`<table:table-row><table:table-cell table:formula="of:=&quot;&quot;"><text:p/></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Formula: true, Cached: true}}}}},
		{"a formula with a text result has it in office:string-value",
			`<table:table-row><table:table-cell table:formula="of:=&quot;ab&quot;&amp;&quot;cd&quot;" office:value-type="string" office:string-value="abcd" calcext:value-type="string"><text:p>abcd</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "abcd", Formula: true, Cached: true}}}}},
		{"an error result is an error with the text shown",
			`<table:table-row><table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: Error, Value: "#DIV/0!", Formula: true, Cached: true}}}}},
		{"paragraphs are joined with newlines",
			`<table:table-row>` + cell("Zeile 1</text:p><text:p>Zeile 2") + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "Zeile 1\nZeile 2", Cached: true}}}}},
		{"text:s writes as many spaces as text:c says, one without it",
			`<table:table-row>` + cell(`a<text:s text:c="3"/>b<text:s/>c`) + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "a   b c", Cached: true}}}}},
		{"tabs and line breaks written as elements are kept",
			`<table:table-row>` + cell(`a<text:tab/>b<text:line-break/>c`) + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "a\tb\nc", Cached: true}}}}},
		{"white space in the XML stays as it is, as in LibreOffice",
			`<table:table-row>` + cell(" Kreiskasse \t\n  Börde<text:s/> ") + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: " Kreiskasse \t\n  Börde  ", Cached: true}}}}},
		{"spans and links are part of the text",
			`<table:table-row>` + cell(`Dolmetsch<text:span text:style-name="T1">- und <text:a xlink:href="https://example.org">Über<text:span>setzungs</text:span></text:a></text:span>leistungen`) + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "Dolmetsch- und Übersetzungsleistungen", Cached: true}}}}},
		{"an annotation is not part of the cell",
			`<table:table-row><table:table-cell office:value-type="string"><office:annotation draw:style-name="gr1"><dc:date>2026-12-02T00:00:00</dc:date><text:p>geprüft</text:p></office:annotation><text:p>1.234</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "1.234", Cached: true}}}}},
		{"notes, annotations and frames inside a paragraph are not its text",
			`<table:table-row>` + cell(`a<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>x</text:p></text:note-body></text:note>b<office:annotation><text:p>y</text:p></office:annotation>c<draw:frame><draw:text-box><text:p>z</text:p></draw:text-box></draw:frame>d`) + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "abcd", Cached: true}}}}},
		{"office:string-value wins over the paragraphs",
			`<table:table-row><table:table-cell office:value-type="string" office:string-value="a  b&#10;c"><text:p>a  b</text:p><text:p>c</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "a  b\nc", Cached: true}}}}},
		{"a cell without a value type but with text is a string",
			`<table:table-row><table:table-cell><text:p>ohne Typ</text:p></table:table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "ohne Typ", Cached: true}}}}},
		{"empty cells, empty strings and styled cells are not returned",
			`<table:table-row><table:table-cell table:style-name="ce1"/><table:table-cell office:value-type="string"><text:p/></table:table-cell><table:table-cell table:content-validation-name="val1"/></table:table-row>`,
			nil},
		{"covered cells under a merge take their columns",
			`<table:table-row><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" office:value-type="string"><text:p>zusammen</text:p></table:table-cell><table:covered-table-cell/><table:table-cell office:value-type="float" office:value="3"/></table:table-row>` +
				`<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="float" office:value="4"/></table:table-row>`,
			[]row{
				{1, []Cell{{Col: 1, Type: String, Value: "zusammen", Cached: true}, {Col: 3, Type: Number, Value: "3", Cached: true}}},
				{2, []Cell{{Col: 3, Type: Number, Value: "4", Cached: true}}},
			}},
		{"a covered cell that holds a value returns it",
			`<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>a</text:p></table:table-cell><table:covered-table-cell office:value-type="string"><text:p>darunter</text:p></table:covered-table-cell></table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "a", Cached: true}, {Col: 2, Type: String, Value: "darunter", Cached: true}}}}},
		{"a value repeated over three columns is three cells",
			`<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:number-columns-repeated="3" office:value-type="date" office:date-value="2026-01-30"/><table:table-cell table:number-columns-repeated="16379"/></table:table-row>`,
			[]row{{1, []Cell{
				{Col: 3, Type: Number, Value: "46052", Cached: true, DateFormat: true},
				{Col: 4, Type: Number, Value: "46052", Cached: true, DateFormat: true},
				{Col: 5, Type: Number, Value: "46052", Cached: true, DateFormat: true},
			}}}},
		{"a repeated row with a value is that many rows",
			`<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>` +
				`<table:table-row table:number-rows-repeated="3">` + cell("x") + `<table:table-cell table:number-columns-repeated="16383"/></table:table-row>` + `<table:table-row>` + cell("y") + `</table:table-row>`,
			[]row{
				{3, []Cell{{Col: 1, Type: String, Value: "x", Cached: true}}},
				{4, []Cell{{Col: 1, Type: String, Value: "x", Cached: true}}},
				{5, []Cell{{Col: 1, Type: String, Value: "x", Cached: true}}},
				{6, []Cell{{Col: 1, Type: String, Value: "y", Cached: true}}},
			}},
		{"rows in header rows and row groups are rows of the sheet",
			`<table:table-header-rows><table:table-row>` + cell("Kopf") + `</table:table-row></table:table-header-rows>` +
				`<table:table-row-group><table:table-row-group><table:table-row>` + cell("innen") + `</table:table-row></table:table-row-group></table:table-row-group>` +
				`<table:table-rows><table:table-row>` + cell("danach") + `</table:table-row></table:table-rows>`,
			[]row{
				{1, []Cell{{Col: 1, Type: String, Value: "Kopf", Cached: true}}},
				{2, []Cell{{Col: 1, Type: String, Value: "innen", Cached: true}}},
				{3, []Cell{{Col: 1, Type: String, Value: "danach", Cached: true}}},
			}},
		{"shapes and forms in the sheet hold no rows",
			`<table:shapes><draw:frame><draw:text-box><text:p>Bild</text:p></draw:text-box></draw:frame></table:shapes><office:forms/>` +
				`<table:table-row>` + cell("a") + `</table:table-row>`,
			[]row{{1, []Cell{{Col: 1, Type: String, Value: "a", Cached: true}}}}},
		{"the last cell of the grid is XFD1048576",
			`<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>` +
				`<table:table-row><table:table-cell table:number-columns-repeated="16383"/>` + cell("Ende") + `</table:table-row>`,
			[]row{{1048576, []Cell{{Col: 16384, Type: String, Value: "Ende", Cached: true}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := mustOpen(t, odsSheetBytes(t, tt.rows), Limits{})
			got, err := readAll(t, wb, "S")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestODSWorkbook(t *testing.T) {
	content := odsContent(
		tableXML("Meldung", `<table:table-row>`+cell("Kreisschlüssel")+cell("15083")+`</table:table-row>`),
		`<table:table table:name="Versteckt" table:display="false"><table:table-row>`+cell("v")+`</table:table-row></table:table>`,
		tableXML("Belegliste", `<table:table-row>`+cell("Betrag")+`</table:table-row><table:table-row><table:table-cell office:value-type="float" office:value="89.4"/></table:table-row>`),
	)
	wb := mustOpen(t, odsOf(t, content), Limits{})
	t.Run("sheets are listed in order, hidden ones too", func(t *testing.T) {
		if diff := cmp.Diff([]string{"Meldung", "Versteckt", "Belegliste"}, wb.Sheets()); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("the format is ods and dates are in the 1900 system", func(t *testing.T) {
		if wb.Format() != FormatODS || wb.Date1904() {
			t.Errorf("Format() = %v, Date1904() = %v", wb.Format(), wb.Date1904())
		}
	})
	t.Run("sheets read in any order and at the same time", func(t *testing.T) {
		last, err := wb.Rows("Belegliste")
		if err != nil {
			t.Fatal(err)
		}
		defer last.Close()
		first, err := wb.Rows("Meldung")
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		if !last.Next() || last.Cells()[0].Value != "Betrag" {
			t.Fatalf("Belegliste row 1: %v %v", last.Cells(), last.Err())
		}
		if !first.Next() || first.Row() != 1 || len(first.Cells()) != 2 || first.Cells()[1].Value != "15083" {
			t.Fatalf("Meldung row 1: %v %v", first.Cells(), first.Err())
		}
		if !last.Next() || last.Row() != 2 || last.Cells()[0].Value != "89.4" {
			t.Fatalf("Belegliste row 2: %v %v", last.Cells(), last.Err())
		}
		if last.Next() || first.Next() {
			t.Error("more rows than the sheets have")
		}
		if err := errors.Join(last.Err(), first.Err(), last.Close(), first.Close()); err != nil {
			t.Error(err)
		}
	})
	t.Run("an unknown sheet is an error", func(t *testing.T) {
		if _, err := wb.Rows("Meldung "); err == nil {
			t.Error("no error")
		}
	})
	t.Run("the methods for rewriting xlsx packages say the file is ods", func(t *testing.T) {
		_, err1 := wb.WorkbookPart()
		_, err2 := wb.SheetParts()
		_, err3 := wb.Relationships("content.xml")
		_, err4 := wb.DefinedNames()
		for _, err := range []error{err1, err2, err3, err4} {
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Problem != ProblemODS || fe.Format != FormatODS {
				t.Errorf("error %v, want ProblemODS", err)
			}
		}
		if wb.Entry("content.xml") == nil || len(wb.Entries()) != 3 {
			t.Errorf("entries: %v", wb.Entries())
		}
	})
}

// TestODSLayouts reads one sheet written in the ways writers differ: all
// must read the same.
func TestODSLayouts(t *testing.T) {
	rows := `<table:table-row>` + cell("Börde") + `<table:table-cell office:value-type="date" office:date-value="2026-01-30"/></table:table-row>`
	want := []row{{1, []Cell{{Col: 1, Type: String, Value: "Börde", Cached: true}, {Col: 2, Type: Number, Value: "46052", Cached: true, DateFormat: true}}}}
	plain := odsContent(tableXML("A", `<table:table-row>`+cell("vorher")+`</table:table-row>`), tableXML("S", rows))
	renamed := regexp.MustCompile(`(<|</| xmlns:| )(office|table|text)[:=]`).ReplaceAllStringFunc(plain, func(s string) string {
		return strings.NewReplacer("office", "o", "table", "t", "text", "x").Replace(s)
	})
	defaultNS := `<document-content xmlns="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><body><spreadsheet>` +
		`<table:table table:name="A"/><table:table table:name="S"><table:table-row><table:table-cell xmlns:v="urn:oasis:names:tc:opendocument:xmlns:office:1.0" v:value-type="string"><text:p>Börde</text:p></table:table-cell>` +
		`<table:table-cell xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:value-type="date" office:date-value="2026-01-30"/></table:table-row></table:table></spreadsheet></body></document-content>`
	// Prefixes bound to other namespaces are not ODF's, whatever their name.
	impostor := strings.Replace(plain, `xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"`, `xmlns:text="urn:example:not-text"`, 1)
	undeclared := `<office:document-content><office:body><office:spreadsheet><table:table table:name="A"/><table:table table:name="S">` + rows + `</table:table></office:spreadsheet></office:body></office:document-content>`
	tests := []struct {
		name string
		data []byte
		want []row
	}{
		{"as LibreOffice writes it", odsOf(t, plain), want},
		{"with other prefixes", odsOf(t, renamed), want},
		{"with a default namespace and declarations on cells", odsOf(t, defaultNS), want},
		{"without namespace declarations, read by the usual prefixes", odsOf(t, undeclared), want},
		{"with a text prefix bound elsewhere, whose paragraphs are no text", odsOf(t, impostor), []row{{1, []Cell{{Col: 2, Type: Number, Value: "46052", Cached: true, DateFormat: true}}}}},
		{"in UTF-16, read without skipping", odsOf(t, utf16Content(t, plain)), want},
		{"in ISO-8859-1, read without skipping", odsOf(t, latin1Doc(plain)), want},
		{"with the mimetype entry last", odsPackage(t, false, "", part{"content.xml", plain}, part{"mimetype", odsMimetype}), want},
		{"as a template (.ots)", odsPackage(t, false, odsMimetype+"-template", part{"content.xml", plain}), want},
		{"without a manifest", odsPackage(t, true, odsMimetype, part{"content.xml", plain}), want},
		{"with a manifest that is not XML", odsPackage(t, false, odsMimetype, part{"META-INF/manifest.xml", "<manifest:manifest><"}, part{"content.xml", plain}), want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := mustOpen(t, tt.data, Limits{})
			if diff := cmp.Diff([]string{"A", "S"}, wb.Sheets()); diff != "" {
				t.Fatal(diff)
			}
			got, err := readAll(t, wb, "S")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func utf16Content(t testing.TB, doc string) string {
	return utf16Doc(t, strings.Replace(doc, `encoding="UTF-8"`, `encoding="UTF-16"`, 1))
}

func latin1Doc(doc string) string {
	doc = strings.Replace(doc, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1)
	var b []byte
	for _, r := range doc {
		b = append(b, byte(r))
	}
	return string(b)
}

func TestODSOpenRejects(t *testing.T) {
	good := odsContent(tableXML("S", `<table:table-row>`+cell("x")+`</table:table-row>`))
	encryptedManifest := strings.Replace(odsManifest, `manifest:media-type="text/xml"/>`,
		`manifest:media-type="text/xml" manifest:size="1234"><manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="x"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="x"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="x"/></manifest:encryption-data></manifest:file-entry>`, 1)
	tests := []struct {
		name       string
		data       []byte
		lim        Limits
		want       Problem
		wantDetail string
	}{
		{"a password-protected ods is encrypted", odsPackage(t, false, odsMimetype, part{"META-INF/manifest.xml", encryptedManifest}, part{"content.xml", "\x8f\x13 encrypted bytes"}), Limits{}, ProblemEncrypted, "password-protected opendocument spreadsheet"},
		{"an ods encrypted whole (LibreOffice 24.2) is encrypted", odsPackage(t, false, odsMimetype, part{"META-INF/manifest.xml", strings.Replace(encryptedManifest, "content.xml", "encrypted-package", 1)}, part{"encrypted-package", "\x01\x02"}), Limits{}, ProblemEncrypted, "password-protected"},
		{"an ods without content.xml is corrupt", odsPackage(t, false, odsMimetype, part{"META-INF/manifest.xml", odsManifest}), Limits{}, ProblemCorrupt, "without content.xml"},
		{"an ods whose content is no document is corrupt", odsOf(t, `<office:document-styles/>`), Limits{}, ProblemCorrupt, "root element <office:document-styles>"},
		{"an ods without a spreadsheet body is corrupt", odsOf(t, `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`), Limits{}, ProblemCorrupt, "holds no spreadsheet"},
		{"an ods of a text document is corrupt", odsOf(t, `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"><office:body><office:text/></office:body></office:document-content>`), Limits{}, ProblemCorrupt, "holds no spreadsheet"},
		{"an ods with two spreadsheets is corrupt", odsOf(t, strings.Replace(good, "</office:spreadsheet>", "</office:spreadsheet><office:spreadsheet/>", 1)), Limits{}, ProblemCorrupt, "more than one spreadsheet"},
		{"damaged XML anywhere in content.xml is corrupt", odsOf(t, strings.Replace(good, "<table:named-expressions/>", "<table:named-expressions>", 1)), Limits{}, ProblemCorrupt, "content.xml: xml syntax error"},
		{"a truncated ods is corrupt", odsOf(t, good)[:300], Limits{}, ProblemCorrupt, "damaged zip archive"},
		{"a manifest over MaxPartSize is too large", odsPackage(t, false, odsMimetype, part{"META-INF/manifest.xml", odsManifest + strings.Repeat(" ", 2000)}, part{"content.xml", good}), Limits{MaxPartSize: 1000}, ProblemTooLarge, "limit 1000 bytes for parts read whole"},
		{"content.xml over MaxUnzippedSize is too large", odsOf(t, good), Limits{MaxUnzippedSize: 1000}, ProblemTooLarge, "content.xml declares"},
		{"more entries than MaxEntries is too large", odsOf(t, good), Limits{MaxEntries: 2}, ProblemTooLarge, "more than 2 entries"},
		{"more sheets than MaxEntries is too large", odsOf(t, odsContent(strings.Repeat(`<table:table table:name="x"/>`, 5))), Limits{MaxEntries: 4}, ProblemTooLarge, "lists more than 4 sheets"},
		{"a file over MaxFileSize is too large", odsOf(t, good), Limits{MaxFileSize: 100}, ProblemTooLarge, "limit 100 bytes"},
		{"more namespace declarations than the bound is corrupt", odsOf(t, strings.Replace(good, "<office:body>", "<office:body "+manyNamespaces(maxNSBindings)+">", 1)), Limits{}, ProblemCorrupt, "namespace declarations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			wb, err := openBytes(tt.data, tt.lim)
			if err == nil {
				wb.Close()
				t.Fatalf("opened fine, want %v", tt.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Problem != tt.want || !strings.Contains(fe.Detail, tt.wantDetail) {
				t.Fatalf("error = %v, want %v with %q", err, tt.want, tt.wantDetail)
			}
			// The file's size is checked before a byte of it is read.
			if fe.Format != FormatODS && tt.lim.MaxFileSize == 0 {
				t.Errorf("Format = %v, want ods", fe.Format)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func manyNamespaces(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(` xmlns:p` + itoa(i) + `="urn:x"`)
	}
	return b.String()
}

func TestODSDamagedCRC(t *testing.T) {
	content := odsContent(tableXML("S", `<table:table-row>`+cell("Kreiskasse Börde")+`</table:table-row>`))
	// Stored, so that one byte of the text can be changed in the file.
	data := odsPackage(t, true, odsMimetype, part{"content.xml", content})
	i := bytes.Index(data, []byte("Kreiskasse"))
	data[i] = 'k'
	_, err := openBytes(data, Limits{})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Problem != ProblemCorrupt || !errors.Is(err, zip.ErrChecksum) || fe.Format != FormatODS {
		t.Fatalf("error = %v, want a damaged entry (zip.ErrChecksum)", err)
	}
}

func TestODSDamagedSheets(t *testing.T) {
	tests := []struct {
		name, rows, want string
	}{
		{"a value past column XFD is corrupt",
			`<table:table-row><table:table-cell table:number-columns-repeated="16384"/>` + cell("x") + `</table:table-row>`,
			`content.xml, sheet "S": row 1 has a cell beyond column XFD`},
		{"a value repeated past column XFD is corrupt",
			`<table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1"/></table:table-row>`,
			"beyond column XFD"},
		{"a value past row 1,048,576 is corrupt",
			`<table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row><table:table-row>` + cell("x") + `</table:table-row>`,
			"more than 1048576 rows"},
		{"a row with a value repeated past row 1,048,576 is corrupt",
			`<table:table-row table:number-rows-repeated="1048575"><table:table-cell/></table:table-row><table:table-row table:number-rows-repeated="2">` + cell("x") + `</table:table-row>`,
			"more than 1048576 rows"},
		{"an unknown value type is corrupt",
			`<table:table-row><table:table-cell office:value-type="complex" office:value="1+i"/></table:table-row>`,
			`cell A1 has unknown value type "complex"`},
		{"a paragraph of more than 1 MiB is corrupt",
			`<table:table-row>` + cell(strings.Repeat("x", maxCellText+1)) + `</table:table-row>`,
			"text longer than 1.0 MiB in one cell"},
		{"paragraphs of more than 1 MiB together are corrupt",
			`<table:table-row>` + cell(strings.Repeat("x", maxCellText/2)+"</text:p><text:p>"+strings.Repeat("y", maxCellText/2)) + `</table:table-row>`,
			"text longer than 1.0 MiB in one cell"},
		{"a billion spaces are corrupt",
			`<table:table-row>` + cell(`<text:s text:c="1000000000"/>`) + `</table:table-row>`,
			"text longer than 1.0 MiB in one cell"},
		{"a string value of more than 1 MiB is corrupt",
			`<table:table-row><table:table-cell office:value-type="string" office:string-value="` + strings.Repeat("x", maxCellText+1) + `"/></table:table-row>`,
			"text longer than 1.0 MiB in one cell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := mustOpen(t, odsSheetBytes(t, tt.rows), Limits{})
			_, err := readAll(t, wb, "S")
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Problem != ProblemCorrupt || !strings.Contains(fe.Detail, tt.want) || fe.Format != FormatODS {
				t.Errorf("error = %v, want corrupt with %q", err, tt.want)
			}
		})
	}
}

func TestODSTextBudget(t *testing.T) {
	ten := strings.Repeat("x", 10)
	tests := []struct {
		name      string
		rows      string
		wantCell  string
		wantCells int // the cells returned before the budget ran out
	}{
		{"the budget runs out at the cell that exceeds it",
			`<table:table-row>` + cell(ten) + cell(ten) + cell(ten) + `</table:table-row>`, "C1", 0},
		{"a repeated value counts at every copy",
			`<table:table-row><table:table-cell/><table:table-cell table:number-columns-repeated="5" office:value-type="string" office:string-value="` + ten + `"/></table:table-row>`, "D1", 0},
		{"a repeated row counts at every copy",
			`<table:table-row table:number-rows-repeated="100">` + cell(ten) + `</table:table-row>`, "A3", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := mustOpen(t, odsSheetBytes(t, tt.rows), Limits{MaxTextSize: 25})
			rows, err := readAll(t, wb, "S")
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Problem != ProblemTooLarge || fe.Sheet != "S" || fe.Cell != tt.wantCell {
				t.Fatalf("error = %#v, want too large at S!%s", err, tt.wantCell)
			}
			if len(rows) != tt.wantCells {
				t.Errorf("%d rows before the error, want %d", len(rows), tt.wantCells)
			}
		})
	}
}

// TestODSRepeatBombs reads sheets whose rows and cells are repeated to the
// grid's limits, in files of a few hundred bytes.
func TestODSRepeatBombs(t *testing.T) {
	bomb := func(cell string) string {
		return `<table:table-row table:number-rows-repeated="1048576">` +
			strings.Replace(cell, "<table:table-cell", `<table:table-cell table:number-columns-repeated="16384"`, 1) +
			`</table:table-row>`
	}
	t.Run("empty rows and cells to the end of the grid cost nothing", func(t *testing.T) {
		// As LibreOffice pads every sheet, but over all of it, on every sheet.
		var tables []string
		for _, name := range []string{"A", "B", "C"} {
			tables = append(tables, `<table:table table:name="`+name+`"><table:table-column table:number-columns-repeated="16384"/>`+
				`<table:table-row>`+cell("Kopf")+`<table:table-cell table:number-columns-repeated="16383"/></table:table-row>`+
				bomb(`<table:table-cell table:style-name="ce1"/>`)+
				`<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>`)
		}
		data := odsOf(t, odsContent(tables...))
		var rowsRead int
		alloc, took := measure(t, func() {
			wb := mustOpen(t, data, Limits{})
			for _, s := range wb.Sheets() {
				rows, err := readAll(t, wb, s)
				if err != nil {
					t.Fatal(err)
				}
				rowsRead += len(rows)
			}
		})
		if rowsRead != 3 {
			t.Errorf("%d rows, want 3", rowsRead)
		}
		t.Logf("%d bytes allocated in %v", alloc, took)
		if alloc > 1<<20 || took > time.Second {
			t.Errorf("%d bytes allocated in %v for a %d-byte file", alloc, took, len(data))
		}
	})
	t.Run("a value in every cell stops at the text budget", func(t *testing.T) {
		data := odsSheetBytes(t, bomb(cell("x")))
		var err error
		alloc, took := measure(t, func() {
			wb := mustOpen(t, data, Limits{})
			_, err = countRows(wb, "S")
		})
		var fe *FormatError
		// 16 MiB of one-byte values is exactly 1,024 rows of 16,384 cells.
		if !errors.As(err, &fe) || fe.Problem != ProblemTooLarge || fe.Cell != "A1025" {
			t.Fatalf("error = %v, want too much text at A1025", err)
		}
		t.Logf("%d bytes allocated in %v", alloc, took)
		if alloc > 64<<20 || took > 5*time.Second {
			t.Errorf("%d bytes allocated in %v", alloc, took)
		}
	})
	t.Run("a formula without a value in every cell stops at the bound on cells", func(t *testing.T) {
		data := odsSheetBytes(t, bomb(`<table:table-cell table:formula="of:=1"/>`))
		var err error
		alloc, took := measure(t, func() {
			wb := mustOpen(t, data, Limits{})
			_, err = countRows(wb, "S")
		})
		// 256 MiB / 11 bytes = 24,403,223 cells: 1,489 rows and 7,447
		// cells, so the 7,448th cell of row 1,490, column JZL, is one too
		// many. The error names no cell, as it is not about text.
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Problem != ProblemTooLarge || fe.Cell != "" ||
			!strings.Contains(fe.Detail, `sheet "S", cell JZL1490: more than 24403223 cells`) {
			t.Fatalf("error = %v, want too many cells", err)
		}
		t.Logf("%d bytes allocated in %v", alloc, took)
		if alloc > 64<<20 || took > 10*time.Second {
			t.Errorf("%d bytes allocated in %v", alloc, took)
		}
	})
}

// countRows reads a sheet to its end, keeping nothing but the number of
// cells.
func countRows(wb *Workbook, sheet string) (int, error) {
	rows, err := wb.Rows(sheet)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n += len(rows.Cells())
	}
	return n, rows.Err()
}

// measure runs f and returns the bytes it allocated (a counted bound on
// its memory, which the garbage collector cannot hide) and its time.
func measure(t *testing.T, f func()) (uint64, time.Duration) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, took
}

func TestODSCloseInterruptsReading(t *testing.T) {
	data := odsSheetBytes(t, `<table:table-row table:number-rows-repeated="1000000">`+cell("x")+`</table:table-row>`)
	wb := mustOpen(t, data, Limits{})
	rows, err := wb.Rows("S")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	wb.Close()
	for rows.Next() {
	}
	if !errors.Is(rows.Err(), errClosed) {
		t.Errorf("Err() = %v, want closed", rows.Err())
	}
	if _, err := wb.Rows("S"); !errors.Is(err, errClosed) {
		t.Errorf("Rows after Close: %v", err)
	}
}

func TestODSTimeSerials(t *testing.T) {
	tests := []struct{ in, want string }{
		{"PT12H", "0.5"},
		{"PT06H00M00S", "0.25"},
		{"PT12H30M15.5S", "0.5210127314814815"},
		{"P1DT12H", "1.5"},
		{"-PT12H", "-0.5"},
		{"PT0S", "0"},
	}
	for _, tt := range tests {
		if got, ok := odsTimeSerial([]byte(tt.in)); !ok || got != tt.want {
			t.Errorf("odsTimeSerial(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "P", "PT", "12:00", "P1M", "PT1D", "PTxH", "P1DT1HT"} {
		if got, ok := odsTimeSerial([]byte(bad)); ok {
			t.Errorf("odsTimeSerial(%q) = %q, want no serial", bad, got)
		}
	}
	dates := []struct{ in, want string }{
		{"2026-03-31", "46112"},
		{" 2026-03-31T00:00:00 ", "46112"},
		{"2026-03-31T06:00:00.000", "46112.25"},
		{"2026-03-31T06:00:00Z", "46112.25"},
		{"2026-03-31T06:00:00+02:00", "46112.25"},
		{"2026-03-31T23:59:59.99999999999", "46112.99999999999"},
		{"1900-01-01", "2"},
		{"9999-12-31", "2958465"},
	}
	for _, tt := range dates {
		if got, ok := odsDateSerial([]byte(tt.in)); !ok || got != tt.want {
			t.Errorf("odsDateSerial(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "2026-3-31", "2026-02-29", "1899-12-30", "10000-01-01", "2026-03-31T25:00:00", "2026-03-31 12:00:00", "2026-03-31T12:00", "-2026-03-31"} {
		if got, ok := odsDateSerial([]byte(bad)); ok {
			t.Errorf("odsDateSerial(%q) = %q, want no serial", bad, got)
		}
	}
}
