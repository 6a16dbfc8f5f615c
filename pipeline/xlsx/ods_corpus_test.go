package xlsx

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// odsCorpusDir holds real-world .ods files from other readers' test suites
// (calamine, roo, …), beside the repository like the .xlsx corpus; the
// environment variable GRANTPIPE_ODS_CORPUS names another folder.
func odsCorpusDir() string {
	if dir := os.Getenv("GRANTPIPE_ODS_CORPUS"); dir != "" {
		return dir
	}
	return filepath.Join(filepath.Dir(corpusDir), "ods")
}

// TestODSCorpus reads every .ods of the corpus: each must read fully or be
// rejected with a *FormatError, in time and without a panic; a file whose
// name says it has a password must be ProblemEncrypted. With soffice on
// PATH, LibreOffice saves each as .xlsx and every cell must read the same
// from both (up to the differences of LibreOffice's own, below).
func TestODSCorpus(t *testing.T) {
	dir := odsCorpusDir()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no corpus at %s", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(strings.ToLower(e.Name()), ".ods") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	read := map[string]map[string]map[string]Cell{}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name+" reads fully or is rejected with a reason", func(t *testing.T) {
			done := make(chan corpusResult, 1)
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
			protected := strings.Contains(name, "protected") || strings.Contains(name, "encrypted")
			if res.err != nil {
				var fe *FormatError
				if !errors.As(res.err, &fe) {
					t.Fatalf("error is not a *FormatError: %v", res.err)
				}
				if protected && fe.Problem != ProblemEncrypted {
					t.Errorf("problem %v, want encrypted", fe.Problem)
				}
				t.Logf("rejected: %v", res.err)
				return
			}
			if protected {
				t.Errorf("read fine, want encrypted")
			}
			read[path] = res.sheets
		})
	}
	if len(read) == 0 {
		return
	}
	var paths []string
	for p := range read {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	t.Run("LibreOffice reads the same cells", func(t *testing.T) {
		// Only the files the reader read: LibreOffice hangs on some that it
		// refuses (calamine's denial-of-service test).
		outDir := t.TempDir()
		if out, err := convert(sofficePath(t), "xlsx", outDir, 5*time.Minute, paths...); err != nil {
			t.Errorf("soffice: %v\n%s", err, out)
		}
		for _, p := range paths {
			x := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))+".xlsx")
			if _, err := os.Stat(x); err != nil {
				t.Errorf("%s: LibreOffice wrote no .xlsx", filepath.Base(p))
				continue
			}
			res := readCorpusFile(x)
			if res.err != nil {
				t.Errorf("%s: LibreOffice's .xlsx: %v", filepath.Base(p), res.err)
				continue
			}
			for sheet, cells := range read[p] {
				for ref, c := range cells {
					if lo, ok := res.sheets[sheet][ref]; !ok || !sameAsLibreOffice(c, lo) {
						t.Errorf("%s: %s!%s is %+v, LibreOffice's .xlsx has %+v", filepath.Base(p), sheet, ref, c, lo)
					}
				}
				for ref, lo := range res.sheets[sheet] {
					if _, ok := cells[ref]; !ok {
						t.Errorf("%s: %s!%s missing, LibreOffice's .xlsx has %+v", filepath.Base(p), sheet, ref, lo)
					}
				}
			}
		}
	})
}

// sameAsLibreOffice compares a cell read from an .ods with the cell read
// from LibreOffice's .xlsx of it. Numbers are compared as numbers (the
// .xlsx has "1E-007" where the .ods has "0.0000001"; times to 15 digits);
// the .xlsx reader marks text in a date-formatted cell as DateFormat, which
// means nothing for text; and LibreOffice keeps the result of a formula
// as a boolean or a number as the cell's format, not its value type, says.
func sameAsLibreOffice(ods, lo Cell) bool {
	if ods.Type != Number {
		ods.DateFormat, lo.DateFormat = false, false
	}
	if ods.Formula && lo.Formula && (ods.Type == Bool) != (lo.Type == Bool) && ods.Value == lo.Value {
		lo.Type = ods.Type
	}
	if ods.Type == Number && lo.Type == Number {
		a, errA := strconv.ParseFloat(ods.Value, 64)
		b, errB := strconv.ParseFloat(lo.Value, 64)
		if errA == nil && errB == nil && (a == b || ods.DateFormat && abs(a-b) < 1e-8) {
			lo.Value = ods.Value
		}
	}
	return ods == lo
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
