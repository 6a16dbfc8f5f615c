package feedback_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/feedback"
)

// officeSuite converts the workbook at src with LibreOffice, through each
// format of via in turn ("ods", "xlsx"), each time with a private profile,
// and returns the path of the last file: what a district gets when it opens
// the file in LibreOffice and saves it. The test is skipped when soffice is
// not on PATH.
func officeSuite(t *testing.T, src string, via ...string) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not on PATH: the round trip through a real office suite is not tested")
	}
	for i, format := range via {
		out := filepath.Join(t.TempDir(), fmt.Sprint("step", i))
		profile := "file://" + filepath.ToSlash(t.TempDir())
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation="+profile, "--convert-to", format, "--outdir", out, src)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice --convert-to %s %s: %v\n%s", format, src, err, b)
		}
		name := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src)) + "." + format
		src = filepath.Join(out, name)
		if _, err := os.Stat(src); err != nil {
			t.Fatalf("soffice --convert-to %s made no %s: %v", format, name, err)
		}
	}
	return src
}

// likeLibreOffice rewrites a workbook's comments the way LibreOffice saves
// them, without LibreOffice: every author a blank, and the line break after
// the first line moved into the first run.
func likeLibreOffice(t *testing.T, data []byte) []byte {
	t.Helper()
	authors := regexp.MustCompile(`<author>[^<]*</author>`)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(e.Name, "xl/comments") {
			b = authors.ReplaceAll(b, []byte("<author> </author>"))
			b = bytes.ReplaceAll(b, []byte(feedback.Author+":</t>"), []byte(feedback.Author+":&#10;</t>"))
			b = bytes.ReplaceAll(b, []byte(`<t xml:space="preserve">&#xA;`), []byte(`<t xml:space="preserve">`))
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ownFill reports whether a cell has one of grantpipe's highlight fills,
// read from the style sheet: excelize's GetStyle shows no fill colour in a
// workbook without a theme, as LibreOffice saves them.
func ownFill(t *testing.T, f *excelize.File, sheet, cell string) bool {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetStyle(id); err != nil {
		t.Fatal(err)
	}
	fill := f.Styles.CellXfs.Xf[id].FillID
	if fill == nil {
		return false
	}
	pf := f.Styles.Fills.Fill[*fill].PatternFill
	if pf == nil || pf.PatternType != "solid" || pf.FgColor == nil {
		return false
	}
	c := strings.ToUpper(pf.FgColor.RGB)
	if len(c) == 8 {
		c = c[2:]
	}
	for _, want := range wantColor {
		if c == want {
			return true
		}
	}
	return false
}

// TestMarksOfAnEarlierRoundGoAfterAnOfficeSuiteSavedTheFile: the district
// opens its feedback workbook, saves it (in Excel, which keeps a comment's
// author, or in LibreOffice, which saves every author as a blank and
// regroups the text's runs), fixes cells and sends it back. The new
// feedback has no highlight and no comment of grantpipe's at the fixed
// cells, the district's own comment that shared a cell with a finding is
// back, its other comments stay, and the earlier result sheet is gone.
func TestMarksOfAnEarlierRoundGoAfterAnOfficeSuiteSavedTheFile(t *testing.T) {
	cases := []struct {
		name string
		save func(t *testing.T, path string) string
	}{
		{"saved as Excel does (excelize)", func(t *testing.T, path string) string { return path }},
		{"authors blank as LibreOffice saves them (simulated)", func(t *testing.T, path string) string {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "saved.xlsx")
			if err := os.WriteFile(out, likeLibreOffice(t, data), 0o644); err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"saved by LibreOffice as xlsx", func(t *testing.T, path string) string { return officeSuite(t, path, "xlsx") }},
		{"saved by LibreOffice as ods, then as xlsx", func(t *testing.T, path string) string { return officeSuite(t, path, "ods", "xlsx") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := original(t, dir)
			first := filepath.Join(dir, "15083_2026_Q1.feedback.xlsx")
			if err := os.WriteFile(first, write(t, src, findings, options()), 0o644); err != nil {
				t.Fatal(err)
			}
			saved := c.save(t, first)
			// Everything fixed but E3; one new problem at G4.
			second := []feedback.Finding{
				{Rule: "PAYEE", Severity: "warning", Sheet: "Belegliste", Cell: "E3", Message: "Empfänger immer noch unklar."},
				{Rule: "AMOUNT", Severity: "error", Sheet: "Belegliste", Cell: "G4", Message: "Betrag fehlt."},
			}
			out := open(t, write(t, saved, second, options()))

			if got, want := out.GetSheetList(), []string{"Prüfergebnis", "Meldung", "Belegliste", "Aktivitäten", "Meine Notizen"}; strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("sheets %q, want %q", got, want)
			}
			for _, p := range []struct{ sheet, cell string }{
				{"Belegliste", "G3"}, {"Belegliste", "C4"}, {"Belegliste", "B2"}, {"Belegliste", "H9"},
				{"Aktivitäten", "B3"}, {"Meine Notizen", "C5"}, {"Meine Notizen", "A2"},
			} {
				if ownFill(t, out, p.sheet, p.cell) {
					t.Errorf("fixed cell %s!%s is still highlighted", p.sheet, p.cell)
				}
			}
			for _, p := range []struct{ sheet, cell string }{{"Belegliste", "E3"}, {"Belegliste", "G4"}} {
				if !ownFill(t, out, p.sheet, p.cell) {
					t.Errorf("%s!%s has a finding but no highlight", p.sheet, p.cell)
				}
			}
			own := map[string]bool{"Belegliste!E3": true, "Belegliste!G4": true}
			district := map[string]string{"Meine Notizen!A1": "Notiz für uns", "Meine Notizen!A2": "Herr M. fragen"}
			for _, sheet := range out.GetSheetList()[1:] {
				for cell, cm := range commentsByCell(t, out, sheet) {
					ref, text := sheet+"!"+cell, commentText(cm)
					ours := strings.HasPrefix(text, feedback.Author+":")
					switch {
					case own[ref] && !ours:
						t.Errorf("%s has a finding but the comment %q", ref, text)
					case own[ref]:
						delete(own, ref)
					case ours || strings.Contains(text, "Ihr Kommentar"):
						t.Errorf("%s keeps grantpipe's comment of the earlier round: %q", ref, text)
					case district[ref] == "":
						t.Errorf("%s has a comment nobody wrote: %q", ref, text)
					case !strings.Contains(text, district[ref]):
						t.Errorf("%s: the district's comment reads %q, want %q", ref, text, district[ref])
					default:
						delete(district, ref)
					}
				}
			}
			for ref := range own {
				t.Errorf("%s has a finding but no comment", ref)
			}
			for ref, text := range district {
				t.Errorf("%s: the district's comment %q is gone", ref, text)
			}
			if _, rows := findingRows(t, out, "Prüfergebnis", "Schwere"); len(rows) != len(second) {
				t.Errorf("%d findings listed, want %d", len(rows), len(second))
			}
		})
	}
}

// renamed returns the workbook data with the part from renamed to to, and
// every relationship and content type that names it changed with it.
func renamed(t *testing.T, data []byte, from, to string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		r, _ := e.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		name := e.Name
		if name == from {
			name = to
		}
		if strings.HasSuffix(name, ".rels") || name == "[Content_Types].xml" {
			b = bytes.ReplaceAll(b, []byte(filepath.Base(from)+`"`), []byte(filepath.Base(to)+`"`))
		}
		w, _ := zw.Create(name)
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNewCommentsGoToTheirOwnSheetWhateverTheNumberingOfTheParts: a
// workbook saved by LibreOffice numbers a sheet's comments part after the
// sheet's place and its drawing in sequence, so that numbers leave gaps and
// do not pair up (comments3.xml beside vmlDrawing1.vml). Comments added to a
// sheet that had none, and to one that had some, land on their own sheets,
// and the district's comments on other sheets stay where they are.
func TestNewCommentsGoToTheirOwnSheetWhateverTheNumberingOfTheParts(t *testing.T) {
	withNotes := func(t *testing.T, dir string) string {
		f := openFile(t, original(t, dir))
		if err := f.AddComment("Aktivitäten", excelize.Comment{Cell: "C2", Author: "Kreis Börde", Text: "Titel prüfen"}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "notes.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := []struct {
		name string
		save func(t *testing.T, path string) string
	}{
		// excelize names the notes sheet's parts comments1 and the
		// activities' comments2, each beside the drawing of its number.
		{"numbered with gaps (simulated)", func(t *testing.T, path string) string {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data = renamed(t, data, "xl/comments2.xml", "xl/comments3.xml")
			data = renamed(t, data, "xl/comments1.xml", "xl/comments4.xml")
			data = renamed(t, data, "xl/drawings/vmlDrawing1.vml", "xl/drawings/vmlDrawing5.vml")
			out := filepath.Join(t.TempDir(), "gaps.xlsx")
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"saved by LibreOffice", func(t *testing.T, path string) string { return officeSuite(t, path, "xlsx") }},
	}
	fs := []feedback.Finding{
		{Rule: "DISTRICT", Severity: "error", Sheet: "Meldung", Cell: "B1", Message: "Kreisschlüssel prüfen."},
		{Rule: "NOTES", Severity: "info", Sheet: "Meine Notizen", Cell: "B1", Message: "Notiz gelesen."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.save(t, withNotes(t, t.TempDir()))
			out := open(t, write(t, src, fs, options()))
			want := map[string]string{
				"Meldung!B1":       "Kreisschlüssel prüfen.",
				"Meine Notizen!B1": "Notiz gelesen.",
				"Meine Notizen!A1": "Notiz für uns",
				"Meine Notizen!A2": "Herr M. fragen",
				"Aktivitäten!C2":   "Titel prüfen",
			}
			got := map[string]string{}
			for _, sheet := range out.GetSheetList() {
				for cell, cm := range commentsByCell(t, out, sheet) {
					got[sheet+"!"+cell] = commentText(cm)
				}
			}
			for ref, text := range want {
				if !strings.Contains(got[ref], text) {
					t.Errorf("%s: comment %q, want one with %q", ref, got[ref], text)
				}
				delete(got, ref)
			}
			for ref, text := range got {
				t.Errorf("%s: a comment where there was none: %q", ref, text)
			}
			if !ownFill(t, out, "Meldung", "B1") {
				t.Error("Meldung!B1 is not highlighted")
			}
		})
	}
}
