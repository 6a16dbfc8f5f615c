package submission_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"grantpipe/pipeline/submission"
)

// BenchmarkReadODS reads the submissions of BenchmarkReadWorkbook saved as
// .ods (in Go, as LibreOffice writes them), for a comparison of the two
// formats: the .ods's content.xml, which holds every sheet, is three to
// four times the size of the .xlsx's worksheets and shared strings.
func BenchmarkReadODS(b *testing.B) {
	p, _ := deps(b)
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("%dlines", n), func(b *testing.B) {
			dir := b.TempDir()
			x, err := os.ReadFile(workbook(b, dir, n))
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(dir, "w.ods")
			if err := os.WriteFile(path, odsFromXLSX(b, x), 0o644); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var peak uint64
			b.ResetTimer()
			for range b.N {
				sub, err := submission.Read(path, submission.Options{Programme: p})
				if err != nil || len(sub.Receipts) != n {
					b.Fatalf("read %d lines, %v %v", len(sub.Receipts), err, sub.Findings)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
		})
	}
}
