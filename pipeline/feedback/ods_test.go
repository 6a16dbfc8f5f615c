package feedback_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/xlsx"
)

// odsFindings plant problems in the form: cells with values, an empty
// cell in the repeated tail of a sheet, two findings on one cell, a cell
// of the ministry's (never marked) and a finding about the whole file.
func odsFindings(sheets []string) []feedback.Finding {
	s0, s1 := sheets[0], sheets[len(sheets)-1]
	return []feedback.Finding{
		{Rule: "AMOUNT", Severity: "error", Sheet: s0, Cell: "B2", Message: "Betrag unklar."},
		{Rule: "DECIMALS", Severity: "info", Sheet: s0, Cell: "b2", Message: "Nachkommastellen."},
		{Rule: "DATE", Severity: "warning", Sheet: s1, Cell: "C4", Message: "Datum fehlt."},
		{Rule: "RECEIPT", Severity: "info", Sheet: s1, Cell: "F300", Message: "Weit unten."},
		{Rule: "PLAN_TOTAL", Severity: "warning", Sheet: s0, Cell: "A1", Message: "Für das Ministerium."},
		{Rule: "LATE", Severity: "warning", Message: "Verspätet eingereicht."},
		// A date whose format comes from its column's default style.
		{Rule: "DATE", Severity: "error", Sheet: "Belegliste", Cell: "C2", Message: "Belegdatum nach Zahlungsdatum."},
	}
}

// odsOfForm is the form as LibreOffice saves it as .ods.
func odsOfForm(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "15083_2026_Q1.xlsx")
	if err := os.WriteFile(src, formWorkbook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return officeSuite(t, src, "ods")
}

// readAll is every sheet of a workbook as our reader sees it.
func readAll(t *testing.T, path string, skip string) map[string][][]xlsx.Cell {
	t.Helper()
	wb, err := xlsx.Open(path, xlsx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	out := map[string][][]xlsx.Cell{}
	for _, s := range wb.Sheets() {
		if s == skip {
			continue
		}
		rows, err := wb.Rows(s)
		if err != nil {
			t.Fatal(err)
		}
		var all [][]xlsx.Cell
		for rows.Next() {
			all = append(all, append([]xlsx.Cell{{Col: -rows.Row()}}, rows.Cells()...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out[s] = all
	}
	return out
}

func sheetsOf(t *testing.T, path string) []string {
	t.Helper()
	wb, err := xlsx.Open(path, xlsx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	return wb.Sheets()
}

func writeODS(t *testing.T, src string, fs []feedback.Finding) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	res, err := feedback.Write(&buf, src, fs, catalogue(t), options())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Marked || !res.ODS || res.Failure != nil {
		t.Fatalf("Write = %+v, want the .ods marked", res)
	}
	out := filepath.Join(t.TempDir(), "15083_2026_Q1.feedback.ods")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out, buf.Bytes()
}

// marksAfterLibreOffice converts the feedback .ods to .xlsx with
// LibreOffice and returns, per sheet, the cells with a comment of ours and
// those with one of our fills, and the sheet list.
func marksAfterLibreOffice(t *testing.T, path string) (comments, fills map[string][]string, sheets []string) {
	t.Helper()
	f := openFile(t, officeSuite(t, path, "xlsx"))
	comments, fills = map[string][]string{}, map[string][]string{}
	sheets = f.GetSheetList()
	for _, s := range sheets[1:] {
		for cell, c := range commentsByCell(t, f, s) {
			if !strings.HasPrefix(strings.TrimSpace(commentText(c)), feedback.Author+":") {
				t.Errorf("%s!%s: comment %q does not start with %s:", s, cell, commentText(c), feedback.Author)
			}
			comments[s] = append(comments[s], cell)
		}
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= max(len(rows), 300); r++ {
			for c := 'A'; c <= 'H'; c++ {
				cell := fmt.Sprintf("%c%d", c, r)
				if ownFill(t, f, s, cell) {
					fills[s] = append(fills[s], cell)
				}
			}
		}
	}
	for _, m := range []map[string][]string{comments, fills} {
		for s := range m {
			sortStrings(m[s])
		}
	}
	return comments, fills, sheets
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestAnODSGetsItsOwnODSBackMarkedAsLibreOfficeShowsIt(t *testing.T) {
	src := odsOfForm(t)
	sheets := sheetsOf(t, src)
	fs := odsFindings(sheets)
	out, data := writeODS(t, src, fs)

	t.Run("the same input gives the same bytes", func(t *testing.T) {
		_, again := writeODS(t, src, fs)
		if !bytes.Equal(data, again) {
			t.Error("two writes differ")
		}
	})
	t.Run("the mimetype entry is first and stored", func(t *testing.T) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if e := zr.File[0]; e.Name != "mimetype" || e.Method != zip.Store {
			t.Errorf("first entry %s (method %d)", e.Name, e.Method)
		}
	})
	t.Run("our reader reads the district's sheets as in the original", func(t *testing.T) {
		want := readAll(t, src, "")
		got := readAll(t, out, "Prüfergebnis")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the feedback .ods reads differently from the original")
		}
		if s := sheetsOf(t, out); s[0] != "Prüfergebnis" {
			t.Errorf("sheets %q, want Prüfergebnis first", s)
		}
	})
	wantMarks := map[string][]string{sheets[0]: {"B2"}, "Belegliste": {"C2"}}
	wantMarks[sheets[len(sheets)-1]] = append(wantMarks[sheets[len(sheets)-1]], "C4", "F300")
	sortStrings(wantMarks[sheets[len(sheets)-1]])
	t.Run("LibreOffice shows comments and fills at exactly the findings' cells", func(t *testing.T) {
		comments, fills, lsheets := marksAfterLibreOffice(t, out)
		if lsheets[0] != "Prüfergebnis" {
			t.Errorf("LibreOffice's sheets %q, want Prüfergebnis first", lsheets)
		}
		if !reflect.DeepEqual(comments, wantMarks) {
			t.Errorf("comments at %v, want %v", comments, wantMarks)
		}
		if !reflect.DeepEqual(fills, wantMarks) {
			t.Errorf("fills at %v, want %v", fills, wantMarks)
		}
	})
	t.Run("a marked date keeps its format as LibreOffice shows it", func(t *testing.T) {
		orig := openFile(t, officeSuite(t, src, "xlsx"))
		got := openFile(t, officeSuite(t, out, "xlsx"))
		for _, f := range []*excelize.File{orig, got} {
			if v, err := f.GetCellValue("Belegliste", "C2"); err != nil || !strings.Contains(v, "2026") {
				t.Errorf("Belegliste!C2 shows %q (%v), want a date", v, err)
			}
		}
		if a, b := styleAt(t, orig, "Belegliste", "C2"), styleAt(t, got, "Belegliste", "C2"); a.NumFmt != b.NumFmt || !reflect.DeepEqual(a.CustomNumFmt, b.CustomNumFmt) {
			t.Errorf("number format %d %v, want %d %v", b.NumFmt, b.CustomNumFmt, a.NumFmt, a.CustomNumFmt)
		}
	})
	t.Run("a second round has no mark at the fixed cell and one result sheet", func(t *testing.T) {
		saved := officeSuite(t, out, "ods")
		fixed := append([]feedback.Finding{fs[0], fs[1]}, fs[3:]...) // C4 fixed
		out2, _ := writeODS(t, saved, fixed)
		s := sheetsOf(t, out2)
		n := 0
		for _, name := range s {
			if strings.HasPrefix(name, "Prüfergebnis") {
				n++
			}
		}
		if s[0] != "Prüfergebnis" || n != 1 || len(s) != len(sheets)+1 {
			t.Errorf("sheets %q, want one Prüfergebnis first before %q", s, sheets)
		}
		want := map[string][]string{sheets[0]: {"B2"}, sheets[len(sheets)-1]: {"F300"}, "Belegliste": {"C2"}}
		comments, fills, _ := marksAfterLibreOffice(t, out2)
		if !reflect.DeepEqual(comments, want) {
			t.Errorf("comments at %v, want %v", comments, want)
		}
		if !reflect.DeepEqual(fills, want) {
			t.Errorf("fills at %v, want %v", fills, want)
		}
		if got, orig := readAll(t, out2, "Prüfergebnis"), readAll(t, src, ""); !reflect.DeepEqual(got, orig) {
			t.Error("the second round reads differently from the original")
		}
	})
}

// odsNS are the namespaces LibreOffice declares on content.xml's root.
const odsNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"`

// goODS is an .ods built in Go with one sheet "S" holding rows and an
// empty row repeated to the end of the grid, as LibreOffice ends a sheet.
func goODS(t *testing.T, rows string) string {
	t.Helper()
	return goODSOf(t, rows+`<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`)
}

// goODSOf is an .ods built in Go with one sheet "S" holding rows.
func goODSOf(t *testing.T, rows string) string {
	t.Helper()
	content := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-content ` + odsNS + ` office:version="1.3">` +
		`<office:automatic-styles><style:style style:name="ce1" style:family="table-cell" style:data-style-name="N2"/></office:automatic-styles>` +
		`<office:body><office:spreadsheet><table:table table:name="S">` +
		`<table:table-column table:number-columns-repeated="16384"/>` + rows +
		`</table:table></office:spreadsheet></office:body></office:document-content>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string, method uint16) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	add("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zip.Store)
	add("META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`, zip.Deflate)
	add("content.xml", content, zip.Deflate)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "go.ods")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func contentOf(t *testing.T, data []byte) string {
	t.Helper()
	return string(readPart(t, data, "content.xml"))
}

func TestAMarkedCellInsideRepeatsSplitsOnlyItsRowAndCell(t *testing.T) {
	// Row 1 holds values; rows 2–501 repeat a row of a value cell repeated
	// over columns A–J and an empty rest; the finding is at E100.
	src := goODS(t, `<table:table-row><table:table-cell office:value-type="string"><text:p>Kopf</text:p></table:table-cell></table:table-row>`+
		`<table:table-row table:number-rows-repeated="500"><table:table-cell table:style-name="ce1" office:value-type="float" office:value="7" table:number-columns-repeated="10"><text:p>7</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16374"/></table:table-row>`)
	fs := []feedback.Finding{{Rule: "AMOUNT", Severity: "error", Sheet: "S", Cell: "E100", Message: "Betrag unklar."}}
	out, data := writeODS(t, src, fs)
	c := contentOf(t, data)
	for _, want := range []string{
		`<table:table-row table:number-rows-repeated="98">`,
		`<table:table-row table:number-rows-repeated="401">`,
		`table:number-columns-repeated="4"><text:p>7</text:p></table:table-cell><table:table-cell table:style-name="grantpipe_error" office:value-type="float" office:value="7"><office:annotation><text:p>grantpipe:</text:p>`,
		`</office:annotation><text:p>7</text:p></table:table-cell><table:table-cell table:style-name="ce1" office:value-type="float" office:value="7" table:number-columns-repeated="5">`,
		`<style:style style:name="grantpipe_error" style:family="table-cell" style:data-style-name="N2"><style:table-cell-properties fo:background-color="#ff9999"/></style:style>`,
	} {
		if !strings.Contains(c, want) {
			t.Errorf("content.xml lacks %s", want)
		}
	}
	if n := len(regexp.MustCompile(`office:value="7"`).FindAllString(c, -1)); n != 5 {
		t.Errorf("%d value cells written, want 5 (a run before, the cell, a run after, and the rows around)", n)
	}
	if len(c) > 20000 {
		t.Errorf("content.xml is %d bytes: repeats were expanded", len(c))
	}
	if got, want := readAll(t, out, "Prüfergebnis"), readAll(t, src, ""); !reflect.DeepEqual(got, want) {
		t.Error("the feedback .ods reads differently from the original")
	}
	t.Run("a second round removes the annotation and the fill", func(t *testing.T) {
		out2, data2 := writeODS(t, out, nil)
		c2 := contentOf(t, data2)
		if strings.Contains(c2, "<office:annotation><text:p>grantpipe:</text:p><text:p>Fehler") {
			t.Error("the earlier round's annotation is still there")
		}
		if strings.Contains(c2, `style:name="grantpipe_error"`) {
			t.Error("the earlier round's style is still there")
		}
		if strings.Contains(c2, `fo:background-color="#ff9999"/></style:style><style:style style:name="grantpipe_plain"`) || !strings.Contains(c2, `<style:style style:name="grantpipe_plain" style:family="table-cell" style:data-style-name="N2"><style:table-cell-properties/></style:style>`) {
			t.Error("the fixed cell's style is not its own without the fill")
		}
		if n := strings.Count(c2, `table:name="Prüfergebnis"`); n != 1 {
			t.Errorf("%d result sheets", n)
		}
		if got, want := readAll(t, out2, "Prüfergebnis"), readAll(t, src, ""); !reflect.DeepEqual(got, want) {
			t.Error("the second round reads differently from the original")
		}
	})
}

func TestAnODSThatCannotBeMarkedGetsTheListAsXLSXAndAFinding(t *testing.T) {
	// A content.xml without the namespaces the marks are written in: the
	// reader reads it, the rewrite refuses it.
	src := goODS(t, `<table:table-row><table:table-cell office:value-type="string"><text:p>Kopf</text:p></table:table-cell></table:table-row>`)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	content := strings.Replace(contentOf(t, data), `xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"`, "", 1)
	bad := filepath.Join(t.TempDir(), "bad.ods")
	rezip(t, src, bad, "content.xml", []byte(content))
	var buf bytes.Buffer
	res, err := feedback.Write(&buf, bad, []feedback.Finding{{Rule: "AMOUNT", Severity: "error", Sheet: "S", Cell: "A1", Message: "x"}}, catalogue(t), options())
	if err != nil {
		t.Fatal(err)
	}
	if res.ODS || res.Marked || res.Failure == nil {
		t.Fatalf("Write = %+v, want the list with a failure", res)
	}
	f := open(t, buf.Bytes())
	if s := f.GetSheetList(); len(s) != 1 || s[0] != "Prüfergebnis" {
		t.Errorf("sheets %q, want the result sheet alone", s)
	}
}

func TestTheFeedbackOfAnODSIsNamedFeedbackODS(t *testing.T) {
	got := feedback.ODSPath(filepath.Join("reports", "feedback", "15090", "2026-Q1", "3f2a_Meldung"+feedback.Suffix))
	if want := filepath.Join("reports", "feedback", "15090", "2026-Q1", "3f2a_Meldung.feedback.ods"); got != want {
		t.Errorf("ODSPath = %q, want %q", got, want)
	}
}

func TestAMarkPastTheLastRowGetsRowsUpToIt(t *testing.T) {
	src := goODSOf(t, `<table:table-row><table:table-cell office:value-type="string"><text:p>Kopf</text:p></table:table-cell></table:table-row>`)
	fs := []feedback.Finding{
		{Rule: "RECEIPT", Severity: "warning", Sheet: "S", Cell: "C10", Message: "Belegnummer fehlt."},
		{Rule: "AMOUNT", Severity: "error", Sheet: "S", Cell: "D1", Message: "Betrag fehlt."},
	}
	out, data := writeODS(t, src, fs)
	c := contentOf(t, data)
	for _, want := range []string{
		`<text:p>Kopf</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:style-name="grantpipe_error"><office:annotation>`,
		`<table:table-row table:number-rows-repeated="8"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:style-name="grantpipe_warning"><office:annotation>`,
	} {
		if !strings.Contains(c, want) {
			t.Errorf("content.xml lacks %s", want)
		}
	}
	if got, want := readAll(t, out, "Prüfergebnis"), readAll(t, src, ""); !reflect.DeepEqual(got, want) {
		t.Error("the feedback .ods reads differently from the original")
	}
}

func TestFiveThousandFindingsInAnODSAreMarkedQuickly(t *testing.T) {
	var rows strings.Builder
	for i := 0; i < 1000; i++ {
		rows.WriteString(`<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="20"><text:p>1</text:p></table:table-cell></table:table-row>`)
	}
	src := goODS(t, rows.String())
	var fs []feedback.Finding
	for i := 0; i < 5000; i++ {
		fs = append(fs, feedback.Finding{Rule: "AMOUNT", Severity: "error", Sheet: "S", Cell: fmt.Sprintf("%c%d", 'A'+i%20, 1+i/5), Message: "Betrag unklar."})
	}
	start := time.Now()
	_, data := writeODS(t, src, fs)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	c := contentOf(t, data)
	if n := strings.Count(c, "<office:annotation>"); n != 5001 { // and the result sheet's
		t.Errorf("%d annotations, want 5001", n)
	}
	if n := strings.Count(c, "<style:style "); n > 5 {
		t.Errorf("%d styles added, want a few", n)
	}
}

// TestTheDistrictsOwnAnnotationIsKept: a cell holds one annotation, so a
// marked cell that has the district's keeps it and is only highlighted
// (the result sheet lists the finding); both rounds leave it as it was.
func TestTheDistrictsOwnAnnotationIsKept(t *testing.T) {
	own := `<office:annotation><text:p>Rückfrage Kämmerei</text:p></office:annotation>`
	src := goODS(t, `<table:table-row><table:table-cell office:value-type="string">`+own+`<text:p>Kopf</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="string">`+own+`<text:p>Wert</text:p></table:table-cell></table:table-row>`)
	fs := []feedback.Finding{{Rule: "AMOUNT", Severity: "error", Sheet: "S", Cell: "B1", Message: "Betrag unklar."}}
	out, data := writeODS(t, src, fs)
	c := contentOf(t, data)
	if n := strings.Count(c, own); n != 2 {
		t.Errorf("%d of the district's 2 annotations kept", n)
	}
	if !strings.Contains(c, `<table:table-cell office:value-type="string" table:style-name="grantpipe_error">`+own) {
		t.Error("the marked cell with the district's annotation is not highlighted")
	}
	_, data2 := writeODS(t, out, nil)
	if n := strings.Count(contentOf(t, data2), own); n != 2 {
		t.Errorf("second round: %d of the district's 2 annotations kept", n)
	}
}
