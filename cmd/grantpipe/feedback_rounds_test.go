package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
)

// cleanForm is a correct quarterly form of district ags.
func cleanForm(t *testing.T, ags string, quarter int) []byte {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(demo.Year)
	d, ok := y.District(ags)
	if !ok {
		t.Fatalf("no district %s", ags)
	}
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: d, Year: demo.Year, Quarter: quarter}, demo.Minimal(d, quarter), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sendAt puts a file into a district's inbox, received at the given time.
func sendAt(t *testing.T, dataDir, ags, name string, received time.Time, b []byte) {
	t.Helper()
	dir := datadir.New(dataDir).InboxOf(ags)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, received, received); err != nil {
		t.Fatal(err)
	}
}

// resultRows returns the rows of a feedback workbook's result sheet, each
// padded to five columns, and its other sheets.
func resultRows(t *testing.T, path string) (rows [][]string, sheets []string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets = f.GetSheetList()
	rows, err = f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		rows[i] = append(r, "", "", "", "", "")[:5]
	}
	return rows, sheets
}

// header returns the label/value pairs at the top of a result sheet.
func header(rows [][]string) map[string]string {
	out := map[string]string{}
	for _, r := range rows[1:] {
		if r[0] == "" {
			break
		}
		out[r[0]] = r[1]
	}
	return out
}

// listed returns "RULE Place" for every finding of a result sheet's table
// under heading.
func listed(rows [][]string, heading string) []string {
	var out []string
	in := false
	for i, r := range rows {
		switch {
		case r[0] == heading:
			in = true
		case in && i > 0 && rows[i-1][0] == heading:
			// the column header
		case in && r[4] == "":
			return out
		case in:
			out = append(out, r[4]+" "+r[2])
		}
	}
	return out
}

// submissionPaths returns the feedback workbook of each stored submission,
// in order.
func submissionPaths(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	for _, s := range storedFiles(t, dataDir) {
		out = append(out, feedback.Path(datadir.New(dataDir), s.Stored))
	}
	return out
}

const (
	ownSection      = "In dieser Datei zu beheben"
	ministrySection = "Hinweise aus der Prüfung des Ministeriums (zur Information, nicht in dieser Datei zu beheben)"
)

// TestFeedbackOfAReplacedFileSaysByWhichFileAndWhen: a district sends a
// file with an ambiguous amount, then, late, a corrected one. The first
// file's feedback keeps its finding, marked at its cell, and says which
// file replaced it and when (in Berlin time); it does not change when the
// job runs again. The second file's feedback lists the late arrival apart,
// as the ministry's, not as something to correct.
func TestFeedbackOfAReplacedFileSaysByWhichFileAndWhen(t *testing.T) {
	data := t.TempDir()
	sendAt(t, data, "15083", "Meldung.xlsx", time.Date(demo.Year, 4, 5, 10, 0, 0, 0, time.UTC), feedbackForm(t, "15083", 1, 2))
	mainJob(t, data)
	sendAt(t, data, "15083", "Meldung_korrigiert.xlsx", time.Date(demo.Year, 5, 4, 9, 30, 0, 0, time.UTC), cleanForm(t, "15083", 1))
	mainJob(t, data)

	paths := submissionPaths(t, data)
	if len(paths) != 2 {
		t.Fatalf("%d submissions, want 2", len(paths))
	}
	rows, _ := resultRows(t, paths[0])
	h := header(rows)
	if got, want := h["Ergebnis"], "angenommen, inzwischen durch eine spätere Datei ersetzt"; got != want {
		t.Errorf("Ergebnis %q, want %q", got, want)
	}
	if got, want := h["Ersetzt durch"], "„Meldung_korrigiert.xlsx“, eingegangen am 04.05.2026, 11:30 Uhr"; got != want {
		t.Errorf("Ersetzt durch %q, want %q", got, want)
	}
	if got, want := h["Zu beheben"], "1 Fehler"; got != want {
		t.Errorf("Zu beheben %q, want %q", got, want)
	}
	if got := listed(rows, ownSection); strings.Join(got, ",") != "FORMAT Belegliste!G4" {
		t.Errorf("the replaced file lists %q, want its ambiguous amount at Belegliste!G4", got)
	}
	if got := commentCells(t, paths[0]); strings.Join(got, ",") != "Belegliste!G4" {
		t.Errorf("the replaced file's comments are at %v, want Belegliste!G4", got)
	}

	rows, _ = resultRows(t, paths[1])
	h = header(rows)
	if got := listed(rows, ownSection); strings.Contains(strings.Join(got, ","), "FORMAT") || strings.Contains(strings.Join(got, ","), "LATE_SUBMISSION") {
		t.Errorf("the corrected file lists %q to correct", got)
	}
	ministry := listed(rows, ministrySection)
	if !strings.Contains(strings.Join(ministry, ","), "LATE_SUBMISSION ganze Datei") {
		t.Errorf("the ministry's section lists %q, want the late arrival among them", ministry)
	}
	want := strconv.Itoa(len(ministry)) + " Hinweise aus der Prüfung des Ministeriums"
	if len(ministry) == 1 {
		want = "1 Hinweis aus der Prüfung des Ministeriums"
	}
	if got := h["Zur Information"]; got != want {
		t.Errorf("Zur Information %q, want %q", got, want)
	}
	if got := commentCells(t, paths[1]); len(got) != 0 {
		t.Errorf("the corrected file has comments at %v", got)
	}

	before, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	mainJob(t, data)
	after, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the replaced file's feedback changed when the job ran again")
	}
}

// withDistrictComments returns the form b with two comments of the
// district's: one on the contact's label and one on the receipt amount
// of row r.
func withDistrictComments(t *testing.T, b []byte, r int) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []excelize.Comment{
		{Cell: "A1", Author: "Landkreis Börde", Text: "Stand mit der Kämmerei abgestimmt"},
		{Cell: "G" + strconv.Itoa(r), Author: "Landkreis Börde", Text: "Betrag aus SAP übernommen"},
	} {
		sheet := "Belegliste"
		if c.Cell == "A1" {
			sheet = "Meldung"
		}
		if err := f.AddComment(sheet, c); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// libreOffice saves the workbook at src as LibreOffice does when a
// district opens it and saves it: to .ods and back to .xlsx, each time with
// a private profile. The test is skipped when soffice is not on PATH.
func libreOffice(t *testing.T, src string) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not on PATH: the round trip through a real office suite is not tested")
	}
	for _, format := range []string{"ods", "xlsx"} {
		out := t.TempDir()
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.ToSlash(t.TempDir()),
			"--convert-to", format, "--outdir", out, src)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice --convert-to %s: %v\n%s", format, err, b)
		}
		src = filepath.Join(out, strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))+"."+format)
	}
	return src
}

// TestFeedbackOfAFileFixedInLibreOfficeHasNoOldMarks is issue 12's item 3
// end to end: the district opens its feedback workbook in LibreOffice
// (which saves every comment's author as a blank), corrects the ambiguous
// amount, saves and sends the workbook back. The new feedback has no mark
// and no comment of grantpipe's at the corrected cell, the district's own
// comments survive (the one that shared the cell with the finding too), the
// earlier result sheet is gone, and its name does not say "feedback" twice.
func TestFeedbackOfAFileFixedInLibreOfficeHasNoOldMarks(t *testing.T) {
	data := t.TempDir()
	sendAt(t, data, "15083", "Meldung.xlsx", time.Date(demo.Year, 4, 5, 10, 0, 0, 0, time.UTC),
		withDistrictComments(t, feedbackForm(t, "15083", 1, 2), 4))
	mainJob(t, data)
	first := submissionPaths(t, data)[0]
	if got := commentCells(t, first); strings.Join(got, ",") != "Belegliste!G4,Meldung!A1" {
		t.Fatalf("first round: comments at %v", got)
	}

	saved := libreOffice(t, first)
	f, err := excelize.OpenFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFloat("Belegliste", "G4", 1234, 2, 64); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// The district sends it back under the name of the feedback workbook.
	sendAt(t, data, "15083", "Meldung.feedback.xlsx", time.Date(demo.Year, 4, 10, 8, 0, 0, 0, time.UTC), buf.Bytes())
	mainJob(t, data)

	subs := storedFiles(t, data)
	if len(subs) != 2 || subs[1].Name != "Meldung.feedback.xlsx" {
		t.Fatalf("submissions %+v, want the corrected Meldung.feedback.xlsx second", subs)
	}
	second := submissionPaths(t, data)[1]
	if strings.Contains(filepath.Base(second), "feedback.feedback") || !strings.HasSuffix(second, "_Meldung.feedback.xlsx") {
		t.Errorf("the corrected file's feedback is %s", filepath.Base(second))
	}
	rows, sheets := resultRows(t, second)
	if got := listed(rows, ownSection); strings.Contains(strings.Join(got, ","), "FORMAT") {
		t.Errorf("the corrected file still lists %q", got)
	}
	if n := strings.Count(strings.Join(sheets, "|"), "Prüfergebnis"); n != 1 {
		t.Errorf("sheets %q: want one result sheet", sheets)
	}
	g, err := excelize.OpenFile(second)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	district := map[string]string{"Meldung!A1": "Stand mit der Kämmerei abgestimmt", "Belegliste!G4": "Betrag aus SAP übernommen"}
	for _, sheet := range sheets[1:] {
		comments, err := g.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comments {
			text := c.Text
			for _, r := range c.Paragraph {
				text += r.Text
			}
			ref := sheet + "!" + c.Cell
			switch {
			case strings.HasPrefix(strings.TrimSpace(text), feedback.Author+":"):
				t.Errorf("%s keeps grantpipe's comment: %q", ref, text)
			case district[ref] == "" || !strings.Contains(text, district[ref]):
				t.Errorf("%s: comment %q, want the district's %q", ref, text, district[ref])
			default:
				delete(district, ref)
			}
		}
	}
	for ref, text := range district {
		t.Errorf("%s: the district's comment %q is gone", ref, text)
	}
	if highlighted(t, g, "Belegliste", "G4") {
		t.Error("the corrected cell Belegliste!G4 is still highlighted")
	}
	if rows, _ := resultRows(t, submissionPaths(t, data)[0]); !strings.HasPrefix(header(rows)["Ersetzt durch"], "„Meldung.feedback.xlsx“") {
		t.Errorf("the first file's feedback does not say it was replaced: %q", header(rows))
	}
}

// highlighted reports whether a cell has one of grantpipe's fills, read
// from the style sheet (excelize's GetStyle shows no colour in a workbook
// without a theme, as LibreOffice saves them).
func highlighted(t *testing.T, f *excelize.File, sheet, cell string) bool {
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
	if pf == nil || pf.FgColor == nil {
		return false
	}
	rgb := strings.ToUpper(pf.FgColor.RGB)
	return strings.HasSuffix(rgb, "FF9999") || strings.HasSuffix(rgb, "FFCC66") || strings.HasSuffix(rgb, "BDD7EE")
}

// TestRejectedFilesWhoseNamesDifferOnlyInTheirEndingGetAFeedbackEach: two
// files rejected in one folder, Meldung.csv and Meldung.feedback.csv, would
// share the name of their feedback workbook (the extension and the
// ".feedback" of a workbook sent back are not repeated); the later one is
// numbered, and each keeps its own.
func TestRejectedFilesWhoseNamesDifferOnlyInTheirEndingGetAFeedbackEach(t *testing.T) {
	data := t.TempDir()
	sendAt(t, data, "15083", "Meldung.csv", time.Date(demo.Year, 4, 5, 10, 0, 0, 0, time.UTC), []byte("Kreisschlüssel;15083\n"))
	sendAt(t, data, "15083", "Meldung.feedback.csv", time.Date(demo.Year, 4, 6, 10, 0, 0, 0, time.UTC), []byte("Kreisschlüssel;15083\n"))
	mainJob(t, data)
	var got []string
	for _, p := range feedbackWorkbooks(t, data) {
		rel, _ := filepath.Rel(filepath.Join(datadir.New(data).Reports(), "feedback"), p)
		rows, _ := resultRows(t, p)
		got = append(got, filepath.ToSlash(rel)+" "+rows[0][0])
	}
	want := []string{
		"rejected/15083/Meldung (2).feedback.xlsx Prüfergebnis für die Datei „Meldung.feedback.csv“",
		"rejected/15083/Meldung.feedback.xlsx Prüfergebnis für die Datei „Meldung.csv“",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("feedback workbooks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	mainJob(t, data)
	if again := feedbackWorkbooks(t, data); len(again) != 2 {
		t.Errorf("after a second run: %v", again)
	}
}
