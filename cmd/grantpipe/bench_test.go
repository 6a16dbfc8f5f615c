package main

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

var (
	benchOnce  sync.Map // scale -> *benchInbox
	benchScale = map[string][]string{
		"14":  {"demo"},
		"400": {"demo", "--districts", "400", "--quarters", "4", "--lines", "5000"},
	}
)

type benchInbox struct {
	once sync.Once
	dir  string
	err  error
}

// benchSource writes the inbox of a scale once per test binary (the 400
// district one takes minutes) and returns its data directory.
func benchSource(b *testing.B, scale string) string {
	v, _ := benchOnce.LoadOrStore(scale, &benchInbox{})
	bi := v.(*benchInbox)
	bi.once.Do(func() {
		if d := os.Getenv("GRANTPIPE_BENCH_DIR"); d != "" {
			bi.dir = filepath.Join(d, "scale-"+scale)
			if _, err := os.Stat(filepath.Join(bi.dir, "inbox")); err == nil {
				return // made by an earlier run
			}
		} else {
			bi.dir, bi.err = os.MkdirTemp("", "grantpipe-bench-"+scale+"-*")
		}
		args := append(append([]string{}, benchScale[scale]...), "--data", bi.dir)
		if out, err := child(&testing.T{}, nil, args...).CombinedOutput(); err != nil {
			bi.err = err
			b.Logf("%s", out)
		}
	})
	if bi.err != nil {
		b.Fatal(bi.err)
	}
	return bi.dir
}

// copyDataDir copies a prepared data directory (inbox and configuration).
func copyDataDir(b *testing.B, from, to string) {
	b.Helper()
	filepath.WalkDir(from, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.Link(p, dst); err != nil { // a hard link: the run moves, never changes, files
			data, _ := os.ReadFile(p)
			os.WriteFile(dst, data, 0o644)
		}
		info, _ := e.Info()
		os.Chtimes(dst, info.ModTime(), info.ModTime())
		return nil
	})
}

// benchRun runs the main job in a cold process over a copy of a scale's
// inbox and reports wall time per run and the process's peak memory.
func benchRun(b *testing.B, scale string) {
	src := benchSource(b, scale)
	var peak int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		copyDataDir(b, src, dir)
		cmd := child(&testing.T{}, nil, "run", "--data", dir, "--as-of", "2026-11-20")
		b.StartTimer()
		out, err := cmd.CombinedOutput()
		b.StopTimer()
		if err != nil {
			b.Fatalf("run: %v\n%s", err, out)
		}
		peak = max(peak, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/1024, "peak-MB")
}

// BenchmarkQuarterlyBatch14 is the main job on the 14-district demo (42
// submissions): ingest, validate, every report and feedback workbook, from
// a cold process.
func BenchmarkQuarterlyBatch14(b *testing.B) { benchRun(b, "14") }

// BenchmarkBatch400 is the same for 400 districts × 4 quarters × 5,000
// lines (8 million lines); only with GRANTPIPE_BENCH=full.
func BenchmarkBatch400(b *testing.B) {
	if os.Getenv("GRANTPIPE_BENCH") != "full" {
		b.Skip("400 districts × 4 quarters × 5,000 lines: set GRANTPIPE_BENCH=full")
	}
	benchRun(b, "400")
}
