package report_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

// reportData ingests and checks the demo scaled to n districts and loads
// the annual report data.
func reportData(b testing.TB, n int) (*report.Data, *messages.Catalog) {
	return reportDataFor(b, n, 3, report.Period{Year: 2026})
}

// reportDataFor is reportData for n districts' first quarters and a period.
func reportDataFor(b testing.TB, n, quarters int, period report.Period) (*report.Data, *messages.Catalog) {
	b.Helper()
	ctx := context.Background()
	base, _ := programme.Default()
	p, err := demo.ScaledProgramme(base, n)
	if err != nil {
		b.Fatal(err)
	}
	cat, _ := messages.Default()
	dir := datadir.New(b.TempDir())
	dir.Ensure(nil)
	if _, err := demo.WriteScaled(p.Years[0], cat, dir.InboxOf, demo.Scale{Quarters: quarters}); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, dir.Database(), queries.FS)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	in := &ingest.Ingester{Dir: dir, Store: st, Programme: p, Catalog: cat, Lang: "de"}
	if _, err := in.Run(ctx, nil); err != nil {
		b.Fatal(err)
	}
	rs, _ := rules.Load(queries.FS, "rules")
	rs, _ = rules.Merge(rs, nil)
	v := &validate.Validator{Store: st, Programme: p, Rules: rs}
	if _, err := v.Run(ctx, validate.Options{AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	d, err := report.Load(ctx, st, p, period, "de")
	if err != nil {
		b.Fatal(err)
	}
	return d, cat
}

func reportSizes() []int {
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		return []int{14, 100}
	}
	return []int{14}
}

// BenchmarkDistrictReport renders one district's annual PDF and workbook;
// its time must not grow with the number of districts.
func BenchmarkDistrictReport(b *testing.B) {
	for _, n := range reportSizes() {
		b.Run(fmt.Sprintf("%ddistricts", n), func(b *testing.B) {
			d, cat := reportData(b, n)
			dist := &d.Districts[len(d.Districts)-1]
			b.ResetTimer()
			for range b.N {
				if err := report.WriteDistrictPDF(io.Discard, d, dist, cat); err != nil {
					b.Fatal(err)
				}
				if err := report.WriteDistrictExcel(io.Discard, d, dist, cat); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStateReport renders the state's annual PDF and workbook.
func BenchmarkStateReport(b *testing.B) {
	for _, n := range reportSizes() {
		b.Run(fmt.Sprintf("%ddistricts", n), func(b *testing.B) {
			d, cat := reportData(b, n)
			b.ResetTimer()
			for range b.N {
				if err := report.WriteStatePDF(io.Discard, d, cat); err != nil {
					b.Fatal(err)
				}
				if err := report.WriteStateExcel(io.Discard, d, cat); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTheFourthQuarterAndTheYearLoad: the fourth quarter's end is in the
// next calendar year's month arithmetic (a bug the 400-district run found).
func TestTheFourthQuarterAndTheYearLoad(t *testing.T) {
	for _, period := range []report.Period{{Year: 2026, Quarter: 4}, {Year: 2026}} {
		d, _ := reportDataFor(t, 2, 4, period)
		if d.Districts[0].Coordinators == 0 || len(d.Districts[0].Trend) != 4 {
			t.Errorf("%s: %d coordinators, %d quarters of trend", period.Slug(), d.Districts[0].Coordinators, len(d.Districts[0].Trend))
		}
	}
}
