package xlsx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// corpusDir holds real-world and test-suite spreadsheets from many writers
// (see its SOURCES.md). It lives beside the repository, not in it.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "xlsx")

// corpusWant pins what a sender would be told for the files whose nature
// SOURCES.md records. Files not listed must read fully or fail with any
// *FormatError.
var corpusWant = map[string]Problem{
	"calamine__tests_pass_protected.xlsx":                                            ProblemEncrypted,
	"calamine__tests_too_small.xls":                                                  ProblemText,
	"excelize__test_encryptAES.xlsx":                                                 ProblemEncrypted,
	"excelize__test_encryptSHA1.xlsx":                                                ProblemEncrypted,
	"excelize__test_encryptSHA512.xlsx":                                              ProblemEncrypted,
	"exceldatareader__src_TestData_agile_AES256_SHA512_CBC_pwd_password.xlsx":        ProblemEncrypted,
	"exceldatareader__src_TestData_standard_AES128_SHA1_ECB_pwd_password.xlsx":       ProblemEncrypted,
	"exceldatareader__src_TestData_strict_agile_AES128_SHA384_CBC_pwd_password.xlsx": ProblemEncrypted,
	"exceldatareader__src_TestData_TestFail_Binary.xls":                              ProblemText,
	"exceldatareader__src_TestData_EmptyZipFile.xlsx":                                ProblemCorrupt,
	"poi__test-data_poifs_protected_sha512.xlsx":                                     ProblemEncrypted,
	"poi__test-data_openxml4j_invalid.xlsx":                                          ProblemCorrupt,
	"python-calamine__tests_data_empty_file.xlsx":                                    ProblemText,
	"roo__test_files_type_excel.xlsx":                                                ProblemLegacyXLS,
	"openpyxl__openpyxl_tests_data_reader_null_archive.xlsx":                         ProblemCorrupt,
	"exceljs__spec_integration_data_missing-bits.xlsx":                               ProblemCorrupt,
}

type corpusResult struct {
	err    error
	sheets map[string]map[string]Cell // sheet -> ref -> cell
	panic  string
}

func readCorpusFile(path string) (res corpusResult) {
	defer func() {
		if p := recover(); p != nil {
			res.panic = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	wb, err := Open(path, Limits{})
	if err != nil {
		return corpusResult{err: err}
	}
	defer wb.Close()
	res.sheets = make(map[string]map[string]Cell)
	for _, name := range wb.Sheets() {
		rows, err := wb.Rows(name)
		if err != nil {
			return corpusResult{err: err}
		}
		cells := make(map[string]Cell)
		for rows.Next() {
			for _, c := range rows.Cells() {
				cells[c.Ref(rows.Row())] = c
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return corpusResult{err: err}
		}
		res.sheets[name] = cells
	}
	return res
}

func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no corpus at %s", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	read, rejected := 0, 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".md") {
			continue
		}
		t.Run(name+" reads fully or is rejected with a reason", func(t *testing.T) {
			path := filepath.Join(corpusDir, name)
			done := make(chan corpusResult, 1)
			start := time.Now()
			go func() { done <- readCorpusFile(path) }()
			var res corpusResult
			select {
			case res = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("still reading after 10 s")
			}
			if res.panic != "" {
				t.Fatalf("panic: %s", res.panic)
			}
			want, pinned := corpusWant[name]
			if res.err != nil {
				var fe *FormatError
				if !errors.As(res.err, &fe) {
					t.Fatalf("error is not a *FormatError: %v", res.err)
				}
				if pinned && fe.Problem != want {
					t.Errorf("problem %v, want %v (%v)", fe.Problem, want, res.err)
				}
				t.Logf("rejected in %v: %v", time.Since(start).Round(time.Millisecond), res.err)
				rejected++
				return
			}
			if pinned {
				t.Errorf("read fine, want problem %v", want)
			}
			read++
			n := 0
			for _, cells := range res.sheets {
				n += len(cells)
			}
			t.Logf("read %d sheets, %d cells in %v", len(res.sheets), n, time.Since(start).Round(time.Millisecond))
			compareWithExcelize(t, path, res.sheets)
		})
	}
	t.Logf("%d files read, %d rejected", read, rejected)
}

// compareWithExcelize checks the String and Number cells of a few sheets
// against excelize's raw values, as a second opinion from an independent
// reader. Only differences nobody can explain fail the test.
func compareWithExcelize(t *testing.T, path string, sheets map[string]map[string]Cell) {
	t.Helper()
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		t.Logf("excelize cannot open it: %v", err)
		return
	}
	defer f.Close()
	compared := 0
	for _, name := range f.GetSheetList() {
		mine, ok := sheets[name]
		if !ok || compared == 5 {
			continue
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Logf("excelize cannot read sheet %q: %v", name, err)
			continue
		}
		compared++
		theirs := make(map[string]string)
		for r, row := range rows {
			for c, v := range row {
				if v != "" {
					theirs[ColumnName(c+1)+fmt.Sprint(r+1)] = v
				}
			}
		}
		var diffs []string
		for ref, c := range mine {
			if c.Type != String && c.Type != Number {
				continue
			}
			if c.Formula && !c.Cached {
				continue
			}
			if got := theirs[ref]; got != c.Value {
				diffs = append(diffs, fmt.Sprintf("%s!%s: we read %s %q, excelize %q", name, ref, c.Type, clip(c.Value), clip(got)))
			}
		}
		for ref, v := range theirs {
			if _, ok := mine[ref]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s!%s: we read nothing, excelize %q", name, ref, clip(v)))
			}
		}
		if len(diffs) > 0 {
			slices.Sort(diffs)
			if len(diffs) > 10 {
				diffs = append(diffs[:10], fmt.Sprintf("... %d more", len(diffs)-10))
			}
			if why, ok := excelizeQuirks[filepath.Base(path)]; ok {
				t.Logf("%d differences from excelize, explained: %s", len(diffs), why)
				continue
			}
			t.Errorf("differences from excelize:\n%s", strings.Join(diffs, "\n"))
		}
	}
}

// excelizeQuirks names the corpus files on which excelize, not this
// reader, is wrong, and why; their differences are logged, not failed.
var excelizeQuirks = map[string]string{
	"calamine__tests_empty_s_attribute.xlsx": `excelize's GetRows drops every cell with s="" (GetCellValue reads them)`,
	"sheetjs-test_files__wtf_path.xlsx":      "excelize loads shared strings only from xl/sharedStrings.xml, this package's are at wtf/sharedStrings.xml",
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
