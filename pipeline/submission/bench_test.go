package submission_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/submission"
)

// benchSizes are the workbook sizes benchmarked: 1,000 lines always (CI
// runs it once so the benchmark cannot rot), 10,000 and 100,000 with
// GRANTPIPE_BENCH=full.
func benchSizes() []int {
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		return []int{1_000, 10_000, 100_000}
	}
	return []int{1_000}
}

// workbook writes a Belegliste of n lines through the form writer.
func workbook(b *testing.B, dir string, n int) string {
	b.Helper()
	p, _ := programme.Default()
	y := p.Years[0]
	_, cat := deps(b)
	d := demo.Minimal(&y.Districts[0], 1)
	d.Receipts = d.Receipts[:0]
	for i := range n {
		paid := time.Date(2026, time.Month(1+i%3), 1+i%28, 0, 0, 0, 0, time.UTC)
		d.Receipts = append(d.Receipts, form.Row{form.FLineNo: i + 1, form.FCategory: y.Categories[1+i%5].NameDE, form.FInvoiceDate: paid,
			form.FPaymentDate: paid, form.FPayee: fmt.Sprintf("Empfänger %d GmbH", i%97), form.FPurpose: "Büromaterial und Druckkosten",
			form.FAmount: money.Cents(1000 + (i*7919)%500000), form.FReceiptNo: fmt.Sprintf("B-%06d", i)})
	}
	bytes, err := demo.Workbook(y, cat, "de", form.Prefill{District: &y.Districts[0], Year: 2026, Quarter: 1}, d, nil)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("w%d.xlsx", n))
	if err := os.WriteFile(path, bytes, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReadWorkbook reads one submission: the streaming cell reader,
// header detection and the parsing of every value, without the database.
func BenchmarkReadWorkbook(b *testing.B) {
	p, _ := deps(b)
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("%dlines", n), func(b *testing.B) {
			path := workbook(b, b.TempDir(), n)
			b.ReportAllocs()
			var peak uint64
			b.ResetTimer()
			for range b.N {
				sub, err := submission.Read(path, submission.Options{Programme: p})
				if err != nil || len(sub.Receipts) != n {
					b.Fatalf("read %d lines, %v", len(sub.Receipts), err)
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
