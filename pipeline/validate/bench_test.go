package validate_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

// validateSizes: 10,000 lines always (CI), 1 and 10 million with
// GRANTPIPE_BENCH=full.
func validateSizes() []int {
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		return []int{10_000, 1_000_000, 10_000_000}
	}
	return []int{10_000}
}

// groupByPeers are the benchmark's peers: a bare GROUP BY over the rows
// validation reads, once straight from the receipts table and once through
// the view the receipt rules read. Each runs before every validation run
// in the same process over the same database, so the ratios (x-receipts,
// x-current metrics: validation's time over the peer's) hold whatever else
// the machine is doing.
var groupByPeers = []struct{ metric, file string }{
	{"receipts", "bench/group_by_receipts.sql"},
	{"current", "bench/group_by_current_receipts.sql"},
}

// BenchmarkValidate runs every rule and the grant computation over n
// receipts of the 14 districts' four quarters, written straight into the
// database, and reports how many times a bare GROUP BY over the same rows
// validation takes (see groupByPeers). It measures the checks after the
// first: the first shares the claims of everything stored (see
// first-check-s), a later one only those of what was stored since.
func BenchmarkValidate(b *testing.B) {
	for _, n := range validateSizes() {
		b.Run(fmt.Sprintf("%dlines", n), func(b *testing.B) {
			w := newWorld(b, nil)
			ctx := context.Background()
			y := w.p.Years[0]
			var subs, coords [][]any
			received := time.Date(2026, 4, 8, 8, 0, 0, 0, time.UTC)
			for i, d := range y.Districts {
				for q := 1; q <= 4; q++ {
					id := int64(i*4 + q)
					r := received.AddDate(0, 3*(q-1), 0)
					subs = append(subs, []any{id, fmt.Sprintf("sha%d", id), fmt.Sprintf("bench_%d.xlsx", id), "x", nil, "accepted", "x",
						r, r, r, "bench", int64(1), false, d.AGS, int32(2026), int32(q), d.Name, nil, "Bench", nil, nil, r})
					coords = append(coords, []any{id, "Koordinatoren", int32(2), d.AGS + "-1", "A2", nil, nil, nil, nil, "C2",
						"E 11", "E 11", "D2", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), nil, "E2", nil, nil, nil})
				}
			}
			conn, err := w.st.Raw().Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if err := store.Append(ctx, conn, "submissions", subs); err != nil {
				b.Fatal(err)
			}
			if err := store.Append(ctx, conn, "coordinators", coords); err != nil {
				b.Fatal(err)
			}
			conn.Close()
			if err := w.st.FillBenchmarkReceipts(ctx, n, len(subs)); err != nil {
				b.Fatal(err)
			}
			rs, _ := rules.Load(queries.FS, "rules")
			rs, _ = rules.Merge(rs, nil)
			v, err := validate.New(ctx, w.st, w.p, rs, validate.WithLog(benchLog()))
			if err != nil {
				b.Fatal(err)
			}
			peers := make([]string, len(groupByPeers))
			for i, p := range groupByPeers {
				text, err := queries.FS.ReadFile(p.file)
				if err != nil {
					b.Fatal(err)
				}
				peers[i] = string(text)
			}
			// The first check after the data was stored shares the claims
			// of all of it (validate/share_claims.sql), once; the runs
			// measured are the checks after it, with nothing new to share.
			// first-check-s is that first check.
			opt := validate.Options{AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
			start := time.Now()
			if _, err := v.Run(ctx, opt); err != nil {
				b.Fatal(err)
			}
			first := time.Since(start)
			peerTime := make([]time.Duration, len(peers))
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				for i, q := range peers {
					start := time.Now()
					if err := drain(ctx, w.st.Raw(), q); err != nil {
						b.Fatal(err)
					}
					peerTime[i] += time.Since(start)
				}
				b.StartTimer()
				res, err := v.Run(ctx, opt)
				if err != nil || len(res.Grants) != 14 {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(first.Seconds(), "first-check-s")
			for i, p := range groupByPeers {
				b.ReportMetric(b.Elapsed().Seconds()/peerTime[i].Seconds(), "x-"+p.metric)
			}
			w.st.Close()
		})
	}
}

// benchLog is where a benchmark's validation runs log each rule's time:
// standard error with GRANTPIPE_BENCH_LOG=debug, nowhere otherwise.
func benchLog() *slog.Logger {
	if os.Getenv("GRANTPIPE_BENCH_LOG") != "debug" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// drain runs query and reads every row of its result.
func drain(ctx context.Context, db *sql.DB, query string) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
