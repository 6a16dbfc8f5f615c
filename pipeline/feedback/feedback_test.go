package feedback_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"grantpipe/pipeline/finding"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
)

// The highlight a district sees, per severity: red, amber, light blue.
var wantColor = map[finding.Severity]string{
	feedback.Error:   "FF9999",
	feedback.Warning: "FFCC66",
	feedback.Info:    "BDD7EE",
}

var (
	stamp    = time.Date(2026, 4, 15, 8, 0, 0, 0, time.UTC)
	received = time.Date(2026, 4, 14, 16, 5, 0, 0, time.UTC) // 18:05 in Berlin
)

func catalogue(t testing.TB) *messages.Catalog {
	t.Helper()
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// original writes a district's workbook the way people fill the form: a
// submission sheet, a receipts sheet with a bold and grey header, dates,
// amounts with a number format and a bold payee, activities, and a notes
// sheet of their own with a comment. Print area and auto-filter give the
// receipts sheet local defined names.
func original(t testing.TB, dir string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	style := func(s *excelize.Style) int {
		t.Helper()
		id, err := f.NewStyle(s)
		must(err)
		return id
	}
	must(f.SetSheetName("Sheet1", "Meldung"))
	must(f.SetSheetRow("Meldung", "A1", &[]any{"Kreisschlüssel", "15083"}))
	must(f.SetSheetRow("Meldung", "A2", &[]any{"Haushaltsjahr", 2026}))

	_, err := f.NewSheet("Belegliste")
	must(err)
	must(f.SetSheetRow("Belegliste", "A1", &[]any{"Lfd. Nr.", "Kostenart", "Belegdatum", "Zahlungsdatum", "Empfänger", "Zweck", "Betrag"}))
	must(f.SetCellStyle("Belegliste", "A1", "G1", style(&excelize.Style{
		Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
	})))
	for i := 0; i < 4; i++ {
		r := i + 2
		must(f.SetSheetRow("Belegliste", fmt.Sprintf("A%d", r), &[]any{
			i + 1, "Reisekosten", 46100 + i, 46110 + i, fmt.Sprintf("Empfänger %d", i+1), "Dienstreise", 89.4 + float64(i),
		}))
	}
	date := style(&excelize.Style{NumFmt: 14})
	must(f.SetCellStyle("Belegliste", "C2", "D5", date))
	custom := "#,##0.00 \"€\""
	must(f.SetCellStyle("Belegliste", "G2", "G5", style(&excelize.Style{
		CustomNumFmt: &custom,
		Border:       []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
	})))
	must(f.SetCellStyle("Belegliste", "E3", "E3", style(&excelize.Style{
		Font: &excelize.Font{Bold: true, Family: "Arial", Size: 10, Color: "1F4E79"},
	})))
	must(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "Belegliste!$A$1:$G$5", Scope: "Belegliste"}))
	must(f.AutoFilter("Belegliste", "A1:G5", nil))

	_, err = f.NewSheet("Aktivitäten")
	must(err)
	must(f.SetSheetRow("Aktivitäten", "A1", &[]any{"Datum", "Art", "Titel"}))
	must(f.SetSheetRow("Aktivitäten", "A2", &[]any{46100, "Netzwerktreffen", "Runder Tisch"}))
	must(f.SetSheetRow("Aktivitäten", "A3", &[]any{46101, "Stammtisch", "Treffen"}))

	_, err = f.NewSheet("Meine Notizen")
	must(err)
	must(f.SetCellStr("Meine Notizen", "A1", "Nicht vergessen"))
	must(f.SetCellStr("Meine Notizen", "A2", "Rückfrage Kämmerei"))
	must(f.AddComment("Meine Notizen", excelize.Comment{Cell: "A1", Author: "Kreis Börde", Text: "Notiz für uns"}))
	must(f.AddComment("Meine Notizen", excelize.Comment{Cell: "A2", Author: "Kreis Börde", Text: "Herr M. fragen"}))

	must(f.SetDocProps(&excelize.DocProperties{Creator: "Landkreis Börde", Title: "Quartalsmeldung"}))
	path := filepath.Join(dir, "15083_2026_Q1.xlsx")
	must(f.SaveAs(path))
	return path
}

// findings cover every kind of place: several findings on one cell, an
// empty cell, lower case and "$" in a reference, a cell that already has a
// comment, sheets with a space and an umlaut, a whole sheet, the whole
// file, and sheets that do not exist.
var findings = []feedback.Finding{
	{Rule: "AMOUNT", Severity: "error", Sheet: "Belegliste", Cell: "G3", Message: "„1.234“ ist mehrdeutig."},
	{Rule: "DECIMALS", Severity: "info", Sheet: "Belegliste", Cell: "g3", Message: "Mehr als zwei Nachkommastellen."},
	{Rule: "DATE", Severity: "error", Sheet: "Belegliste", Cell: "C4", Message: "Zweistellige Jahreszahl."},
	{Rule: "PAYEE", Severity: "warning", Sheet: "Belegliste", Cell: "$E$3", Message: "Empfänger unklar."},
	{Rule: "RECEIPT", Severity: "warning", Sheet: "Belegliste", Cell: "H9", Message: "Belegnummer fehlt."},
	{Rule: "ACTIVITY_TYPE", Severity: "warning", Sheet: "Aktivitäten", Cell: "B3", Message: "„Stammtisch“ ist keine Art."},
	{Rule: "NOTES", Severity: "info", Sheet: "Meine Notizen", Cell: "C5", Message: "Dieses Blatt wird nicht gelesen."},
	{Rule: "NOTES", Severity: "error", Sheet: "Meine Notizen", Cell: "A2", Message: "Bitte klären."},
	{Rule: "HEADER", Severity: "info", Sheet: "Aktivitäten", Message: "Kopfzeile gefunden in Zeile 1."},
	{Rule: "SHEET", Severity: "error", Sheet: "Koordinatoren", Message: "Das Blatt „Koordinatoren“ fehlt."},
	{Rule: "GHOST", Severity: "error", Sheet: "Gibt es nicht", Cell: "A1", Message: "Kein solches Blatt."},
	{Rule: "LATE", Severity: "warning", Message: "Verspätet eingereicht."},
	{Rule: "=SUM(1,2)", Severity: "warning", Sheet: "Belegliste", Cell: "B2", Message: `=HYPERLINK("http://example.org","klick")`},
}

func options() feedback.Options {
	berlin, err := time.LoadLocation(programme.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return feedback.Options{Lang: "de", Timestamp: stamp, File: "15083_2026_Q1.xlsx", Received: received, Location: berlin}
}

func write(t testing.TB, src string, fs []feedback.Finding, opt feedback.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := feedback.Write(&buf, src, fs, catalogue(t), opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func openFile(t testing.TB, path string) *excelize.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return open(t, data)
}

func styleAt(t testing.TB, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func commentText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

func commentsByCell(t testing.TB, f *excelize.File, sheet string) map[string]excelize.Comment {
	t.Helper()
	list, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]excelize.Comment{}
	for _, c := range list {
		if _, dup := m[c.Cell]; dup {
			t.Errorf("%s!%s has two comments", sheet, c.Cell)
		}
		m[c.Cell] = c
	}
	return m
}

// marked is what fs should do to the cells of the workbook orig: per
// sheet and cell, the most severe severity and every message.
type mark struct {
	severity finding.Severity
	messages []string
}

func expectedMarks(t testing.TB, orig *excelize.File, fs []feedback.Finding) map[string]map[string]*mark {
	t.Helper()
	rank := map[finding.Severity]int{"error": 3, "warning": 2, "info": 1}
	out := map[string]map[string]*mark{}
	for _, fd := range fs {
		if idx, _ := orig.GetSheetIndex(fd.Sheet); idx == -1 || fd.Cell == "" {
			continue
		}
		cell := strings.ToUpper(strings.ReplaceAll(fd.Cell, "$", ""))
		if out[fd.Sheet] == nil {
			out[fd.Sheet] = map[string]*mark{}
		}
		m := out[fd.Sheet][cell]
		if m == nil {
			m = &mark{}
			out[fd.Sheet][cell] = m
		}
		if rank[fd.Severity] > rank[m.severity] {
			m.severity = fd.Severity
		}
		m.messages = append(m.messages, fd.Message)
	}
	return out
}

// checkMarks scans every cell of every sheet of orig (and a margin around
// it and the findings) in out: exactly the finding cells have the highlight
// of their most severe finding and a comment with all their messages; every
// other cell has the fill and comment it had in orig.
func checkMarks(t *testing.T, orig, out *excelize.File, fs []feedback.Finding) {
	t.Helper()
	want := expectedMarks(t, orig, fs)
	for _, sheet := range orig.GetSheetList() {
		rows, err := orig.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		maxRow, maxCol := len(rows), 0
		for _, r := range rows {
			maxCol = max(maxCol, len(r))
		}
		for ref := range want[sheet] {
			c, r, err := excelize.CellNameToCoordinates(ref)
			if err != nil {
				t.Fatal(err)
			}
			maxRow, maxCol = max(maxRow, r), max(maxCol, c)
		}
		origComments := commentsByCell(t, orig, sheet)
		outComments := commentsByCell(t, out, sheet)
		for r := 1; r <= maxRow+2; r++ {
			for c := 1; c <= maxCol+2; c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r)
				got := styleAt(t, out, sheet, ref).Fill
				cm, hasComment := outComments[ref]
				m := want[sheet][ref]
				if m == nil {
					if was := styleAt(t, orig, sheet, ref).Fill; !cmp.Equal(was, got) {
						t.Errorf("%s!%s has no finding but its fill changed: %s", sheet, ref, cmp.Diff(was, got))
					}
					oc, had := origComments[ref]
					switch {
					case hasComment && !had:
						t.Errorf("%s!%s has no finding but got a comment %q", sheet, ref, commentText(cm))
					case had && (!hasComment || commentText(cm) != commentText(oc) || cm.Author != oc.Author):
						t.Errorf("%s!%s: the district's comment changed: %q by %s, was %q by %s", sheet, ref, commentText(cm), cm.Author, commentText(oc), oc.Author)
					}
					continue
				}
				wantFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{wantColor[m.severity]}}
				if !cmp.Equal(got, wantFill) {
					t.Errorf("%s!%s (%s) fill: %s", sheet, ref, m.severity, cmp.Diff(wantFill, got))
				}
				if !hasComment {
					t.Errorf("%s!%s has a finding but no comment", sheet, ref)
					continue
				}
				if cm.Author != feedback.Author {
					t.Errorf("%s!%s comment author %q", sheet, ref, cm.Author)
				}
				for _, msg := range m.messages {
					if !strings.Contains(commentText(cm), msg) {
						t.Errorf("%s!%s comment %q lacks %q", sheet, ref, commentText(cm), msg)
					}
				}
				if oc, had := origComments[ref]; had && !strings.Contains(commentText(cm), commentText(oc)) {
					t.Errorf("%s!%s comment %q lost the district's comment %q", sheet, ref, commentText(cm), commentText(oc))
				}
			}
		}
	}
}

func TestTheFeedbackMarksExactlyTheCellsOfTheFindings(t *testing.T) {
	src := original(t, t.TempDir())
	orig := openFile(t, src)
	out := open(t, write(t, src, findings, options()))
	want := append([]string{"Prüfergebnis"}, orig.GetSheetList()...)
	if diff := cmp.Diff(want, out.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	checkMarks(t, orig, out, findings)
}

func TestAHighlightedCellKeepsItsNumberFormatFontAndBorders(t *testing.T) {
	src := original(t, t.TempDir())
	orig := openFile(t, src)
	out := open(t, write(t, src, findings, options()))
	for _, ref := range []string{"G3", "C4", "E3", "B2", "H9"} {
		t.Run(ref, func(t *testing.T) {
			was, got := styleAt(t, orig, "Belegliste", ref), styleAt(t, out, "Belegliste", ref)
			was.Fill, got.Fill = excelize.Fill{}, excelize.Fill{}
			if diff := cmp.Diff(was, got); diff != "" {
				t.Errorf("style apart from the fill (-was +now):\n%s", diff)
			}
		})
	}
	// The figures a user would check, spelt out.
	if s := styleAt(t, out, "Belegliste", "C4"); s.NumFmt != 14 {
		t.Errorf("C4 number format %d, want 14 (date)", s.NumFmt)
	}
	if s := styleAt(t, out, "Belegliste", "G3"); s.CustomNumFmt == nil || *s.CustomNumFmt != `#,##0.00 "€"` || len(s.Border) != 1 {
		t.Errorf("G3 lost its amount format or border: %+v", s)
	}
	if s := styleAt(t, out, "Belegliste", "E3"); s.Font == nil || !s.Font.Bold || s.Font.Family != "Arial" || s.Font.Color != "1F4E79" {
		t.Errorf("E3 lost its font: %+v", s.Font)
	}
}

// findingRows returns the table of the result sheet: its header row number
// and the rows below it.
func findingRows(t *testing.T, f *excelize.File, sheet, severityHeader string) (int, [][]string) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == severityHeader {
			return i + 1, rows[i+1:]
		}
	}
	t.Fatalf("no header %q on %s", severityHeader, sheet)
	return 0, nil
}

func TestTheResultSheetIsFirstAndLinksEveryFindingToItsCell(t *testing.T) {
	src := original(t, t.TempDir())
	out := open(t, write(t, src, findings, options()))
	if first := out.GetSheetName(0); first != "Prüfergebnis" {
		t.Fatalf("first sheet %q", first)
	}
	if out.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want the result sheet", out.GetActiveSheetIndex())
	}
	header, rows := findingRows(t, out, "Prüfergebnis", "Schwere")
	if len(rows) != len(findings) {
		t.Fatalf("%d rows for %d findings", len(rows), len(findings))
	}
	label := map[string]string{"error": "Fehler", "warning": "Warnung", "info": "Hinweis"}
	wantLink := map[int]string{
		0: "'Belegliste'!G3", 1: "'Belegliste'!G3", 2: "'Belegliste'!C4", 3: "'Belegliste'!E3", 4: "'Belegliste'!H9",
		5: "'Aktivitäten'!B3", 6: "'Meine Notizen'!C5", 7: "'Meine Notizen'!A2", 8: "'Aktivitäten'!A1",
		12: "'Belegliste'!B2",
	}
	cat := catalogue(t)
	for i, fd := range findings {
		row := header + 1 + i
		got := append(rows[i], "", "", "", "", "")[:5]
		place := fd.Sheet + "!" + strings.ToUpper(strings.ReplaceAll(fd.Cell, "$", ""))
		switch {
		case fd.Sheet == "":
			place = "ganze Datei"
		case fd.Cell == "":
			place = fd.Sheet
		}
		// A rule's title for a clerk, its id for a rule without one.
		title := fd.Rule
		if key := "rule." + fd.Rule + ".title"; cat.Has(key) {
			title = cat.Text("de", key, nil)
		}
		if diff := cmp.Diff([]string{label[string(fd.Severity)], title, place, fd.Message, fd.Rule}, got); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", row, diff)
		}
		ok, target, err := out.GetCellHyperLink("Prüfergebnis", fmt.Sprintf("C%d", row))
		if err != nil {
			t.Fatal(err)
		}
		if want := wantLink[i]; ok != (want != "") || target != want {
			t.Errorf("row %d link %v %q, want %q", row, ok, target, want)
			continue
		}
		if !ok {
			continue
		}
		// The target must lead to the place: the quoted name is a sheet of
		// the workbook, and the cell is the finding's.
		name, cell, found := strings.Cut(target, "!")
		if !found || !strings.HasPrefix(name, "'") || !strings.HasSuffix(name, "'") {
			t.Errorf("row %d: target %q is not 'Sheet'!Cell", row, target)
			continue
		}
		name = strings.ReplaceAll(name[1:len(name)-1], "''", "'")
		if idx, _ := out.GetSheetIndex(name); idx == -1 || name != fd.Sheet {
			t.Errorf("row %d: target sheet %q, finding's sheet %q", row, name, fd.Sheet)
		}
		if fd.Cell != "" && cell != strings.ToUpper(strings.ReplaceAll(fd.Cell, "$", "")) {
			t.Errorf("row %d: target cell %s, finding's cell %s", row, cell, fd.Cell)
		}
	}
	// The header of the table is frozen and filtered.
	panes, err := out.GetPanes("Prüfergebnis")
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != header {
		t.Errorf("panes %+v, want frozen below row %d", panes, header)
	}
	filtered := false
	for _, dn := range out.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == "Prüfergebnis" {
			filtered = true
		}
	}
	if !filtered {
		t.Error("the findings table has no auto-filter")
	}
}

func TestTheHeaderShowsFileReceivedOutcomeAndCounts(t *testing.T) {
	src := original(t, t.TempDir())
	opt := options()
	opt.Accepted = false
	out := open(t, write(t, src, findings, opt))
	rows, err := out.GetRows("Prüfergebnis")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows[1:8] {
		if len(r) >= 2 {
			got[r[0]] = r[1]
		}
	}
	want := map[string]string{
		"Eingegangen": "14.04.2026, 18:05 Uhr",
		"Ergebnis":    "abgelehnt – bitte beheben Sie die Fehler und senden Sie die Datei erneut",
		"Zu beheben":  "5 Fehler, 5 Warnungen, 3 Hinweise",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if !strings.Contains(rows[0][0], "„15083_2026_Q1.xlsx“") {
		t.Errorf("title %q does not name the file", rows[0][0])
	}
}

func TestSheetLocalNamesStayWithTheirSheet(t *testing.T) {
	src := original(t, t.TempDir())
	orig := openFile(t, src)
	out := open(t, write(t, src, findings, options()))
	var got []excelize.DefinedName
	for _, dn := range out.GetDefinedName() {
		if dn.Scope != "Prüfergebnis" {
			got = append(got, dn)
		}
	}
	if diff := cmp.Diff(orig.GetDefinedName(), got); diff != "" {
		t.Errorf("defined names (-original +feedback):\n%s", diff)
	}
}

func TestAFileThatIsNoWorkbookGetsOnlyTheResultSheet(t *testing.T) {
	zipNoWorkbook := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("readme.txt")
		w.Write([]byte("hallo"))
		zw.Close()
		return buf.Bytes()
	}
	cases := []struct {
		name, file string
		data       []byte
		reason     string
	}{
		{"a CSV", "meldung.csv", []byte("Kreisschlüssel;Haushaltsjahr\n15083;2026\n"), "feedback.reason.text"},
		{"garbage", "meldung.xlsx", bytes.Repeat([]byte{0x00, 0xff, 0x13, 0x37}, 64), "feedback.reason.text"},
		{"an empty file", "meldung.xlsx", nil, "feedback.reason.text"},
		{"an old .xls", "meldung.xls", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 1024)...), ""},
		{"a zip without a workbook", "meldung.xlsx", zipNoWorkbook(), ""},
	}
	cat := catalogue(t)
	fs := []feedback.Finding{
		{Rule: "FORMAT", Severity: "error", Message: "Die Datei ist keine Arbeitsmappe."},
		{Rule: "X", Severity: "warning", Sheet: "Belegliste", Cell: "A1", Message: "Ein Befund an einer Zelle."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), c.file)
			if err := os.WriteFile(src, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := open(t, write(t, src, fs, options()))
			if diff := cmp.Diff([]string{"Prüfergebnis"}, out.GetSheetList()); diff != "" {
				t.Fatalf("sheets (-want +got):\n%s", diff)
			}
			rows, err := out.GetRows("Prüfergebnis")
			if err != nil {
				t.Fatal(err)
			}
			all := fmt.Sprint(rows)
			if !strings.Contains(all, "Ihre Datei konnte nicht geöffnet werden: ") {
				t.Errorf("the sheet does not say the file could not be opened:\n%s", all)
			}
			if c.reason != "" && !strings.Contains(all, cat.Text("de", c.reason, nil)) {
				t.Errorf("the sheet does not give the reason %q:\n%s", cat.Text("de", c.reason, nil), all)
			}
			header, table := findingRows(t, out, "Prüfergebnis", "Schwere")
			if len(table) != len(fs) {
				t.Errorf("%d findings listed, want %d", len(table), len(fs))
			}
			for i := range fs {
				if ok, target, _ := out.GetCellHyperLink("Prüfergebnis", fmt.Sprintf("C%d", header+1+i)); ok {
					t.Errorf("finding %d links to %q in a workbook without that sheet", i, target)
				}
			}
		})
	}
}

func TestTextFromDataNeverBecomesAFormula(t *testing.T) {
	src := original(t, t.TempDir())
	opt := options()
	opt.File = "=1+1.xlsx"
	for _, fresh := range []bool{false, true} {
		name := "in the district's workbook"
		path := src
		if fresh {
			name = "in a workbook made from scratch"
			path = filepath.Join(t.TempDir(), "x.csv")
			if err := os.WriteFile(path, []byte("a;b\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(name, func(t *testing.T) {
			out := open(t, write(t, path, findings, opt))
			rows, err := out.GetRows("Prüfergebnis")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for r, row := range rows {
				for c, v := range row {
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					formula, err := out.GetCellFormula("Prüfergebnis", ref)
					if err != nil {
						t.Fatal(err)
					}
					if formula != "" {
						t.Errorf("%s holds the formula %q", ref, formula)
					}
					if v == findings[12].Message {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("the message %q is not shown as text", findings[12].Message)
			}
		})
	}
}

func TestTwoWritesAreByteIdentical(t *testing.T) {
	src := original(t, t.TempDir())
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			opt := options()
			opt.Lang = lang
			a := write(t, src, findings, opt)
			b := write(t, src, findings, opt)
			if !bytes.Equal(a, b) {
				t.Fatal("two writes of the same feedback differ")
			}
			// No wall clock: the document date is the data's timestamp and
			// every zip entry has the same (zero) modification time.
			zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range zr.File {
				if !e.Modified.Equal(zr.File[0].Modified) || time.Since(e.Modified) < 24*time.Hour {
					t.Errorf("%s modified %v", e.Name, e.Modified)
				}
			}
			props, err := open(t, a).GetDocProps()
			if err != nil {
				t.Fatal(err)
			}
			if props.Modified != "2026-04-15T08:00:00Z" {
				t.Errorf("modified %q, want the data's timestamp", props.Modified)
			}
			if props.Creator != "Landkreis Börde" || props.Title != "Quartalsmeldung" {
				t.Errorf("the district's properties were lost: %+v", props)
			}
		})
	}
}

func TestEveryTextComesFromTheCatalogueInBothLanguages(t *testing.T) {
	src := original(t, t.TempDir())
	csv := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(csv, []byte("a;b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		for _, path := range []string{src, csv} {
			opt := options()
			opt.Lang = lang
			out := open(t, write(t, path, findings, opt))
			sheet := out.GetSheetName(0)
			if want := map[string]string{"de": "Prüfergebnis", "en": "Check result"}[lang]; sheet != want {
				t.Errorf("%s: first sheet %q, want %q", lang, sheet, want)
			}
			rows, err := out.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				for _, v := range row {
					// An unknown key renders as the key itself.
					if strings.Contains(v, "feedback.") || strings.Contains(v, "{") {
						t.Errorf("%s: unrendered text %q", lang, v)
					}
				}
			}
		}
	}
}

func TestAWorkbookThatComesBackGetsFreshFeedback(t *testing.T) {
	dir := t.TempDir()
	src := original(t, dir)
	orig := openFile(t, src)
	// The district opens the feedback, fixes G3, C4 and the rest, and
	// sends the same file again; two problems remain, one is new.
	resent := filepath.Join(dir, "15083_2026_Q1.xlsx.feedback.xlsx")
	if err := os.WriteFile(resent, write(t, src, findings, options()), 0o644); err != nil {
		t.Fatal(err)
	}
	second := []feedback.Finding{
		{Rule: "PAYEE", Severity: "warning", Sheet: "Belegliste", Cell: "E3", Message: "Empfänger immer noch unklar."},
		{Rule: "AMOUNT", Severity: "error", Sheet: "Belegliste", Cell: "G4", Message: "Betrag fehlt."},
		{Rule: "NOTES", Severity: "info", Sheet: "Meine Notizen", Cell: "A1", Message: "Notiz gelesen."},
	}
	out := open(t, write(t, resent, second, options()))
	want := append([]string{"Prüfergebnis"}, orig.GetSheetList()...)
	if diff := cmp.Diff(want, out.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	// Measured against the district's first file: the earlier round's marks
	// and comments are gone, the district's comment on A2 is back, and only
	// the new findings are marked.
	checkMarks(t, orig, out, second)
	_, rows := findingRows(t, out, "Prüfergebnis", "Schwere")
	if len(rows) != len(second) {
		t.Errorf("%d findings listed, want %d", len(rows), len(second))
	}
}

func TestAnUnknownSeverityIsAnError(t *testing.T) {
	src := original(t, t.TempDir())
	_, err := feedback.Write(&bytes.Buffer{}, src, []feedback.Finding{{Rule: "X", Severity: "fatal"}}, catalogue(t), options())
	if err == nil || !strings.Contains(err.Error(), "fatal") {
		t.Errorf("error %v, want one naming the severity", err)
	}
}

func TestFiveThousandFindingsAddFewStyles(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	sheet := "Belegliste"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	money, _ := f.NewStyle(&excelize.Style{NumFmt: 4})
	var fs []feedback.Finding
	sev := finding.Severities
	for r := 1; r <= 1000; r++ {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", r), &[]any{r, "Reisekosten", 46100, 46101, 12.5}); err != nil {
			t.Fatal(err)
		}
		for c, col := range []string{"A", "B", "C", "D", "E"} {
			fs = append(fs, feedback.Finding{Rule: "R", Severity: sev[(r+c)%3], Sheet: sheet, Cell: fmt.Sprintf("%s%d", col, r), Message: fmt.Sprintf("Befund in Zeile %d", r)})
		}
	}
	if err := f.SetCellStyle(sheet, "C1", "D1000", date); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sheet, "E1", "E1000", money); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "big.xlsx")
	if err := f.SaveAs(src); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// Speed belongs in a benchmark (issue 7), not in a test.
	data := write(t, src, fs, options())
	count := func(f *excelize.File) int {
		n := 0
		for ; ; n++ {
			if _, err := f.GetStyle(n); err != nil {
				return n
			}
		}
	}
	out := open(t, data)
	before, after := count(openFile(t, src)), count(out)
	t.Logf("styles: %d before, %d after", before, after)
	// 3 original styles x 3 severities, 3 fills, a dozen for the result sheet.
	if after-before > 30 {
		t.Errorf("%d styles added for 5,000 findings", after-before)
	}
	if n := len(commentsByCell(t, out, sheet)); n != 5000 {
		t.Errorf("%d comments, want 5000", n)
	}
}

// rezip copies the workbook at src to dst with the part named part
// replaced by data.
func rezip(t *testing.T, src, dst, part string, data []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == part {
			w.Write(data)
			continue
		}
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestASheetThatCannotBeParsedIsKeptAsItIsAndItsFindingsAreListed(t *testing.T) {
	dir := t.TempDir()
	bare := filepath.Join(dir, "bare.xlsx")
	src := filepath.Join(dir, "broken.xlsx")
	// Meldung as minimal writers produce it: no sheetViews, inline strings.
	rezip(t, original(t, dir), bare, "xl/worksheets/sheet1.xml", []byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Kreisschlüssel</t></is></c></row></sheetData></worksheet>`))
	broken := []byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"`)
	rezip(t, bare, src, "xl/worksheets/sheet3.xml", broken) // Aktivitäten
	fs := append([]feedback.Finding{{Rule: "DISTRICT", Severity: "error", Sheet: "Meldung", Cell: "B1", Message: "Kreisschlüssel fehlt."}}, findings...)
	data := write(t, src, fs, options())
	out := open(t, data)
	want := []string{"Prüfergebnis", "Meldung", "Belegliste", "Aktivitäten", "Meine Notizen"}
	if diff := cmp.Diff(want, out.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	for _, p := range []struct{ sheet, cell string }{{"Belegliste", "G3"}, {"Meldung", "B1"}} {
		if got := styleAt(t, out, p.sheet, p.cell).Fill; len(got.Color) != 1 || got.Color[0] != wantColor["error"] {
			t.Errorf("the readable sheets are not marked: %s!%s fill %+v", p.sheet, p.cell, got)
		}
	}
	header, _ := findingRows(t, out, "Prüfergebnis", "Schwere")
	for i, fd := range fs {
		ok, target, _ := out.GetCellHyperLink("Prüfergebnis", fmt.Sprintf("C%d", header+1+i))
		if fd.Sheet == "Aktivitäten" && ok {
			t.Errorf("finding %d links into the broken sheet: %q", i, target)
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range zr.File {
		if e.Name != "xl/worksheets/sheet3.xml" {
			continue
		}
		r, _ := e.Open()
		got, _ := io.ReadAll(r)
		if !bytes.Equal(got, broken) {
			t.Errorf("the broken sheet was rewritten:\n%s", got)
		}
	}
}

func TestAMacroWorkbookComesBackAsAPlainWorkbook(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	if err := f.SetCellStr("Sheet1", "A1", "x"); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "meldung.xlsm")
	if err := f.SaveAs(src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data := write(t, src, []feedback.Finding{{Rule: "R", Severity: "error", Sheet: "Sheet1", Cell: "A1", Message: "m"}}, options())
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range zr.File {
		if e.Name != "[Content_Types].xml" {
			continue
		}
		r, _ := e.Open()
		ct, _ := io.ReadAll(r)
		if bytes.Contains(ct, []byte("macroEnabled")) || !bytes.Contains(ct, []byte("spreadsheetml.sheet.main+xml")) {
			t.Errorf("content types of a .xlsx must name a plain workbook:\n%s", ct)
		}
	}
}

func TestAChartSheetIsLeftAsItIs(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	for r, v := range []int{3, 5, 2} {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r+1), &[]any{fmt.Sprint("Q", r+1), v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.AddChartSheet("Diagramm", &excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{{Name: "Sheet1!$A$1", Categories: "Sheet1!$A$1:$A$3", Values: "Sheet1!$B$1:$B$3"}},
	}); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "chart.xlsx")
	if err := f.SaveAs(src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fs := []feedback.Finding{
		{Rule: "R", Severity: "info", Sheet: "Diagramm", Cell: "A1", Message: "Diagramme werden nicht gelesen."},
		{Rule: "R", Severity: "error", Sheet: "Sheet1", Cell: "B2", Message: "Zu hoch."},
	}
	out := open(t, write(t, src, fs, options()))
	if diff := cmp.Diff([]string{"Prüfergebnis", "Sheet1", "Diagramm"}, out.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	header, _ := findingRows(t, out, "Prüfergebnis", "Schwere")
	if ok, target, _ := out.GetCellHyperLink("Prüfergebnis", fmt.Sprintf("C%d", header+1)); ok {
		t.Errorf("the chart sheet's finding links to %q", target)
	}
	if ok, target, _ := out.GetCellHyperLink("Prüfergebnis", fmt.Sprintf("C%d", header+2)); !ok || target != "'Sheet1'!B2" {
		t.Errorf("the worksheet's finding links to %v %q", ok, target)
	}
}
