package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
)

// proportionalAsOf is the day the benchmark's runs check as of; its new
// files arrive the day before.
var proportionalAsOf = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// BenchmarkProportionalRun is the main job as a cold process when much,
// nothing or little changed (issue 15): first_run from an empty database,
// nothing_new right after it, one_new_file after one district sent one
// file (each iteration a file of another content). It reports the files
// written (changed on disk) per run. At its default size the 14-district
// demo (42 files); with GRANTPIPE_BENCH=full 100 districts × 4 quarters ×
// 2,000 lines (400 files, 800,000 lines), made once per GRANTPIPE_BENCH_DIR.
func BenchmarkProportionalRun(b *testing.B) {
	scale := "14"
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		scale = "100x4x2000"
	}
	src := proportionalSource(b, scale)
	parent := b.TempDir()
	var primed string
	b.Run("first_run", func(b *testing.B) {
		for i := range b.N {
			b.StopTimer()
			dir := filepath.Join(parent, fmt.Sprintf("first-%d-%d", b.N, i))
			copyDataDir(b, src, dir)
			b.StartTimer()
			written := proportionalRun(b, dir)
			b.StopTimer()
			b.ReportMetric(float64(written), "files-written/op")
			primed = dir
		}
	})
	if primed == "" {
		b.Fatal("no first run")
	}
	b.Run("nothing_new", func(b *testing.B) {
		var written int
		for range b.N {
			written += proportionalRun(b, primed)
		}
		b.ReportMetric(float64(written)/float64(b.N), "files-written/op")
	})
	b.Run("one_new_file", func(b *testing.B) {
		var written int
		for i := range b.N {
			b.StopTimer()
			proportionalSend(b, primed, i)
			b.StartTimer()
			written += proportionalRun(b, primed)
		}
		b.ReportMetric(float64(written)/float64(b.N), "files-written/op")
	})
}

// proportionalRun runs the main job on dir in a cold process (timed) and
// returns how many report and feedback files it wrote (not timed).
func proportionalRun(b *testing.B, dir string) int {
	b.Helper()
	b.StopTimer()
	before := reportFiles(b, dir)
	cmd := child(&testing.T{}, nil, "run", "--data", dir, "--as-of", proportionalAsOf.Format(time.DateOnly))
	b.StartTimer()
	out, err := cmd.CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("run: %v\n%s", err, out)
	}
	written := 0
	for path, stamp := range reportFiles(b, dir) {
		if old, ok := before[path]; !ok || old != stamp {
			written++
		}
	}
	b.StartTimer()
	return written
}

// reportFiles is the size and modification time of every file in dir's
// reports folder.
func reportFiles(b *testing.B, dir string) map[string][2]int64 {
	out := map[string][2]int64{}
	root := datadir.New(dir).Reports()
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err == nil {
			out[path] = [2]int64{info.Size(), info.ModTime().UnixNano()}
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		b.Fatal(err)
	}
	return out
}

// proportionalSend puts a new file into the inbox of the data directory's
// first district: its second quarter sent again (the demo's minimal form,
// a narrative of its own per i), received the day before the as-of day.
func proportionalSend(b *testing.B, dir string, i int) {
	b.Helper()
	d := datadir.New(dir)
	var prog *programme.Programme
	var err error
	if _, serr := os.Stat(d.Programme()); serr == nil {
		prog, err = programme.LoadFile(d.Programme())
	} else {
		prog, err = programme.Default()
	}
	if err != nil {
		b.Fatal(err)
	}
	cat, err := messages.Default()
	if err != nil {
		b.Fatal(err)
	}
	y, ok := prog.Year(demo.Year)
	if !ok || len(y.Districts) == 0 {
		b.Fatal("no districts in the demo's year")
	}
	dist := &y.Districts[0]
	data := demo.Minimal(dist, 2)
	data.Narrative = []string{fmt.Sprintf("Nachgereicht (%d).", i)}
	wb, err := demo.Workbook(y, cat, "de", form.Prefill{District: dist, Year: demo.Year, Quarter: 2}, data, nil)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(d.InboxOf(dist.AGS), fmt.Sprintf("nachgereicht-%d.xlsx", i))
	if err := os.WriteFile(path, wb, 0o644); err != nil {
		b.Fatal(err)
	}
	day := proportionalAsOf.Add(-24*time.Hour + time.Duration(i)*time.Minute)
	if err := os.Chtimes(path, day, day); err != nil {
		b.Fatal(err)
	}
}

var proportionalScale = map[string][]string{
	"14":         {"demo"},
	"100x4x2000": {"demo", "--districts", "100", "--quarters", "4", "--lines", "2000"},
}

// proportionalSource writes the inbox of a scale once (under
// GRANTPIPE_BENCH_DIR when set, kept for later runs) and returns its data
// directory.
func proportionalSource(b *testing.B, scale string) string {
	var dir string
	if d := os.Getenv("GRANTPIPE_BENCH_DIR"); d != "" {
		dir = filepath.Join(d, "proportional-"+scale)
		if _, err := os.Stat(filepath.Join(dir, "inbox")); err == nil {
			return dir
		}
	} else {
		dir = filepath.Join(b.TempDir(), "source")
	}
	args := append(append([]string{}, proportionalScale[scale]...), "--data", dir)
	if out, err := child(&testing.T{}, nil, args...).CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	return dir
}
