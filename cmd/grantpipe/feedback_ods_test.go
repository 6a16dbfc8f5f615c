package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/xlsx"
)

// TestAnODSSubmissionGetsItsOwnODSBack: the main job over a district's .ods
// (saved by LibreOffice) accepts it and writes its feedback as the
// district's own .ods, readable by the reader, with the result sheet first.
func TestAnODSSubmissionGetsItsOwnODSBack(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ods", "Meldung_Boerde_Q1.ods"))
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	send(t, data, "15083", "Meldung.ods", 1, b)
	code, out, errOut := run(t, "run", "--data", data, "--as-of", "2026-11-20")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "angenommen 15083 2026-Q1 Meldung.ods") {
		t.Errorf("the .ods is not accepted:\n%s", out)
	}
	var found []string
	filepath.WalkDir(filepath.Join(datadir.New(data).Reports(), "feedback"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = append(found, p)
		}
		return nil
	})
	if len(found) != 1 || !strings.HasSuffix(found[0], ".feedback.ods") {
		t.Fatalf("feedback files %v, want one .feedback.ods", found)
	}
	zr, err := zip.OpenReader(found[0])
	if err != nil {
		t.Fatal(err)
	}
	first := zr.File[0].Name
	zr.Close()
	if first != "mimetype" {
		t.Errorf("first entry %s, want mimetype", first)
	}
	wb, err := xlsx.Open(found[0], xlsx.Limits{})
	if err != nil {
		t.Fatalf("the feedback .ods does not read: %v", err)
	}
	defer wb.Close()
	if sheets := wb.Sheets(); len(sheets) == 0 || sheets[0] != "Prüfergebnis" {
		t.Errorf("sheets %v, want Prüfergebnis first", sheets)
	}
}
