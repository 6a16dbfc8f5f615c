package feedback_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/feedback"
	"grantpipe/queries"
)

// ministryFindings are what the ministry's check says about a district's
// money, among the district's own findings.
var ministryFindings = []feedback.Finding{
	{Rule: "RECEIPT_MISSING", Severity: "error", Sheet: "Belegliste", Cell: "G3", Message: "Beleg ohne Belegnummer."},
	{Rule: "FUNDING_RATE", Severity: "error", Message: "Ausgezahlt wurden 110.000,00 € bei zuwendungsfähigen Ausgaben von 90.000,00 €."},
	{Rule: "LINE_DEVIATION", Severity: "warning", Sheet: "Belegliste", Cell: "G4", Message: "Reisekosten 130 % des Plans."},
	{Rule: "PAYMENT_OUTSIDE_QUARTER", Severity: "warning", Sheet: "Belegliste", Cell: "D5", Message: "Gezahlt im zweiten Quartal."},
	{Rule: "LATE_SUBMISSION", Severity: "info", Message: "Eingegangen nach der Frist."},
}

// sheetRows returns the rows of the result sheet, each padded to five
// columns.
func sheetRows(t *testing.T, f *excelize.File) [][]string {
	t.Helper()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		rows[i] = append(r, "", "", "", "", "")[:5]
	}
	return rows
}

// TestTheMinistrysFindingsAreShownApartForInformation: findings about the
// programme's money are listed in a section of their own under its
// heading, are not highlighted or commented in the workbook, and are not
// counted with what the district has to correct.
func TestTheMinistrysFindingsAreShownApartForInformation(t *testing.T) {
	src := original(t, t.TempDir())
	out := open(t, write(t, src, ministryFindings, options()))
	rows := sheetRows(t, out)
	heading := "Hinweise aus der Prüfung des Ministeriums (zur Information, nicht in dieser Datei zu beheben)"
	own, apart := -1, -1
	for i, r := range rows {
		switch r[0] {
		case "In dieser Datei zu beheben":
			own = i
		case heading:
			apart = i
		}
	}
	if own < 0 || apart < own {
		t.Fatalf("want the district's section, then the ministry's (%q); rows:\n%v", heading, rows)
	}
	var got [][]string
	for _, r := range rows[own+2 : apart] {
		if r[0] != "" {
			got = append(got, []string{r[4], r[2]})
		}
	}
	want := [][]string{{"RECEIPT_MISSING", "Belegliste!G3"}, {"PAYMENT_OUTSIDE_QUARTER", "Belegliste!D5"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the district's findings (-want +got):\n%s", diff)
	}
	got = nil
	for _, r := range rows[apart+2:] {
		got = append(got, []string{r[4], r[2]})
	}
	want = [][]string{{"FUNDING_RATE", "ganze Datei"}, {"LINE_DEVIATION", "Belegliste!G4"}, {"LATE_SUBMISSION", "ganze Datei"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the ministry's findings (-want +got):\n%s", diff)
	}
	header := map[string]string{}
	for _, r := range rows[1:own] {
		header[r[0]] = r[1]
	}
	if header["Zu beheben"] != "1 Fehler, 1 Warnung" || header["Zur Information"] != "3 Hinweise aus der Prüfung des Ministeriums" {
		t.Errorf("counts %q and %q, want the district's own (1 Fehler, 1 Warnung) and the ministry's apart", header["Zu beheben"], header["Zur Information"])
	}
	// Only the district's cells are marked; the ministry's cell is linked.
	comments := commentsByCell(t, out, "Belegliste")
	for _, cell := range []string{"G3", "D5"} {
		if _, ok := comments[cell]; !ok || !ownFill(t, out, "Belegliste", cell) {
			t.Errorf("Belegliste!%s has the district's finding but is not marked", cell)
		}
	}
	if _, ok := comments["G4"]; ok || ownFill(t, out, "Belegliste", "G4") {
		t.Error("Belegliste!G4, the ministry's finding, is marked as something to correct")
	}
	for i, r := range rows {
		if r[4] != "LINE_DEVIATION" {
			continue
		}
		ok, target, _ := out.GetCellHyperLink(out.GetSheetName(0), fmt.Sprintf("C%d", i+1))
		if !ok || target != "'Belegliste'!G4" {
			t.Errorf("the ministry's finding links to %v %q, want its cell", ok, target)
		}
		if s := styleAt(t, out, out.GetSheetName(0), fmt.Sprintf("A%d", i+1)); s.Fill.Pattern != 0 || len(s.Fill.Color) > 0 {
			t.Errorf("the ministry's finding is coloured as a severity: %+v", s.Fill)
		}
	}
}

// TestTheMinistrysRulesAreThoseFundingRulesNames: the rules whose findings
// are the ministry's are those FUNDING_RULES.md lists, and no other: a rule
// the table does not know, an analyst's own, is the district's.
func TestTheMinistrysRulesAreThoseFundingRulesNames(t *testing.T) {
	ministry := "LINE_DEVIATION PLAN_TOTAL DISTRICT_CAP STATE_CAP FUNDING_RATE UNSPENT_PAYOUT UNDERSPENDING INCOME_REDUCES_GRANT MISSING_SUBMISSION LATE_SUBMISSION"
	for _, id := range append(ruleIDs(t), "INCOME_REDUCES_GRANT", "MY_OWN_RULE") {
		want := feedback.District
		if strings.Contains(" "+ministry+" ", " "+id+" ") {
			want = feedback.Ministry
		}
		if got := feedback.AudienceOf(id); got != want {
			t.Errorf("%s: audience %q, want %q", id, got, want)
		}
	}
}

// ruleIDs are the ids of the built-in rules (queries/rules), the reading
// rules and FEEDBACK.
func ruleIDs(t *testing.T) []string {
	t.Helper()
	ids := []string{"FORMAT", "PERIOD", "DISTRICT_UNKNOWN", feedback.Rule}
	files, err := fs.Glob(queries.FS, "rules/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	idLine := regexp.MustCompile(`(?m)^--\s*id:\s*(\S+)`)
	for _, f := range files {
		b, err := fs.ReadFile(queries.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		m := idLine.FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s has no id", f)
		}
		ids = append(ids, string(m[1]))
	}
	if len(ids) < 20 {
		t.Fatalf("only %d rule ids", len(ids))
	}
	return ids
}

// TestEveryRuleHasATitleForAClerk: every built-in rule id has a title in
// German and English, which the result sheet shows beside the id.
func TestEveryRuleHasATitleForAClerk(t *testing.T) {
	cat := catalogue(t)
	for _, id := range ruleIDs(t) {
		key := "rule." + id + ".title"
		if !cat.Has(key) {
			t.Errorf("%s has no title (%s)", id, key)
			continue
		}
		for _, lang := range []string{"de", "en"} {
			if title := cat.Text(lang, key, nil); title == id || strings.Contains(title, "_") {
				t.Errorf("%s: the %s title %q is no words for a clerk", id, lang, title)
			}
		}
	}
	src := original(t, t.TempDir())
	fs := []feedback.Finding{{Rule: "RECEIPT_MISSING", Severity: "error", Sheet: "Belegliste", Cell: "G3", Message: "Beleg ohne Belegnummer."}}
	out := open(t, write(t, src, fs, options()))
	_, rows := findingRows(t, out, "Prüfergebnis", "Schwere")
	if got := append(rows[0], "", "")[:5]; got[1] != "Belegnummer fehlt" || got[4] != "RECEIPT_MISSING" {
		t.Errorf("row %q, want the title „Belegnummer fehlt“ and the id", got)
	}
	comment := commentText(commentsByCell(t, out, "Belegliste")["G3"])
	if !strings.Contains(comment, "Fehler – Belegnummer fehlt: Beleg ohne Belegnummer.") {
		t.Errorf("the comment %q does not name the finding", comment)
	}
}

// TestCountsTakeThePluralOfTheirNumber: "1 error", "2 errors", "1 Warnung",
// "2 Warnungen" …, the severities without findings left out.
func TestCountsTakeThePluralOfTheirNumber(t *testing.T) {
	src := original(t, t.TempDir())
	finding := func(sev string) feedback.Finding {
		return feedback.Finding{Rule: "X", Severity: fsev(sev), Message: "m"}
	}
	cases := []struct {
		lang     string
		findings []feedback.Finding
		want     string
	}{
		{"en", []feedback.Finding{finding("error")}, "1 error"},
		{"en", []feedback.Finding{finding("error"), finding("error"), finding("warning"), finding("info")}, "2 errors, 1 warning, 1 note"},
		{"en", []feedback.Finding{finding("warning"), finding("warning"), finding("info"), finding("info")}, "2 warnings, 2 notes"},
		{"en", nil, "nothing – no findings"},
		{"de", []feedback.Finding{finding("error")}, "1 Fehler"},
		{"de", []feedback.Finding{finding("error"), finding("warning"), finding("info")}, "1 Fehler, 1 Warnung, 1 Hinweis"},
		{"de", []feedback.Finding{finding("error"), finding("error"), finding("warning"), finding("warning"), finding("info"), finding("info")}, "2 Fehler, 2 Warnungen, 2 Hinweise"},
	}
	for _, c := range cases {
		t.Run(c.lang+" "+c.want, func(t *testing.T) {
			opt := options()
			opt.Lang = c.lang
			label := map[string]string{"de": "Zu beheben", "en": "To correct"}[c.lang]
			got := ""
			for _, r := range sheetRows(t, open(t, write(t, src, c.findings, opt))) {
				if r[0] == label {
					got = r[1]
				}
			}
			if got != c.want {
				t.Errorf("%s %q, want %q", label, got, c.want)
			}
		})
	}
}

// TestTheResultSheetPrintsOnA4LandscapeAtPageWidth: A4, landscape, one
// page wide and as many long as it takes, the header row of the table on
// every page, the messages wrapped.
func TestTheResultSheetPrintsOnA4LandscapeAtPageWidth(t *testing.T) {
	src := original(t, t.TempDir())
	out := open(t, write(t, src, findings, options()))
	sheet := out.GetSheetName(0)
	layout, err := out.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if layout.Size == nil || *layout.Size != 9 || layout.Orientation == nil || *layout.Orientation != "landscape" ||
		layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
		t.Errorf("page layout %+v, want A4 (9), landscape, 1 page wide, any number long", layout)
	}
	props, err := out.GetSheetProps(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if props.FitToPage == nil || !*props.FitToPage {
		t.Error("the sheet does not fit to the page")
	}
	header, rows := findingRows(t, out, sheet, "Schwere")
	titles := ""
	for _, dn := range out.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			titles = dn.RefersTo
		}
	}
	if want := fmt.Sprintf("'%s'!$%d:$%d", sheet, header, header); titles != want {
		t.Errorf("print titles %q, want %q", titles, want)
	}
	for i := range rows {
		for _, col := range []string{"B", "D"} {
			if s := styleAt(t, out, sheet, fmt.Sprintf("%s%d", col, header+1+i)); s.Alignment == nil || !s.Alignment.WrapText {
				t.Errorf("%s%d does not wrap", col, header+1+i)
			}
		}
	}
}

// TestTheResultSheetPrintedByLibreOfficeIsOnePageWide: printed by
// LibreOffice, a long list of findings takes pages that each show every
// column and the header row.
func TestTheResultSheetPrintedByLibreOfficeIsOnePageWide(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not on PATH")
	}
	dir := t.TempDir()
	// A file that is no workbook: the feedback is the result sheet alone.
	src := filepath.Join(dir, "meldung.csv")
	if err := os.WriteFile(src, []byte("a;b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var many []feedback.Finding
	for i := range 80 {
		many = append(many, feedback.Finding{Rule: "RECEIPT_MISSING", Severity: "error", Sheet: "Belegliste", Cell: fmt.Sprintf("H%d", i+2),
			Message: fmt.Sprintf("Beleg ohne Belegnummer (Reisekosten, %d,00 €); außer bei Personalkosten ist die Belegnummer Pflicht.", i+10)})
	}
	xlsxPath := filepath.Join(dir, "feedback.xlsx")
	if err := os.WriteFile(xlsxPath, write(t, src, many, options()), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := officeSuite(t, xlsxPath, "pdf")
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(text), "\f"), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d page(s) for 80 findings; the test wants the header repeated", len(pages))
	}
	for i, page := range pages {
		for _, col := range []string{"Schwere", "Befund", "Stelle", "Beschreibung", "Regel"} {
			if !strings.Contains(page, col) {
				t.Errorf("page %d of %d lacks the column %q", i+1, len(pages), col)
			}
		}
	}
	if n := strings.Count(string(text), "RECEIPT_MISSING"); n != len(many) {
		t.Errorf("%d of %d findings printed", n, len(many))
	}
}

// TestAFeedbackWorkbookSentBackIsNotNamedFeedbackTwice: the district
// corrects its feedback workbook and sends it; its name already ends in
// ".feedback", which the new feedback's name does not repeat.
func TestAFeedbackWorkbookSentBackIsNotNamedFeedbackTwice(t *testing.T) {
	d := datadir.New("/data")
	cases := map[string]string{
		"archive/15083/2026-Q1/0123456789ab_Meldung.xlsx":                   "15083/2026-Q1/0123456789ab_Meldung.feedback.xlsx",
		"archive/15083/2026-Q1/0123456789ab_Meldung.feedback.xlsx":          "15083/2026-Q1/0123456789ab_Meldung.feedback.xlsx",
		"archive/15083/2026-Q1/0123456789ab_Meldung.Feedback.xlsx":          "15083/2026-Q1/0123456789ab_Meldung.feedback.xlsx",
		"archive/15083/2026-Q1/0123456789ab_Meldung.feedback.feedback.xlsx": "15083/2026-Q1/0123456789ab_Meldung.feedback.xlsx",
		"rejected/15083/Meldung.feedback.csv":                               "rejected/15083/Meldung.feedback.xlsx",
		"rejected/15083/.feedback.xlsx":                                     "rejected/15083/.feedback.feedback.xlsx",
		"rejected/15083/Meldungfeedback.xlsx":                               "rejected/15083/Meldungfeedback.feedback.xlsx",
	}
	for stored, want := range cases {
		got, err := filepath.Rel(filepath.Join(d.Reports(), "feedback"), feedback.Path(d, stored))
		if err != nil || got != filepath.FromSlash(want) {
			t.Errorf("%s: feedback at %s, want %s", stored, got, want)
		}
	}
}

// fsev names a severity in a test table.
func fsev(s string) feedback.Severity { return feedback.Severity(s) }
