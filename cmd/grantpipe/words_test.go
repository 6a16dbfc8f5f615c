package main

import (
	"archive/zip"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// forbidden are the words German grant law does not use for the figures
// (FUNDING_RULES.md, "Words"): the grant is the Zuwendung, the eligible
// expenditure the zuwendungsfähigen Ausgaben. "zurückzufordern" is only
// wrong while the year is open; it is checked in the open year's run.
var forbidden = regexp.MustCompile(`(?i)förderfähig|foerderfaehig|fundable`)

// TestGermanOutputsUseTheWordsOfGrantLaw runs the whole year's demo, settled,
// and the year so far, open, and reads every German output: the command's
// own, every PDF, every workbook (reports, feedback, the blank form).
func TestGermanOutputsUseTheWordsOfGrantLaw(t *testing.T) {
	for _, c := range []struct {
		name     string
		args     []string
		openYear bool
	}{
		{"the year so far", []string{"--demo"}, true},
		{"the whole year, settled", []string{"--demo", "--quarters", "4"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, stdout, stderr := run(t, append([]string{"run", "--data", dir}, c.args...)...)
			if code != 0 {
				t.Fatalf("run exit %d: %s", code, stderr)
			}
			if code, form, stderr := run(t, "template", "--district", "15083", "--year", "2026", "--quarter", "1", "-o", filepath.Join(dir, "Vorlage.xlsx")); code != 0 {
				t.Fatalf("template exit %d: %s %s", code, form, stderr)
			}
			texts := map[string]string{"stdout": stdout + stderr}
			checked := 0
			filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() || strings.Contains(path, string(filepath.Separator)+"inbox"+string(filepath.Separator)) ||
					strings.Contains(path, string(filepath.Separator)+"archive"+string(filepath.Separator)) {
					return nil
				}
				switch filepath.Ext(path) {
				case ".pdf":
					texts[path] = pdfText(t, path)
				case ".xlsx":
					texts[path] = xlsxText(t, path)
				default:
					return nil
				}
				checked++
				return nil
			})
			if checked < 30 {
				t.Fatalf("only %d documents to read", checked)
			}
			// The settlement's documents exist exactly when the year is
			// settled: all 14 demo districts sent their fourth quarter.
			want := 14
			if c.openYear {
				want = 0
			}
			for _, pattern := range []string{"Verwendungsnachweis_*_2026.pdf", "Verwendungsnachweis_*_2026.xlsx", "Pruefvermerk_*_2026.pdf"} {
				if got, _ := filepath.Glob(filepath.Join(dir, "reports", "2026", pattern)); len(got) != want {
					t.Errorf("%d files %s, want %d", len(got), pattern, want)
				}
			}
			if got, _ := filepath.Glob(filepath.Join(dir, "reports", "2026", "Abrechnung_Sachsen-Anhalt_2026.*")); len(got) != 2*min(want, 1) {
				t.Errorf("settlement overview %v", got)
			}
			for path, text := range texts {
				if m := forbidden.FindString(text); m != "" {
					i := forbidden.FindStringIndex(text)
					t.Errorf("%s says %q: …%s…", path, m, text[max(0, i[0]-200):min(len(text), i[1]+100)])
				}
				if c.openYear && strings.Contains(text, "zurückzufordern") {
					t.Errorf("%s says \"zurückzufordern\" while the year is open", path)
				}
			}
		})
	}
}

// xlsxText is every string of a workbook: its shared strings, inline
// strings, sheet names and comments, as XML text.
func xlsxText(t *testing.T, path string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer z.Close()
	var b strings.Builder
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".vml") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}
