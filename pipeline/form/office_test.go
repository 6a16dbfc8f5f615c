package form_test

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/submission"
)

// libreOffice is the soffice command; without it the test is skipped.
func libreOffice(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not on PATH: install libreoffice-calc-nogui to test the form through LibreOffice")
	}
	return p
}

// convert has LibreOffice open each file and save it as format ("xlsx",
// "ods") into dir, as a district's LibreOffice does, and returns the new
// files. A file LibreOffice cannot open fails the test.
func convert(t *testing.T, soffice, format, dir string, files ...string) []string {
	t.Helper()
	profile := url.URL{Scheme: "file", Path: t.TempDir()}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=" + profile.String(),
		"--convert-to", format, "--outdir", dir}, files...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "Error") {
		t.Fatalf("soffice --convert-to %s: %v\n%s", format, err, out)
	}
	var converted []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) + "." + format
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("soffice did not save %s: %v\n%s", name, err, out)
		}
		converted = append(converted, p)
	}
	return converted
}

// lastRow is the last row of a range such as "C2:C1001".
func lastRow(t *testing.T, sqref string) int {
	t.Helper()
	_, end, _ := strings.Cut(sqref, ":")
	_, row, err := excelize.SplitCellName(end)
	if err != nil {
		t.Fatalf("range %q: %v", sqref, err)
	}
	return row
}

// meaning is what a check says, without what LibreOffice writes
// differently when it saves the same check: where its range ends (see
// below), the operator "between" it adds to a list, the second bound "0" it
// adds to a check with one bound, the quotes around a sheet name, and how
// it escapes the formula's XML.
func meaning(dv *excelize.DataValidation) string {
	c := *dv
	start, _, _ := strings.Cut(c.Sqref, ":")
	c.Sqref = start + ":…"
	switch {
	case c.Type == "list":
		c.Operator, c.Formula2 = "", ""
		// excelize gives the formula as it stands in the XML, and
		// LibreOffice writes the quotes of a list as &quot;.
		c.Formula1 = strings.ReplaceAll(html.UnescapeString(c.Formula1), "'", "")
	case c.Operator != "between":
		c.Formula2 = ""
	}
	return describe(&c)
}

// TestTheBlankFormSurvivesLibreOffice saves the blank form with LibreOffice
// as .xlsx, and as .ods and that again as .xlsx, as districts do, and checks
// that the checks, the protection and the sheets are still there, that each
// package is whole, and that the reader reads every file as the blank form.
func TestTheBlankFormSurvivesLibreOffice(t *testing.T) {
	soffice := libreOffice(t)
	p, y, cat := setup(t)
	d, _ := y.District("15087")
	langs := []string{"de", "en"}
	dir := t.TempDir()
	var blanks []string
	for _, lang := range langs {
		f, err := form.Blank(y, cat, lang, form.Prefill{District: d, Year: 2026, Quarter: 3})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "blank_"+lang+".xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		f.Close()
		blanks = append(blanks, path)
	}
	mkdir := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	asXLSX := convert(t, soffice, "xlsx", mkdir("xlsx"), blanks...)
	asODS := convert(t, soffice, "ods", mkdir("ods"), blanks...)
	back := convert(t, soffice, "xlsx", mkdir("back"), asODS...)

	for i, lang := range langs {
		orig, err := excelize.OpenFile(blanks[i])
		if err != nil {
			t.Fatal(err)
		}
		defer orig.Close()
		header := form.Header.Name(lang)
		for _, route := range []struct{ name, file string }{
			{"saved as .xlsx", asXLSX[i]},
			{"saved as .ods, then as .xlsx", back[i]},
		} {
			t.Run(fmt.Sprintf("in %s, %s", lang, route.name), func(t *testing.T) {
				pk := readPackage(t, route.file)
				if problems := pk.problems(); len(problems) != 0 {
					t.Errorf("package problems:\n%s", strings.Join(problems, "\n"))
				}
				g, err := excelize.OpenFile(route.file)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				if diff := cmp.Diff(orig.GetSheetList(), g.GetSheetList()); diff != "" {
					t.Errorf("sheets (-blank +saved):\n%s", diff)
				}
				if g.GetActiveSheetIndex() != 0 {
					t.Errorf("opens on sheet %d, want the instructions", g.GetActiveSheetIndex())
				}
				for _, sheet := range orig.GetSheetList() {
					want, _ := orig.GetDataValidations(sheet)
					got, err := g.GetDataValidations(sheet)
					if err != nil {
						t.Fatal(err)
					}
					var w, gd []string
					for _, dv := range want {
						w = append(w, meaning(dv), *dv.PromptTitle, *dv.Prompt, *dv.ErrorTitle, *dv.Error)
					}
					for _, dv := range got {
						gd = append(gd, meaning(dv), deref(dv.PromptTitle), deref(dv.Prompt), deref(dv.ErrorTitle), deref(dv.Error))
						// LibreOffice 7.4 ends a check's range 1,000 rows
						// below the last row in use (the blank form's
						// 5,000 rows become 1,000); each save in
						// LibreOffice moves the end on again.
						if last := lastRow(t, dv.Sqref); last < 1001 {
							t.Errorf("%s %s: checked down to row %d only", sheet, dv.Sqref, last)
						}
						if !dv.ShowErrorMessage || !dv.ShowInputMessage {
							t.Errorf("%s %s: error shown %v, hint shown %v", sheet, dv.Sqref, dv.ShowErrorMessage, dv.ShowInputMessage)
						}
					}
					if diff := cmp.Diff(w, gd); diff != "" {
						t.Errorf("%s checks (-blank +saved):\n%s", sheet, diff)
					}
				}
				for _, sheet := range g.GetSheetList() {
					on, password := pk.protection(t, sheet)
					if on != (sheet == header) || password {
						t.Errorf("%s: protected %v, with a password %v", sheet, on, password)
					}
				}
				want := map[string]bool{"A4": true, "B4": true, "B5": true, "B6": true, "B7": true, "B8": true, "B9": false, "B10": false}
				if diff := cmp.Diff(want, locked(t, g, header, want)); diff != "" {
					t.Errorf("locked cells (-want +got):\n%s", diff)
				}
				readsAsBlank(t, p, route.file)
			})
		}
		t.Run(fmt.Sprintf("in %s, saved as .ods", lang), func(t *testing.T) {
			doc := readODS(t, asODS[i])
			styles := map[string]int{}
			for _, v := range doc.Validations {
				styles[v.Error.Type]++
				if v.Help.Display != "true" || v.Error.Display != "true" || v.Help.Title == "" || v.Error.Title == "" {
					t.Errorf("check %s (%s) lost its hint or message: %+v", v.Name, v.Condition, v)
				}
			}
			if want := map[string]int{"stop": 15, "warning": 1}; !cmp.Equal(want, styles) {
				t.Errorf("checks by error style %v, want %v", styles, want)
			}
			for _, tb := range doc.Tables {
				if (tb.Protected == "true") != (tb.Name == header) || tb.Key != "" {
					t.Errorf("%s: protected %q, key %q", tb.Name, tb.Protected, tb.Key)
				}
			}
			readsAsBlank(t, p, asODS[i])
		})
	}
}

// readsAsBlank reads file as the blank Mansfeld-Südharz form of 2026-Q3
// reads: accepted, with only the contact person missing.
func readsAsBlank(t *testing.T, p *programme.Programme, file string) {
	t.Helper()
	sub, err := submission.Read(file, submission.Options{Programme: p, InboxDistrict: "15087"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Rejected || sub.District != "15087" || sub.Year != 2026 || sub.Quarter != 3 {
		t.Errorf("read as %+v", sub)
	}
	if len(sub.Findings) != 1 || sub.Findings[0].Cell != "B9" || sub.Findings[0].Key != "value.required" {
		t.Errorf("findings %+v, want only the missing contact at B9", sub.Findings)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// odsContent is what the test reads of an .ods file's content.xml.
type odsContent struct {
	Validations []struct {
		Name      string `xml:"name,attr"`
		Condition string `xml:"condition,attr"`
		Help      struct {
			Title   string `xml:"title,attr"`
			Display string `xml:"display,attr"`
		} `xml:"help-message"`
		Error struct {
			Title   string `xml:"title,attr"`
			Type    string `xml:"message-type,attr"`
			Display string `xml:"display,attr"`
		} `xml:"error-message"`
	} `xml:"body>spreadsheet>content-validations>content-validation"`
	Tables []struct {
		Name      string `xml:"name,attr"`
		Protected string `xml:"protected,attr"`
		Key       string `xml:"protection-key,attr"`
	} `xml:"body>spreadsheet>table"`
}

func readODS(t *testing.T, file string) odsContent {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	r, err := zr.Open("content.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc odsContent
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Tables) == 0 {
		t.Fatalf("no sheets in %s", file)
	}
	return doc
}
