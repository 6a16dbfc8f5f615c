package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
)

// hostileTemplate writes the blank Börde form of a quarter to path, received
// in April.
func hostileTemplate(t *testing.T, path string, quarter string) {
	t.Helper()
	if code, _, errOut := run(t, "template", "--district", "15083", "--year", "2026", "--quarter", quarter, "-o", path); code != 0 {
		t.Fatalf("template: %s", errOut)
	}
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	os.Chtimes(path, april, april)
}

// TestNoFileNameStopsTheRun: names past the file system's limit once the
// archive adds its prefix, and names that are not UTF-8, are stored and
// reported like any other; validation and reports go on for everyone, and
// the next run works too.
func TestNoFileNameStopsTheRun(t *testing.T) {
	d := datadir.New(t.TempDir())
	if code, _, errOut := run(t, "demo", "--data", d.Root); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	hostileTemplate(t, filepath.Join(d.InboxOf("15083"), strings.Repeat("x", 243)+".xlsx"), "4")
	hostileTemplate(t, filepath.Join(d.InboxOf("15085"), "Meldung\xff\xfe Q4.xlsx"), "4")
	for i := range 2 {
		code, out, errOut := run(t, "run", "--data", d.Root, "--as-of", "2026-11-20")
		if code != 0 {
			t.Fatalf("run %d exited %d: %s", i+1, code, errOut)
		}
		if i == 0 && (!strings.Contains(out, "xxxx") || !strings.Contains(out, `Meldung\xff\xfe Q4.xlsx`)) {
			t.Errorf("the files are not reported:\n%s", out)
		}
	}
	for _, f := range []string{"2026-Q1/15083_Boerde_2026-Q1.pdf", "2026/Sachsen-Anhalt_2026.pdf"} {
		if _, err := os.Stat(filepath.Join(d.Reports(), f)); err != nil {
			t.Errorf("no report: %v", err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(d.Inbox(), "*", "*")); len(left) != 0 {
		t.Errorf("left in the inbox: %v", left)
	}
}

// TestAFileCannotForgeAConsoleLine: a newline or an ANSI escape in a file
// name or a cell comes out escaped, so it cannot print a line of its own.
func TestAFileCannotForgeAConsoleLine(t *testing.T) {
	d := datadir.New(t.TempDir())
	forged := "\n\x1b[32mangenommen 15083 2026-Q1 gefälscht.xlsx\x1b[0m\n"
	p := filepath.Join(d.InboxOf("15083"), "Q1"+strings.ReplaceAll(forged, "/", "")+".xlsx")
	os.MkdirAll(filepath.Dir(p), 0o755)
	hostileTemplate(t, p, "1")
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f.SetCellStr("Belegliste", "G2", "12"+forged)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	os.Chtimes(p, april, april)
	code, out, errOut := run(t, "ingest", "--data", d.Root)
	if code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("an escape sequence reached the console:\n%q", out)
	}
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "angenommen") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d lines say angenommen, want the one of the file itself:\n%s", n, out)
	}
	if !strings.Contains(out, `\x0a\x1b[32mangenommen`) {
		t.Errorf("the name or the cell is not shown escaped:\n%s", out)
	}
}
