package report_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
)

// submitted is a district's first quarter of 2026 as it went through the
// pipeline: ingested from a real workbook, checked, and loaded for the
// annual report with its receipts.
type submitted struct {
	st   *store.Store
	d    *report.Data
	dist *report.District
	cat  *messages.Catalog
}

// submit writes Börde's minimal first quarter, changed by edit, as a
// workbook into its inbox, ingests and checks it, and loads the annual
// report's data (without the receipts).
func submit(t testing.TB, edit func(*form.Data)) submitted {
	t.Helper()
	ctx := context.Background()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(demo.Year)
	dist, _ := y.District("15083")
	dir := datadir.New(t.TempDir())
	if err := dir.Ensure(nil); err != nil {
		t.Fatal(err)
	}
	data := demo.Minimal(dist, 1)
	if edit != nil {
		edit(&data)
	}
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: dist, Year: demo.Year, Quarter: 1}, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir.InboxOf(dist.AGS), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir.InboxOf(dist.AGS), "15083_2026_Q1.xlsx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	received := time.Date(2026, 4, 8, 8, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, received, received); err != nil {
		t.Fatal(err)
	}
	st := ingestAndCheck(t, t, dir, p, cat, demo.AsOf)
	d, err := report.Load(ctx, st, p, report.Period{Year: demo.Year}, "de")
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Districts {
		if d.Districts[i].AGS == dist.AGS {
			return submitted{st: st, d: d, dist: &d.Districts[i], cat: cat}
		}
	}
	t.Fatal("Börde is not in the report")
	return submitted{}
}

// longReceipts adds n receipts (a few euros of office supplies each) with
// payee to the quarter.
func longReceipts(n int, payee string) func(*form.Data) {
	return func(d *form.Data) {
		r := d.Receipts[4]
		for i := range n {
			c := make(form.Row, len(r))
			for k, v := range r {
				c[k] = v
			}
			c[form.FLineNo] = 6 + i
			c[form.FPayee] = payee
			c[form.FReceiptNo] = fmt.Sprintf("R-2026-Q1-L%05d", i)
			c[form.FAmount] = money.Cents(1000)
			d.Receipts = append(d.Receipts, c)
		}
	}
}

// excelLimitText is a text of 32,767 characters (Excel's limit a cell),
// words with umlauts, that neither begins nor ends with a space.
func excelLimitText() string {
	s := []rune(strings.Repeat("Müller & Söhne Bürobedarf GmbH ", 1100))[:32766]
	return string(append(s, '.'))
}

// The attack of issue 10 through the whole pipeline: a workbook whose 100
// receipts name a payee of 32,767 characters. The annual report's PDF is a
// few dozen kB (it was 135,000 pages and 86 MB, in 34 s); its workbook
// keeps every character.
func TestAPayeeAsLongAsExcelAllowsMakesASmallReportThroughThePipeline(t *testing.T) {
	payee := excelLimitText()
	s := submit(t, longReceipts(100, payee))
	out := t.TempDir()
	start := time.Now()
	written, err := report.WriteAll(context.Background(), out, s.d, s.cat, func(dist *report.District) error {
		return report.LoadReceipts(context.Background(), s.st, s.d, dist)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d annual reports in %v", len(written), time.Since(start).Round(time.Millisecond))
	base := filepath.Join(out, "2026", "15083_Boerde_2026")
	info, err := exec.Command("pdfinfo", base+".pdf").CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo (Debian package poppler-utils): %v\n%s", err, info)
	}
	pages, _ := strconv.Atoi(regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(string(info))[1])
	st, _ := os.Stat(base + ".pdf")
	t.Logf("Börde's annual PDF: %d pages, %d bytes", pages, st.Size())
	if pages > 25 || st.Size() > 500_000 {
		t.Errorf("Börde's annual PDF has %d pages and %d bytes, want at most 25 pages and 500 kB", pages, st.Size())
	}
	f, err := excelize.OpenFile(base + ".xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(s.cat.Text("de", "excel.sheet.receipts", nil))
	if err != nil {
		t.Fatal(err)
	}
	full := 0
	for _, r := range rows {
		if slices.Contains(r, payee) {
			full++
		}
	}
	if full != 100 {
		t.Errorf("the workbook holds the payee's %d characters in %d rows, want 100", utf8.RuneCountInString(payee), full)
	}
}

// A small workbook can name one shared string of 32,767 characters in
// every row; each row read from the database was a copy of its own
// (20,000 rows: 800 MB; 40,000 rows ran DuckDB out of its 1 GB and stopped
// the reports). Now each long text is loaded once and the rows share it.
// (40,000 such rows, measured before pipeline/xlsx bounded the text one
// workbook may expand to: 5.3 s and 13 MB.) 400 rows stay within that
// bound. Measured in this process with runtime.MemStats (live heap after a
// GC).
func TestOneLongTextInEveryRowIsLoadedOnce(t *testing.T) {
	n := 400
	payee := excelLimitText()
	s := submit(t, longReceipts(n, payee))
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	before := m.HeapAlloc
	start := time.Now()
	if err := report.LoadReceipts(context.Background(), s.st, s.d, s.dist); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&m)
	grown := int64(m.HeapAlloc) - int64(before)
	t.Logf("%d receipts of %d characters each loaded in %v, live heap %+d kB", len(s.dist.Receipts), utf8.RuneCountInString(payee), took.Round(time.Millisecond), grown>>10)
	named := 0
	for _, r := range s.dist.Receipts {
		if r.Payee == payee {
			named++
		}
	}
	if named != n {
		t.Errorf("%d receipts name the long payee, want %d", named, n)
	}
	// The copies alone would be n × 34 kB (13 MB).
	if limit := int64(1<<20 + n*1024); grown > limit {
		t.Errorf("loading grew the heap by %d kB, want under %d kB (one copy of the text, about 1 kB a row)", grown>>10, limit>>10)
	}
}
