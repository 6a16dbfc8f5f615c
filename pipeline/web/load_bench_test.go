package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/money"
)

// loadSizes: the districts uploading at once, then the burst. Issue 14's
// sizes (14, then 50) with GRANTPIPE_BENCH=full; CI runs a small one.
func loadSizes() (together, burst int) {
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		return 14, 50
	}
	return 3, 4
}

// BenchmarkUploads measures what a district waits for: the time from
// sending its workbook to the answer naming its result page (the file
// ingested, everything checked, its feedback written — all before the
// answer), first with every district uploading at once, then in a burst
// round the districts. Uploads take turns at the one writer, so the wait
// grows with the queue: p50, p95 and the longest are reported per phase.
// It runs on the demo's data directory (42 files, the year so far), with
// Q4 files of the demo's minimal data, each distinct.
func BenchmarkUploads(b *testing.B) {
	together, burst := loadSizes()
	for range b.N {
		b.StopTimer()
		s := newSite(b, nil)
		s.clock.add(46 * 24 * time.Hour)
		y, _ := s.prog.Year(2026)
		var users []*browser
		var ags []string
		err := s.srv.Accounts(context.Background(), func(a *accounts.Service) error {
			for _, d := range y.Districts {
				if _, _, err := a.Add(context.Background(), "k"+d.AGS, accounts.RoleDistrict, d.AGS, password); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range y.Districts {
			users = append(users, s.loggedIn("k"+d.AGS))
			ags = append(ags, d.AGS)
		}
		b.StartTimer()
		for _, phase := range []struct {
			name string
			n    int
		}{{"together", together}, {"burst", burst}} {
			waits := make([]time.Duration, phase.n)
			codes := make([]int, phase.n)
			var wg sync.WaitGroup
			for i := range phase.n {
				u, d := users[i%len(users)], ags[i%len(ags)]
				// Each upload distinct: one more cent on the third line.
				wb := s.workbook(d, 4, func(fd *form.Data) { fd.Receipts[2][form.FAmount] = money.Cents(1000 + len(phase.name)*1000 + i) })
				wg.Add(1)
				go func() {
					defer wg.Done()
					t0 := time.Now()
					codes[i] = u.upload(fmt.Sprintf("%s_%02d.xlsx", phase.name, i), wb).StatusCode
					waits[i] = time.Since(t0)
				}()
			}
			wg.Wait()
			for i, c := range codes {
				if c != http.StatusSeeOther {
					b.Fatalf("%s upload %d: status %d", phase.name, i, c)
				}
			}
			slices.Sort(waits)
			at := func(q float64) float64 { return waits[min(len(waits)-1, int(q*float64(len(waits))))].Seconds() }
			b.ReportMetric(at(0.5), phase.name+"-p50-s")
			b.ReportMetric(at(0.95), phase.name+"-p95-s")
			b.ReportMetric(waits[len(waits)-1].Seconds(), phase.name+"-max-s")
		}
		b.StopTimer()
		// Every file stored once.
		stored := 0
		for _, d := range ags {
			m, _ := filepath.Glob(filepath.Join(s.root, "archive", d, "2026-Q4", "*.xlsx"))
			stored += len(m)
		}
		if stored != together+burst {
			b.Fatalf("%d files archived for Q4, want %d", stored, together+burst)
		}
	}
}
