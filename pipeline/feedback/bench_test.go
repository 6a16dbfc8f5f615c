package feedback_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"grantpipe/pipeline/cputime"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/programme"
)

// The feedback benchmark times one feedback workbook as the run makes it
// for every file: the district's workbook (the demo's form, scaled to a
// number of receipts) opened, its findings marked, the result sheet added,
// the package written to memory.

// benchLines are the submission sizes: 200 lines at CI's small size; with
// GRANTPIPE_BENCH=full also 2,000 (the 100-district batch's) and 5,000 (the
// 400-district batch's).
func benchLines() []int {
	if os.Getenv("GRANTPIPE_BENCH") == "full" {
		return []int{200, 2000, 5000}
	}
	return []int{200}
}

var (
	benchMu    sync.Mutex
	benchFiles = map[int]string{}
)

// benchWorkbook writes, once per size, the first district's first quarter
// with lines receipts, as the scaled demo writes it.
func benchWorkbook(b *testing.B, lines int) string {
	benchMu.Lock()
	defer benchMu.Unlock()
	if path, ok := benchFiles[lines]; ok {
		return path
	}
	base, err := programme.Default()
	if err != nil {
		b.Fatal(err)
	}
	p, err := demo.ScaledProgramme(base, 1)
	if err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "grantpipe-bench-feedback-*")
	if err != nil {
		b.Fatal(err)
	}
	files, err := demo.WriteScaled(p.Years[0], catalogue(b), func(string) string { return dir }, demo.Scale{Quarters: 1, Lines: lines})
	if err != nil || len(files) != 1 {
		b.Fatalf("%d files: %v", len(files), err)
	}
	benchFiles[lines] = files[0].Path
	return files[0].Path
}

// benchFindings are what a file of lines receipts gets when one line in a
// hundred has something to fix: a finding at one of its cells (now and
// then two on the same cell), of every severity, plus findings about the
// whole file and the ministry's about a line, which are listed but not
// marked.
func benchFindings(lines int) []feedback.Finding {
	sheet := form.Receipts.DE
	cols := "CDEGH"
	sev := []feedback.Severity{feedback.Error, feedback.Warning, feedback.Info}
	var fs []feedback.Finding
	for i := 0; i < lines/100; i++ {
		row := 2 + i*97%lines
		cell := fmt.Sprintf("%c%d", cols[i%len(cols)], row)
		fs = append(fs, feedback.Finding{Rule: "FORMAT", Severity: sev[i%3], Sheet: sheet, Cell: cell,
			Message: fmt.Sprintf("Der Wert in Zeile %d ist nicht eindeutig.", row)})
		if i%4 == 0 {
			fs = append(fs, feedback.Finding{Rule: "RECEIPT_MISSING", Severity: feedback.Warning, Sheet: sheet, Cell: cell,
				Message: "Die Belegnummer fehlt."})
		}
	}
	fs = append(fs,
		feedback.Finding{Rule: "LATE_SUBMISSION", Severity: feedback.Warning, Message: "Die Meldung kam nach der Frist."},
		feedback.Finding{Rule: "INELIGIBLE", Severity: feedback.Info, Sheet: sheet, Cell: "G5", Message: "Nicht förderfähig.", Audience: feedback.Ministry},
	)
	return fs
}

// BenchmarkWrite is one feedback workbook for a submission of each size,
// with no findings at a cell (a clean file: nothing to mark) and with one
// line in a hundred marked. cpu-ms/op is the CPU time of the whole process
// per workbook, which shows what a second core does.
func BenchmarkWrite(b *testing.B) {
	cat := catalogue(b)
	for _, lines := range benchLines() {
		for _, marked := range []bool{false, true} {
			name := fmt.Sprintf("%dlines/clean", lines)
			if marked {
				name = fmt.Sprintf("%dlines/marked", lines)
			}
			b.Run(name, func(b *testing.B) {
				src := benchWorkbook(b, lines)
				fs := benchFindings(lines)
				if !marked {
					fs = fs[len(fs)-2:]
				}
				opt := options()
				opt.File = filepath.Base(src)
				var buf bytes.Buffer
				b.ResetTimer()
				defer cputime.PerOp(b)()
				for range b.N {
					buf.Reset()
					res, err := feedback.Write(&buf, src, fs, cat, opt)
					if err != nil || !res.Marked {
						b.Fatalf("marked %v, failure %+v: %v", res.Marked, res.Failure, err)
					}
				}
				b.ReportMetric(float64(buf.Len()), "bytes")
			})
		}
	}
}
