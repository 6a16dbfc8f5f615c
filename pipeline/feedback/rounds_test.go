package feedback_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/feedback"
)

// withOwnResultSheet is the workbook original writes with one more sheet
// of the district's own, named like grantpipe's result sheet.
func withOwnResultSheet(t *testing.T, dir string) string {
	t.Helper()
	f := openFile(t, original(t, dir))
	if _, err := f.NewSheet("Prüfergebnis"); err != nil {
		t.Fatal(err)
	}
	for cell, v := range map[string]string{"A1": "Unsere eigene Prüfung", "A2": "Belege geprüft", "B2": "ja"} {
		if err := f.SetCellStr("Prüfergebnis", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "eigene.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func rowsOf(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestADistrictSheetNamedLikeTheResultSheetIsKept: the district's own sheet
// "Prüfergebnis" survives the feedback, and a second round, where the
// earlier round's result sheet is replaced and the district's stays.
func TestADistrictSheetNamedLikeTheResultSheetIsKept(t *testing.T) {
	dir := t.TempDir()
	src := withOwnResultSheet(t, dir)
	orig := openFile(t, src)
	own := rowsOf(t, orig, "Prüfergebnis")
	want := append([]string{"Prüfergebnis (grantpipe)"}, orig.GetSheetList()...)

	first := write(t, src, findings, options())
	out := open(t, first)
	if diff := cmp.Diff(want, out.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(own, rowsOf(t, out, "Prüfergebnis")); diff != "" {
		t.Errorf("the district's sheet changed (-was +now):\n%s", diff)
	}
	if _, rows := findingRows(t, out, "Prüfergebnis (grantpipe)", "Schwere"); len(rows) != len(findings) {
		t.Errorf("%d findings listed, want %d", len(rows), len(findings))
	}
	if out.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want the result sheet", out.GetActiveSheetIndex())
	}
	checkMarks(t, orig, out, findings)

	resent := filepath.Join(dir, "eigene.feedback.xlsx")
	if err := os.WriteFile(resent, first, 0o644); err != nil {
		t.Fatal(err)
	}
	second := []feedback.Finding{
		{Rule: "AMOUNT", Severity: "error", Sheet: "Belegliste", Cell: "G4", Message: "Betrag fehlt."},
	}
	out = open(t, write(t, resent, second, options()))
	if diff := cmp.Diff(want, out.GetSheetList()); diff != "" {
		t.Fatalf("second round: sheets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(own, rowsOf(t, out, "Prüfergebnis")); diff != "" {
		t.Errorf("second round: the district's sheet changed (-was +now):\n%s", diff)
	}
	if _, rows := findingRows(t, out, "Prüfergebnis (grantpipe)", "Schwere"); len(rows) != len(second) {
		t.Errorf("second round: %d findings listed, want %d", len(rows), len(second))
	}
	checkMarks(t, orig, out, second)
}

// TestTheResultSheetIsKnownByItsMarkerNotItsName: renamed by the district,
// grantpipe's result sheet is still replaced when the file comes back; a
// result sheet of a version before the marker is known by its name,
// title and table header.
func TestTheResultSheetIsKnownByItsMarkerNotItsName(t *testing.T) {
	cases := []struct {
		name string
		edit func(t *testing.T, f *excelize.File)
	}{
		{"renamed", func(t *testing.T, f *excelize.File) {
			if err := f.SetSheetName("Prüfergebnis", "Alte Rückmeldung"); err != nil {
				t.Fatal(err)
			}
		}},
		{"written before the marker", func(t *testing.T, f *excelize.File) {
			if err := f.DeleteDefinedName(&excelize.DefinedName{Name: "grantpipe_result", Scope: "Prüfergebnis"}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := original(t, dir)
			orig := openFile(t, src)
			f := open(t, write(t, src, findings, options()))
			c.edit(t, f)
			resent := filepath.Join(dir, "resent.xlsx")
			if err := f.SaveAs(resent); err != nil {
				t.Fatal(err)
			}
			second := []feedback.Finding{{Rule: "X", Severity: "warning", Sheet: "Belegliste", Cell: "B3", Message: "Noch offen."}}
			out := open(t, write(t, resent, second, options()))
			want := append([]string{"Prüfergebnis"}, orig.GetSheetList()...)
			if diff := cmp.Diff(want, out.GetSheetList()); diff != "" {
				t.Fatalf("sheets (-want +got):\n%s", diff)
			}
			checkMarks(t, orig, out, second)
		})
	}
}

var selectedTab = regexp.MustCompile(`tabSelected="(1|true)"`)

// TestOnlyTheResultSheetIsSelected: a district that saved its workbook on
// a sheet the feedback does not touch, or with sheets grouped, gets it back
// with the result sheet alone selected; otherwise that sheet is the
// original's byte for byte.
func TestOnlyTheResultSheetIsSelected(t *testing.T) {
	dir := t.TempDir()
	f := openFile(t, original(t, dir))
	// "Meine Notizen" active, "Aktivitäten" grouped with it (below).
	idx, _ := f.GetSheetIndex("Meine Notizen")
	f.SetActiveSheet(idx)
	src := filepath.Join(dir, "selected.xlsx")
	if err := f.SaveAs(src); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(src)
	// Select a second sheet as well, as Excel does for a group.
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		r, _ := e.Open()
		b, _ := io.ReadAll(r)
		if e.Name == partOf(t, data, "Aktivitäten") {
			b = bytes.Replace(b, []byte("<sheetView "), []byte(`<sheetView tabSelected="1" `), 1)
		}
		w, _ := zw.Create(e.Name)
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only the receipts sheet has findings: the notes and activities
	// sheets are left unread.
	fs := []feedback.Finding{{Rule: "X", Severity: "error", Sheet: "Belegliste", Cell: "G3", Message: "Falsch."}}
	out := write(t, src, fs, options())
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	result := partOf(t, out, "Prüfergebnis")
	selected := 0
	for _, e := range zr.File {
		if !strings.HasPrefix(e.Name, "xl/worksheets/sheet") {
			continue
		}
		r, _ := e.Open()
		b, _ := io.ReadAll(r)
		if selectedTab.Match(b) {
			selected++
			if e.Name != result {
				t.Errorf("%s is still selected", e.Name)
			}
		}
	}
	if selected != 1 {
		t.Errorf("%d selected sheets, want the result sheet alone", selected)
	}
	if g := open(t, out); g.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want the result sheet", g.GetActiveSheetIndex())
	}
	// Apart from its selection the notes sheet is the original.
	notes := partOf(t, buf.Bytes(), "Meine Notizen")
	was, now := readPart(t, buf.Bytes(), notes), readPart(t, out, notes)
	if !bytes.Equal(selectedTab.ReplaceAll(was, []byte(`tabSelected="0"`)), now) {
		t.Errorf("the notes sheet changed beyond its selection:\nwas %s\nnow %s", was, now)
	}
}

func readPart(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range zr.File {
		if e.Name == name {
			r, _ := e.Open()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("no part %s", name)
	return nil
}
