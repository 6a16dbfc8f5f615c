package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// demoReports runs the main job on the demo once per test binary and
// returns its data directory.
var demoDir string

func demoReports(t *testing.T) string {
	t.Helper()
	if demoDir != "" {
		return demoDir
	}
	dir, err := os.MkdirTemp("", "grantpipe-reports-*")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "run", "--demo", "--data", dir); code != 0 {
		t.Fatalf("run --demo: %s", errOut)
	}
	demoDir = dir
	return dir
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (Debian package poppler-utils) is needed to read the PDF reports; .ci/run installs it")
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return strings.ReplaceAll(string(out), "\u00a0", " ")
}

type grantJSON struct {
	District string `json:"district"`
	Eligible string `json:"eligible_eur"`
	Grant    string `json:"grant_eur"`
	Paid     string `json:"paid_eur"`
	Balance  string `json:"balance_eur"`
	Interest string `json:"interest_eur"`
}

func demoGrants(t *testing.T, dir string) []grantJSON {
	t.Helper()
	code, out, errOut := run(t, "validate", "--data", dir, "--json", "--as-of", demo.AsOf.Format("2006-01-02"))
	if code != 0 {
		t.Fatalf("validate: %s", errOut)
	}
	var res struct{ Grants []grantJSON }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Grants) != 14 {
		t.Fatalf("%d grants", len(res.Grants))
	}
	return res.Grants
}

func cents(t *testing.T, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// overviewValue finds the row labelled label on a workbook's first sheet and
// returns its value as stored (numbers raw).
func overviewValue(t *testing.T, f *excelize.File, label string) string {
	t.Helper()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) >= 2 && r[0] == label {
			return r[1]
		}
	}
	t.Fatalf("no row %q on sheet %s", label, sheet)
	return ""
}

func rawCents(t *testing.T, raw string) money.Cents {
	t.Helper()
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("%q is not a number", raw)
	}
	s := strconv.FormatFloat(f, 'f', 2, 64)
	return cents(t, s)
}

// TestReportsShowTheFiguresOfTheGrantComputation reads every annual district
// report (PDF text and workbook) and the state report, and compares them
// with validate --json.
func TestReportsShowTheFiguresOfTheGrantComputation(t *testing.T) {
	dir := demoReports(t)
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	label := func(key string) string { return cat.Text("de", "excel.label."+key, nil) }
	reports := filepath.Join(dir, "reports", "2026")
	var state money.Cents
	for _, g := range demoGrants(t, dir) {
		pdfs, _ := filepath.Glob(filepath.Join(reports, g.District+"_*_2026.pdf"))
		if len(pdfs) != 1 {
			t.Fatalf("%s: annual PDF %v", g.District, pdfs)
		}
		text := pdfText(t, pdfs[0])
		for _, v := range []string{g.Eligible, g.Grant, g.Paid, g.Interest} {
			if want := cents(t, v).Format("de"); !strings.Contains(text, want) {
				t.Errorf("%s: the PDF does not show %s", filepath.Base(pdfs[0]), want)
			}
		}
		f, err := excelize.OpenFile(strings.TrimSuffix(pdfs[0], ".pdf") + ".xlsx")
		if err != nil {
			t.Fatal(err)
		}
		for key, v := range map[string]string{"eligible": g.Eligible, "grant": g.Grant, "paid": g.Paid, "balance": g.Balance, "interest": g.Interest} {
			if got := rawCents(t, overviewValue(t, f, label(key))); got != cents(t, v) {
				t.Errorf("%s: workbook %s = %s, the grant computation says %s", g.District, key, got, v)
			}
		}
		f.Close()
		state += cents(t, g.Grant)
	}
	f, err := excelize.OpenFile(filepath.Join(reports, "Sachsen-Anhalt_2026.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := rawCents(t, overviewValue(t, f, label("grant"))); got != state {
		t.Errorf("state workbook grant %s, districts add up to %s", got, state)
	}
	if text := pdfText(t, filepath.Join(reports, "Sachsen-Anhalt_2026.pdf")); !strings.Contains(text, state.Format("de")) {
		t.Errorf("the state PDF does not show the state's grant amount %s", state.Format("de"))
	}
}

func TestPDFReportsSpellUmlautsAndTheEuroSign(t *testing.T) {
	dir := demoReports(t)
	text := pdfText(t, filepath.Join(dir, "reports", "2026-Q2", "Sachsen-Anhalt_2026-Q2.pdf"))
	for _, want := range []string{"Börde", "Mansfeld-Südharz", "Dessau-Roßlau", "1.540.000,00 €", "Landesübersicht – 2. Quartal 2026", "Seite 1 von"} {
		if !strings.Contains(text, want) {
			t.Errorf("the state PDF lacks %q", want)
		}
	}
	text = pdfText(t, filepath.Join(dir, "reports", "2026", "15087_Mansfeld-Suedharz_2026.pdf"))
	for _, want := range []string{"Jahresbericht Mansfeld-Südharz", "„15.05.26“", "Zwischensumme", "Übersetzung"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Mansfeld-Südharz PDF lacks %q", want)
		}
	}
}

// TestReportsAreByteIdentical: the same data gives the same bytes.
func TestReportsAreByteIdentical(t *testing.T) {
	a := demoReports(t)
	b := t.TempDir()
	if code, _, errOut := run(t, "run", "--demo", "--data", b); code != 0 {
		t.Fatalf("run --demo: %s", errOut)
	}
	files, _ := filepath.Glob(filepath.Join(a, "reports", "*", "*.*"))
	feedbacks, _ := filepath.Glob(filepath.Join(a, "reports", "feedback", "*", "*", "*"))
	files = append(files, feedbacks...)
	if len(files) != 4*30+42 {
		t.Errorf("%d report files, want 162 (4 periods × (14 districts + state) × PDF and xlsx, and 42 feedback workbooks)", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(a, f)
		x, _ := os.ReadFile(f)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs over the same data", rel)
		}
	}
}

// TestSubmittedTextThatLooksLikeAFormulaStaysText: the demo's payee
// "=Hotel Fürstenhof …" in every workbook that shows it.
func TestSubmittedTextThatLooksLikeAFormulaStaysText(t *testing.T) {
	dir := demoReports(t)
	found := 0
	for _, path := range []string{"2026-Q2/15082_Anhalt-Bitterfeld_2026-Q2.xlsx", "2026/15082_Anhalt-Bitterfeld_2026.xlsx"} {
		f, err := excelize.OpenFile(filepath.Join(dir, "reports", path))
		if err != nil {
			t.Fatal(err)
		}
		for _, sheet := range f.GetSheetList() {
			rows, _ := f.GetRows(sheet)
			for r, row := range rows {
				for c, v := range row {
					if !strings.HasPrefix(v, "=Hotel") {
						continue
					}
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
						t.Errorf("%s %s!%s became a formula: %s", path, sheet, cell, formula)
					}
					found++
				}
			}
		}
		f.Close()
	}
	if found < 2 {
		t.Errorf("the payee =Hotel… was found %d times, want it in both workbooks", found)
	}
}

// TestFeedbackMarksThePlantedCells: the district's own workbook comes back
// with a comment at each cell that has a finding, and nowhere else.
func TestFeedbackMarksThePlantedCells(t *testing.T) {
	dir := demoReports(t)
	files, _ := filepath.Glob(filepath.Join(dir, "reports", "feedback", "*", "*", "*.feedback.xlsx"))
	if len(files) != 42 {
		t.Fatalf("%d feedback workbooks, want one per demo submission (42)", len(files))
	}
	cases := map[string][]string{
		"Quartalsmeldung_2026-Q1_15083_Boerde":         {"Belegliste!G10"},
		"Quartalsmeldung_2026-Q2_15089_Salzlandkreis":  {"Belegliste!H19"},
		"Quartalsmeldung_2026-Q1_15001_Dessau-Rosslau": nil,
	}
	for name, want := range cases {
		// One workbook per submission, beside its district and quarter,
		// named after its stored file (sha256 prefix and name).
		matches, _ := filepath.Glob(filepath.Join(dir, "reports", "feedback", "*", "*", "*_"+name+".feedback.xlsx"))
		if len(matches) != 1 {
			t.Fatalf("%s: feedback workbooks %v, want one", name, matches)
		}
		f, err := excelize.OpenFile(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		if first := f.GetSheetList()[0]; first != "Prüfergebnis" {
			t.Errorf("%s: first sheet %q, want Prüfergebnis", name, first)
		}
		var got []string
		for _, sheet := range f.GetSheetList() {
			comments, _ := f.GetComments(sheet)
			for _, c := range comments {
				got = append(got, sheet+"!"+c.Cell)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: comments at %v, want %v", name, got, want)
		}
		f.Close()
	}
}
