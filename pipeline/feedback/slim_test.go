package feedback_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/feedback"
)

// writeWhole is write with every sheet given to excelize whole, as before
// sheets were slimmed.
func writeWhole(t *testing.T, src string, fs []feedback.Finding) []byte {
	t.Helper()
	*feedback.SlimSheets = false
	defer func() { *feedback.SlimSheets = true }()
	return write(t, src, fs, options())
}

// cellsOf is every cell of every sheet as a user sees it: value, style
// and comment.
func cellsOf(t *testing.T, f *excelize.File) map[string]string {
	t.Helper()
	cells := map[string]string{}
	for _, sheet := range f.GetSheetList() {
		comments := commentsByCell(t, f, sheet)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r := 1; r <= len(rows)+2; r++ {
			for c := 1; c <= 10; c++ {
				cell, _ := excelize.CoordinatesToCellName(c, r)
				v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				id, err := f.GetCellStyle(sheet, cell)
				if err != nil {
					t.Fatal(err)
				}
				st, _ := f.GetStyle(id)
				style, _ := json.Marshal(st)
				key := sheet + "!" + cell
				if s := fmt.Sprintf("%q %s %q", v, style, commentText(comments[cell])); v != "" || id != 0 || comments[cell].Cell != "" {
					cells[key] = s
				}
			}
		}
	}
	return cells
}

// TestASlimmedSheetComesOutAsAWholeOne: a long sheet with findings in its
// middle, on an empty cell, below its last row, and on a cell with the
// district's comment, looks the same whether excelize got it slimmed or
// whole, and so it does when it comes back for a second round.
func TestASlimmedSheetComesOutAsAWholeOne(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	sheet := "Belegliste"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for r := 1; r <= 300; r++ {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", r), &[]any{r, "Reisekosten", 46100 + r, fmt.Sprintf("Empfänger <%d> & Co", r), 12.5 * float64(r)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellStyle(sheet, "C1", "C300", date); err != nil {
		t.Fatal(err)
	}
	if err := f.SetRowStyle(sheet, 77, 77, bold); err != nil {
		t.Fatal(err)
	}
	if err := f.AddComment(sheet, excelize.Comment{Cell: "D50", Author: "Kreis", Text: "Unsere Notiz"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Notizen"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Notizen", "A1", "frei"); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "long.xlsx")
	if err := f.SaveAs(src); err != nil {
		t.Fatal(err)
	}
	f.Close()

	fs := []feedback.Finding{
		{Rule: "A", Severity: "error", Sheet: sheet, Cell: "E10", Message: "Betrag unklar."},
		{Rule: "B", Severity: "warning", Sheet: sheet, Cell: "D50", Message: "Empfänger unklar."},
		{Rule: "C", Severity: "info", Sheet: sheet, Cell: "c77", Message: "Datum."},
		{Rule: "D", Severity: "error", Sheet: sheet, Cell: "H120", Message: "Leere Zelle."},
		{Rule: "E", Severity: "warning", Sheet: sheet, Cell: "B305", Message: "Unter der letzten Zeile."},
		{Rule: "F", Severity: "info", Sheet: sheet, Cell: "E200", Message: "Für das Ministerium.", Audience: feedback.Ministry},
		{Rule: "G", Severity: "warning", Message: "Verspätet."},
	}
	slim, whole := write(t, src, fs, options()), writeWhole(t, src, fs)
	if diff := cmp.Diff(cellsOf(t, open(t, whole)), cellsOf(t, open(t, slim))); diff != "" {
		t.Fatalf("first round (-whole +slim):\n%s", diff)
	}

	// The second round: marks of the first removed, new ones added.
	again := filepath.Join(dir, "again.xlsx")
	writeFile(t, again, slim)
	fs2 := []feedback.Finding{
		{Rule: "A", Severity: "warning", Sheet: sheet, Cell: "E11", Message: "Betrag unklar."},
		{Rule: "B", Severity: "error", Sheet: sheet, Cell: "D50", Message: "Empfänger fehlt."},
	}
	slim2, whole2 := write(t, again, fs2, options()), writeWhole(t, again, fs2)
	got, want := cellsOf(t, open(t, slim2)), cellsOf(t, open(t, whole2))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("second round (-whole +slim):\n%s", diff)
	}
	if got[sheet+"!E10"] != cellsOf(t, openFile(t, src))[sheet+"!E10"] {
		t.Errorf("the first round's mark at E10 stayed: %s", got[sheet+"!E10"])
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
