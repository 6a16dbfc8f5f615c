package report_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"grantpipe/pipeline/cputime"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
)

// The report benchmarks time what the report job does for a period (see
// report.WriteAll): a district's documents with its receipts loaded from
// the database right before they are rendered, the state's documents, and
// the whole period. They render into memory, as WriteAll does before it
// compares with the file on disk; only BenchmarkPeriodReports writes files.

// benchCase is the data a benchmark runs on: the demo scaled to districts
// districts, each with quarters quarters of lines receipts (0: the demo's
// 40–150 a quarter).
type benchCase struct {
	districts, quarters, lines int
}

func (c benchCase) String() string {
	if c.lines == 0 {
		return fmt.Sprintf("%ddistricts", c.districts)
	}
	return fmt.Sprintf("%ddistricts_%dlines", c.districts, c.lines)
}

// benchCases are the sizes: the demo's at CI's small size; with
// GRANTPIPE_BENCH=full also 100 districts (time per district report must
// not grow with their number) and districts with 2,000 and 5,000 lines a
// quarter (8,000 and 20,000 receipts in the annual report; 5,000 a quarter
// is the 400-district batch's).
func benchCases() []benchCase {
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		return []benchCase{{14, 3, 0}, {100, 3, 0}, {14, 4, 2000}, {14, 4, 5000}}
	}
	return []benchCase{{14, 3, 0}}
}

// reportEnv is a database with a case's data ingested and checked.
type reportEnv struct {
	st  *store.Store
	p   *programme.Programme
	cat *messages.Catalog
}

// newReportEnv writes the case's workbooks, ingests and checks them. Its
// folder and database belong to owner, which may outlive the benchmark
// that fails with b.
func newReportEnv(b, owner testing.TB, c benchCase) *reportEnv {
	b.Helper()
	base, err := programme.Default()
	if err != nil {
		b.Fatal(err)
	}
	p, err := demo.ScaledProgramme(base, c.districts)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := messages.Default()
	if err != nil {
		b.Fatal(err)
	}
	dir := datadir.New(owner.TempDir())
	if err := dir.Ensure(nil); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.WriteScaled(p.Years[0], cat, dir.InboxOf, demo.Scale{Quarters: c.quarters, Lines: c.lines}); err != nil {
		b.Fatal(err)
	}
	st := ingestAndCheck(b, owner, dir, p, cat, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	return &reportEnv{st: st, p: p, cat: cat}
}

// load loads a period's data as the report job does (without receipts).
func (e *reportEnv) load(b testing.TB, period report.Period) *report.Data {
	b.Helper()
	d, err := report.Load(context.Background(), e.st, e.p, period, "de")
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// eachCase runs bench for every case as a sub-benchmark. A case's data is
// made once, when its first run needs it, and kept until b ends: a
// sub-benchmark runs more than once (first with b.N = 1), and the data of
// 14 districts with 5,000 lines a quarter takes a minute to make.
func eachCase(b *testing.B, bench func(b *testing.B, e *reportEnv)) {
	for _, c := range benchCases() {
		var env *reportEnv
		b.Run(c.String(), func(sub *testing.B) {
			if env == nil {
				env = newReportEnv(sub, b, c)
			}
			bench(sub, env)
		})
	}
}

// BenchmarkDistrictReport is a district's annual report as the report job
// makes it: its receipts loaded from the database, the PDF with its
// Belegliste and the workbook with its receipts sheet rendered, the
// receipts dropped. receipts/op is how many the district has.
func BenchmarkDistrictReport(b *testing.B) {
	eachCase(b, func(b *testing.B, e *reportEnv) {
		ctx := context.Background()
		d := e.load(b, report.Period{Year: 2026})
		dist := &d.Districts[len(d.Districts)-1]
		receipts := 0
		b.ResetTimer()
		defer cputime.PerOp(b)()
		for range b.N {
			if err := report.LoadReceipts(ctx, e.st, d, dist); err != nil {
				b.Fatal(err)
			}
			receipts = len(dist.Receipts)
			if err := report.WriteDistrictPDF(io.Discard, d, dist, e.cat); err != nil {
				b.Fatal(err)
			}
			if err := report.WriteDistrictExcel(io.Discard, d, dist, e.cat); err != nil {
				b.Fatal(err)
			}
			dist.Receipts = nil
		}
		b.ReportMetric(float64(receipts), "receipts/op")
	})
}

// BenchmarkDistrictReportParts times the steps of BenchmarkDistrictReport
// one by one, to show where its time goes: loading the receipts, the PDF,
// the workbook (each document with the receipts already loaded); and, for
// comparison in the same run, both documents without any receipts (what
// BenchmarkDistrictReport timed until it loaded them).
func BenchmarkDistrictReportParts(b *testing.B) {
	eachCase(b, func(b *testing.B, e *reportEnv) {
		ctx := context.Background()
		d := e.load(b, report.Period{Year: 2026})
		dist := &d.Districts[len(d.Districts)-1]
		b.Run("no_receipts", func(b *testing.B) {
			defer cputime.PerOp(b)()
			for range b.N {
				if err := report.WriteDistrictPDF(io.Discard, d, dist, e.cat); err != nil {
					b.Fatal(err)
				}
				if err := report.WriteDistrictExcel(io.Discard, d, dist, e.cat); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("receipts", func(b *testing.B) {
			defer cputime.PerOp(b)()
			for range b.N {
				if err := report.LoadReceipts(ctx, e.st, d, dist); err != nil {
					b.Fatal(err)
				}
			}
		})
		if err := report.LoadReceipts(ctx, e.st, d, dist); err != nil {
			b.Fatal(err)
		}
		b.Run("pdf", func(b *testing.B) {
			defer cputime.PerOp(b)()
			for range b.N {
				if err := report.WriteDistrictPDF(io.Discard, d, dist, e.cat); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("xlsx", func(b *testing.B) {
			defer cputime.PerOp(b)()
			for range b.N {
				if err := report.WriteDistrictExcel(io.Discard, d, dist, e.cat); err != nil {
					b.Fatal(err)
				}
			}
		})
		dist.Receipts = nil
	})
}

// BenchmarkStateReport is the state's annual PDF and workbook, as the
// report job renders them (they show no receipts: none are loaded).
func BenchmarkStateReport(b *testing.B) {
	eachCase(b, func(b *testing.B, e *reportEnv) {
		d := e.load(b, report.Period{Year: 2026})
		b.ResetTimer()
		defer cputime.PerOp(b)()
		for range b.N {
			if err := report.WriteStatePDF(io.Discard, d, e.cat); err != nil {
				b.Fatal(err)
			}
			if err := report.WriteStateExcel(io.Discard, d, e.cat); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPeriodReports is the report job for the year, whole: the
// period's data loaded, then every district's documents (receipts loaded
// one district at a time) and the state's written by report.WriteAll into
// a new folder, on every core. ms/district is the time per district.
func BenchmarkPeriodReports(b *testing.B) {
	eachCase(b, func(b *testing.B, e *reportEnv) {
		ctx := context.Background()
		out := b.TempDir()
		districts := 0
		b.ResetTimer()
		defer cputime.PerOp(b)()
		for i := range b.N {
			d := e.load(b, report.Period{Year: 2026})
			districts = len(d.Districts)
			dir := filepath.Join(out, strconv.Itoa(i))
			if _, err := report.WriteAll(ctx, dir, d, e.cat, func(dist *report.District) error {
				return report.LoadReceipts(ctx, e.st, d, dist)
			}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := os.RemoveAll(dir); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(districts), "ms/district")
	})
}

// TestTheFourthQuarterAndTheYearLoad: the fourth quarter's end is in the
// next calendar year's month arithmetic (a bug the 400-district run found).
func TestTheFourthQuarterAndTheYearLoad(t *testing.T) {
	e := newReportEnv(t, t, benchCase{districts: 2, quarters: 4})
	for _, period := range []report.Period{{Year: 2026, Quarter: 4}, {Year: 2026}} {
		d := e.load(t, period)
		if d.Districts[0].Coordinators == 0 || len(d.Districts[0].Trend) != 4 {
			t.Errorf("%s: %d coordinators, %d quarters of trend", period.Slug(), d.Districts[0].Coordinators, len(d.Districts[0].Trend))
		}
	}
}
