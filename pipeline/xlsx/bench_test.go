package xlsx

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const benchRows = 100_000

// writeBenchWorkbook writes a quarterly-report-shaped sheet: 100,000 rows
// of 9 columns mixing integers, amounts, dates and text. excelize's
// StreamWriter writes text as inline strings.
func writeBenchWorkbook(b *testing.B, path string) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		b.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	categories := []string{"Personal", "Sachkosten", "Investitionen", "Reisekosten"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]any, 9)
	for r := 1; r <= benchRows; r++ {
		row[0] = r
		row[1] = fmt.Sprintf("Gemeinde %d", r%997)
		row[2] = float64(r%100000) * 1.37
		row[3] = excelize.Cell{StyleID: dateStyle, Value: 45292 + r%366}
		row[4] = categories[r%len(categories)]
		row[5] = r % 250
		row[6] = 0.19
		row[7] = base.AddDate(0, 0, r%90)
		row[8] = "Beleg " + fmt.Sprint(r)
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkReadRows(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	writeBenchWorkbook(b, path)

	b.Run("xlsx", func(b *testing.B) {
		for b.Loop() {
			wb, err := Open(path, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			rs, err := wb.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n, cells := 0, 0
			for rs.Next() {
				n++
				cells += len(rs.Cells())
			}
			if err := rs.Err(); err != nil {
				b.Fatal(err)
			}
			rs.Close()
			wb.Close()
			if n != benchRows || cells != 9*benchRows {
				b.Fatalf("read %d rows, %d cells", n, cells)
			}
		}
		b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})

	b.Run("excelize", func(b *testing.B) {
		for b.Loop() {
			f, err := excelize.OpenFile(path)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			f.Close()
			if n != benchRows {
				b.Fatalf("read %d rows", n)
			}
		}
		b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkMergedCells reads a sheet of two rows followed by 120,000
// merged ranges, which the reader reads past, unparsed, to the end of the
// part so that its checksum is compared.
func BenchmarkMergedCells(b *testing.B) {
	sheet := strings.Replace(worksheet(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`),
		"</sheetData>", "</sheetData>"+mergeCells(120_000), 1)
	data := oneSheet(b, sheet, "")
	b.SetBytes(int64(len(sheet)))
	for b.Loop() {
		wb, err := openBytes(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		rows, err := readAll(b, wb, "S")
		if err != nil || len(rows) != 2 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
		wb.Close()
	}
}
