package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

var (
	benchInboxOnce sync.Once
	benchInbox     string
	benchLines     int
)

// benchScale is the inbox benchmarked: the 14-district demo with 1,000
// lines per submission (56 files, 56,000 lines); GRANTPIPE_BENCH_LINES
// changes the lines.
func benchData(b *testing.B) (string, int) {
	benchInboxOnce.Do(func() {
		lines := 1000
		if v, err := strconv.Atoi(os.Getenv("GRANTPIPE_BENCH_LINES")); err == nil && v > 0 {
			lines = v
		}
		dir, err := os.MkdirTemp("", "grantpipe-bench-inbox-*")
		if err != nil {
			b.Fatal(err)
		}
		p, _ := programme.Default()
		_, cat := defaultYear(b)
		files, err := demo.WriteScaled(p.Years[0], cat, func(ags string) string { return filepath.Join(dir, ags) }, demo.Scale{Quarters: 4, Lines: lines})
		if err != nil {
			b.Fatal(err)
		}
		benchInbox, benchLines = dir, len(files)*lines
	})
	return benchInbox, benchLines
}

// copyTree copies the benchmark's inbox into a data directory's inbox,
// keeping the received times.
func copyTree(b *testing.B, from, to string) {
	b.Helper()
	filepath.WalkDir(from, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		data, _ := os.ReadFile(p)
		info, _ := e.Info()
		os.WriteFile(dst, data, 0o644)
		os.Chtimes(dst, info.ModTime(), info.ModTime())
		return nil
	})
}

// BenchmarkIngestInbox ingests a whole inbox: files read on every core,
// stored by one writer, moved to the archive: from file to committed rows.
func BenchmarkIngestInbox(b *testing.B) {
	from, lines := benchData(b)
	p, _ := programme.Default()
	_, cat := defaultYear(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := datadir.New(b.TempDir())
		dir.Ensure(nil)
		copyTree(b, from, dir.Inbox())
		st, err := store.Open(context.Background(), dir.Database(), queries.FS)
		if err != nil {
			b.Fatal(err)
		}
		in := &ingest.Ingester{Dir: dir, Store: st, Programme: p, Catalog: cat, Lang: "de"}
		b.StartTimer()
		res, err := in.Run(context.Background(), nil)
		b.StopTimer()
		if err != nil || res.Rejected != 0 {
			b.Fatal(err)
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
