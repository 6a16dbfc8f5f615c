package xlsx

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// libreOffice converts files to format ("ods" or "xlsx") into outDir with
// a real LibreOffice, as districts save them, and returns the paths of the
// results. It skips the test when soffice is not on PATH.
func libreOffice(t testing.TB, format, outDir string, files ...string) []string {
	t.Helper()
	out, err := convert(sofficePath(t), format, outDir, 3*time.Minute, files...)
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+format)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("soffice wrote no %s: %v\n%s", p, err, out)
		}
		paths = append(paths, p)
	}
	return paths
}

// sofficePath finds LibreOffice, or skips the test.
func sofficePath(t testing.TB) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not on PATH: install LibreOffice (Debian libreoffice-calc-nogui) to run this test")
	}
	return soffice
}

// convert runs soffice with a profile of its own, so that tests running at
// the same time do not share (and lock) one, and a deadline.
func convert(soffice, format, outDir string, timeout time.Duration, files ...string) ([]byte, error) {
	profile, err := os.MkdirTemp("", "lo-profile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=file://" + filepath.ToSlash(profile), "--convert-to", format, "--outdir", outDir}, files...)
	return exec.CommandContext(ctx, soffice, args...).CombinedOutput()
}

// TestODSFromLibreOfficeReadsAsItsXLSX saves one workbook with LibreOffice
// as .ods and as .xlsx: every cell of every sheet must read the same from
// both, as LibreOffice's own model of the workbook is the same.
func TestODSFromLibreOfficeReadsAsItsXLSX(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "quelle.xlsx")
	data := excelizeBytes(t, func(f *excelize.File) error {
		dmy, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("DD.MM.YYYY")})
		dt, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("DD.MM.YYYY hh:mm")})
		hm, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("hh:mm")})
		euro, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`#,##0.00 "€"`)})
		pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
		_, err := f.NewSheet("Zwei")
		steps := []error{err,
			f.SetCellStr("Sheet1", "A1", "1.234"),
			f.SetCellValue("Sheet1", "B1", 1.234),
			f.SetCellValue("Sheet1", "C1", 46112),
			f.SetCellStyle("Sheet1", "C1", "C1", dmy),
			f.SetCellValue("Sheet1", "D1", 46112.5),
			f.SetCellStyle("Sheet1", "D1", "D1", dt),
			f.SetCellValue("Sheet1", "E1", 0.75),
			f.SetCellStyle("Sheet1", "E1", "E1", hm),
			f.SetCellValue("Sheet1", "F1", 4723.93),
			f.SetCellStyle("Sheet1", "F1", "F1", euro),
			f.SetCellValue("Sheet1", "G1", 0.19),
			f.SetCellStyle("Sheet1", "G1", "G1", pct),
			f.SetCellFormula("Sheet1", "H1", "80.50+15.29"),
			f.SetCellFormula("Sheet1", "I1", "1/0"),
			f.SetCellFormula("Sheet1", "J1", `"ab"&"cd"`),
			f.SetCellFormula("Sheet1", "K1", `""`),
			f.SetCellStr("Sheet1", "A2", "Zeile 1\nZeile 2"),
			f.SetCellStr("Sheet1", "B2", "  zwei  Leerzeichen "),
			f.SetCellStr("Sheet1", "C2", "Tab\tdanach"),
			f.SetCellStr("Sheet1", "D2", "=keine Formel"),
			f.SetCellStr("Sheet1", "J2", " a\nb "),
			f.SetCellStr("Sheet1", "E2", "Dolmetsch- und Übersetzungsleistungen – „Zitat“ €"),
			f.SetCellStr("Sheet1", "F2", strings.Repeat("lang ", 2000)),
			f.SetCellValue("Sheet1", "G2", -12.5),
			f.SetCellValue("Sheet1", "H2", 1e-7),
			f.SetCellValue("Sheet1", "I2", 123456789012.25),
			f.MergeCell("Sheet1", "A4", "C5"),
			f.SetCellStr("Sheet1", "A4", "verbunden"),
			f.SetCellStr("Sheet1", "E4", "danach"),
			f.AddComment("Sheet1", excelize.Comment{Cell: "B1", Author: "Prüfer", Text: "bitte prüfen"}),
			f.SetRowVisible("Sheet1", 6, false),
			f.SetCellStr("Sheet1", "A6", "versteckt"),
			f.SetCellStr("Zwei", "C3", "weit unten"),
			f.SetCellValue("Zwei", "Z100", 7),
		}
		// The same values side by side and one under the other, which
		// LibreOffice writes as repeated cells and rows.
		for r := 10; r <= 14; r++ {
			for _, c := range []string{"A", "B", "C", "D"} {
				steps = append(steps, f.SetCellStr("Sheet1", c+strconv.Itoa(r), "gleich"))
			}
			steps = append(steps, f.SetCellValue("Sheet1", "E"+strconv.Itoa(r), 46052), f.SetCellStyle("Sheet1", "E"+strconv.Itoa(r), "E"+strconv.Itoa(r), dmy))
		}
		return errors.Join(steps...)
	})
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	odsPath := libreOffice(t, "ods", filepath.Join(dir, "ods"), src)[0]
	xlsxPath := libreOffice(t, "xlsx", filepath.Join(dir, "xlsx"), src)[0]

	read := func(path string) map[string]map[string]Cell {
		wb, err := Open(path, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer wb.Close()
		out := map[string]map[string]Cell{}
		for _, s := range wb.Sheets() {
			out[s] = cellMap(t, wb, s)
		}
		return out
	}
	fromODS, fromXLSX := read(odsPath), read(xlsxPath)
	if len(fromODS["Sheet1"]) < 40 {
		t.Fatalf("only %d cells on Sheet1 of the .ods", len(fromODS["Sheet1"]))
	}
	// Dates and times: LibreOffice writes the serial number of a date with
	// a time of day to 15 significant digits in .xlsx, the .ods has the
	// time itself; they agree to a millisecond.
	// Other numbers are written in other notations ("1E-007" in .xlsx,
	// "0.0000001" in .ods), of the same value.
	numbers := cmp.Comparer(func(a, b Cell) bool {
		if a.Type == Number && b.Type == Number {
			fa, errA := strconv.ParseFloat(a.Value, 64)
			fb, errB := strconv.ParseFloat(b.Value, 64)
			if errA == nil && errB == nil && (fa == fb || a.DateFormat && b.DateFormat && math.Abs(fa-fb) < 1e-8) {
				a.Value = b.Value
			}
		}
		return a == b
	})
	if diff := cmp.Diff(fromXLSX, fromODS, numbers); diff != "" {
		t.Errorf("cells (-xlsx +ods):\n%s", diff)
	}
}
