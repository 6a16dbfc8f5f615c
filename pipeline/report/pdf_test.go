package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"grantpipe/pipeline/messages"
)

// The PDF's bounds against what a district's file can hold (see
// pdf_bounds.go). The fixtures are built here in Go: the annual report of
// the test data's first district (Börde) with hostile texts put in.

// hostileData is the annual test data with Börde's receipts replaced by n
// copies of its first receipt, each with payee.
func hostileData(n int, payee string) (*Data, *District) {
	d := excelTestData("de")
	d.Period = Period{Year: 2026}
	dist := &d.Districts[0]
	first := dist.Receipts[0]
	dist.Receipts = make([]Receipt, n)
	for i := range dist.Receipts {
		r := first
		r.Payee = payee
		r.ReceiptNo = "B-" + strconv.Itoa(i+1)
		r.Cell = "G" + strconv.Itoa(5+i)
		dist.Receipts[i] = r
	}
	return d, dist
}

// excelMaxText is a text as long as an Excel cell can hold: 32,767
// characters of words, umlauts included.
func excelMaxText(word string) string {
	return string([]rune(strings.Repeat(word, 32767/utf8.RuneCountInString(word)+1))[:32767])
}

// pdfFacts is what poppler reads from a PDF: its pages, its bytes and its
// text (one string per page).
type pdfFacts struct {
	pages int
	size  int
	text  []string
}

func (f pdfFacts) all() string { return strings.Join(f.text, "") }

func readPDF(t *testing.T, b []byte) pdfFacts {
	t.Helper()
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s (Debian package poppler-utils) is needed to read the PDF reports; .ci/run installs it", tool)
		}
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gives no page count:\n%s", info)
	}
	pages, _ := strconv.Atoi(string(m[1]))
	text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	s := strings.ReplaceAll(string(text), "\u00a0", " ")
	return pdfFacts{pages: pages, size: len(b), text: strings.Split(strings.TrimSuffix(s, "\f"), "\f")}
}

func districtPDF(t *testing.T, d *Data, dist *District) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDistrictPDF(&buf, d, dist, excelCatalog(t)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// receiptsCell is the text of column header in the district workbook's
// receipts sheet, data row i.
func receiptsCell(t *testing.T, d *Data, dist *District, header string, i int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDistrictExcel(&buf, d, dist, excelCatalog(t)); err != nil {
		t.Fatal(err)
	}
	cat := excelCatalog(t)
	f := excelOpen(t, buf.Bytes())
	tb := excelReadTable(t, f, cat.Text(d.Lang, "excel.sheet.receipts", nil), cat.Text(d.Lang, "excel.col.quarter", nil))
	return tb.text(t, cat.Text(d.Lang, "excel.col."+header, nil), i)
}

// The attack of issue 10: a payee of 32,767 characters (Excel's limit for a
// cell) in 100 receipt rows made a 135,000–250,000-page annual PDF of
// 86–157 MB in 34–55 s. Now each payee shows its first lines with the mark
// and the report says once where the full text is; the workbook keeps it.
func TestAPayeeAsLongAsExcelAllowsIsShortenedInThePDFAndKeptInTheWorkbook(t *testing.T) {
	payee := excelMaxText("Müller & Söhne Bürobedarf GmbH ")
	d, dist := hostileData(100, payee)
	start := time.Now()
	b := districtPDF(t, d, dist)
	took := time.Since(start)
	f := readPDF(t, b)
	t.Logf("%d pages, %d bytes, rendered in %v", f.pages, f.size, took.Round(time.Millisecond))
	if f.pages > 25 {
		t.Errorf("%d pages, want at most 25 (100 receipts)", f.pages)
	}
	if f.size > 500_000 {
		t.Errorf("%d bytes, want under 500 kB", f.size)
	}
	text := f.all()
	note := excelCatalog(t).Text("de", "report.shortened_note", nil)
	if n := strings.Count(text, cutMark) - strings.Count(note, cutMark); n != 100 {
		t.Errorf("the mark %q shows %d times (besides the note), want once per receipt (100)", cutMark, n)
	}
	if n := strings.Count(squash(text), squash(note)); n != 1 {
		t.Errorf("the note on shortened texts shows %d times, want once:\n%s", n, note)
	}
	if strings.Contains(text, cutNoticeTitle(t)) {
		t.Error("the report says it was cut short, but it fits its page bound")
	}
	if got := receiptsCell(t, d, dist, "payee", 99); got != payee {
		t.Errorf("the workbook's payee has %d characters, want all %d", utf8.RuneCountInString(got), utf8.RuneCountInString(payee))
	}
}

// A long but ordinary payee and purpose wrap inside their columns and are
// shown whole: no mark, no note.
func TestAnOrdinaryLongPayeeWrapsAndIsNotCut(t *testing.T) {
	payee := "Arbeiterwohlfahrt Kreisverband Börde e. V., Fachstelle für Integration und Migration, Beratungszentrum Haldensleben, Ost"
	if n := utf8.RuneCountInString(payee); n != 120 {
		t.Fatalf("payee of %d characters", n)
	}
	d, dist := hostileData(3, payee)
	dist.Receipts[1].Purpose = "Honorar für die Sprachmittlung (Arabisch, Dari, Tigrinya) bei 14 Elternabenden in Kitas und Grundschulen des Landkreises, März bis Juni"
	f := readPDF(t, districtPDF(t, d, dist))
	text := f.all()
	if strings.Contains(text, cutMark) {
		t.Errorf("an ordinary text was cut:\n%s", text)
	}
	if strings.Contains(squash(text), squash(excelCatalog(t).Text("de", "report.shortened_note", nil))) {
		t.Error("the note on shortened texts shows though nothing was shortened")
	}
	// The payee's words, wrapped over several lines of its column, all
	// appear, in order, in each of the three rows.
	words := strings.Fields(payee)
	if n := countInOrder(text, words); n != 3 {
		t.Errorf("the payee's %d words appear in order %d times, want 3 (one per receipt)", len(words), n)
	}
	if n := countInOrder(text, strings.Fields(dist.Receipts[1].Purpose)); n != 1 {
		t.Errorf("the long purpose appears whole %d times, want 1", n)
	}
}

// A narrative as long as a workbook can hold (40 cells of 32,767
// characters, with line breaks) takes a few pages: each paragraph shows its
// beginning, the rest of the paragraphs are counted, and the workbook keeps
// every character.
func TestALongNarrativeTakesAFewPagesAndTheWorkbookKeepsIt(t *testing.T) {
	d, dist := hostileData(3, "Druckerei Müller")
	paragraph := strings.ReplaceAll(excelMaxText("Im Quartal fanden Beratungen statt. "), "statt. Im", "statt.\nIm")
	dist.Narrative = nil
	for range 40 {
		dist.Narrative = append(dist.Narrative, paragraph)
	}
	dist.Narrative = append(dist.Narrative, strings.Repeat("\n", 30000)+"Ende.")
	plain := excelTestData("de")
	plain.Period = d.Period
	base := readPDF(t, districtPDF(t, plain, &plain.Districts[0])).pages
	f := readPDF(t, districtPDF(t, d, dist))
	t.Logf("%d pages (%d without the narrative), %d bytes", f.pages, base, f.size)
	if f.pages > base+8 {
		t.Errorf("%d pages, the same report with a short narrative has %d: want at most 8 more", f.pages, base)
	}
	text := f.all()
	more := excelCatalog(t).Text("de", "report.narrative_more", map[string]any{"n": "35", "sheet": "Sachbericht"})
	if !strings.Contains(squash(text), squash(more)) {
		t.Errorf("the report does not say that more paragraphs follow in the workbook (%q)", more)
	}
	var buf bytes.Buffer
	if err := WriteDistrictExcel(&buf, d, dist, excelCatalog(t)); err != nil {
		t.Fatal(err)
	}
	x := excelOpen(t, buf.Bytes())
	rows, err := x.GetRows("Sachbericht")
	if err != nil {
		t.Fatal(err)
	}
	full := 0
	for _, r := range rows {
		if len(r) > 1 && r[1] == paragraph {
			full++
		}
	}
	if full != 40 {
		t.Errorf("the workbook holds %d of the 40 long paragraphs in full", full)
	}
}

// When even bounded cells need more pages than the data's size allows, the
// document stops at its bound, stays a valid PDF, and its last page says
// where it was cut and where the rest is.
func TestAReportThatReachesItsPageBoundSaysWhereItWasCut(t *testing.T) {
	long := excelMaxText("Rechnung Nr. 4711 über Büromaterial ")
	d, dist := hostileData(3000, long)
	for i := range dist.Receipts {
		dist.Receipts[i].Purpose = long
	}
	bound := pageBound(districtRows(d, dist))
	b := districtPDF(t, d, dist)
	f := readPDF(t, b)
	t.Logf("%d pages (bound %d), %d bytes", f.pages, bound, f.size)
	if f.pages != bound {
		t.Errorf("%d pages, want the bound of %d", f.pages, bound)
	}
	last := squash(f.text[len(f.text)-1])
	for _, want := range []string{cutNoticeTitle(t), "„Belegliste (zahlenmäßiger Nachweis)“", "von 3.003 Zeilen", "„Herkunft der Daten“", "Endung .xlsx"} {
		if !strings.Contains(last, squash(want)) {
			t.Errorf("the last page does not say %q:\n%s", want, f.text[len(f.text)-1])
		}
	}
	if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		t.Error("the PDF has no end-of-file marker")
	}
}

// File names and texts that are not valid UTF-8 or hold control characters
// (an ANSI escape, a right-to-left override) are shown escaped, never
// drawn; a 250-byte file name wraps in its column.
func TestFileNamesAndTextsThatAreNotPrintableAreShownEscaped(t *testing.T) {
	d, dist := hostileData(2, "Hotel \x1b[2JFürstenhof \u202eTXT.exe")
	name := "Meldung_\xff\xfe_" + strings.Repeat("Quartal_", 28) + ".xlsx"
	if len(name) != 240 {
		t.Fatalf("file name of %d bytes", len(name))
	}
	dist.Sources[0].File = name
	dist.Findings[0].Message = "Die Kostenart „" + excelMaxText("Sonstiges ") + "“ gibt es nicht."
	f := readPDF(t, districtPDF(t, d, dist))
	text := f.all()
	for _, want := range []string{`\xff\xfe`, `\x1b[2JFürstenhof`, `\u{202e}TXT.exe`} {
		if !strings.Contains(squash(text), want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	if strings.ContainsAny(text, "\x1b\u202e\ufffd") {
		t.Error("the PDF draws a control character or a replacement character")
	}
	if n := countInOrder(text, []string{`Meldung_\xff\xfe_Quartal_Quartal_`, `.xlsx`}); n != 1 {
		t.Errorf("the long file name shows whole %d times, want 1", n)
	}
	if !strings.Contains(text, cutMark) {
		t.Error("the finding quoting 32,767 characters is not shortened")
	}
	if f.pages > 6 {
		t.Errorf("%d pages, want at most 6", f.pages)
	}
	// The workbook shows the file name escaped the same way (a spreadsheet
	// cannot hold the raw bytes: they would become U+FFFD).
	var buf bytes.Buffer
	if err := WriteDistrictExcel(&buf, d, dist, excelCatalog(t)); err != nil {
		t.Fatal(err)
	}
	tb := excelReadTable(t, excelOpen(t, buf.Bytes()), "Quellen", "Meldungs-ID")
	if got := tb.text(t, "Datei", 0); got != `Meldung_\xff\xfe_`+strings.Repeat("Quartal_", 28)+".xlsx" {
		t.Errorf("the workbook shows the file name as %q", got)
	}
}

// Rendering stops at the next page when its context is cancelled: after a
// SIGTERM the scheduler waits for seconds, not for a whole document.
func TestACancelledRenderStopsWithTheContextsError(t *testing.T) {
	d, dist := hostileData(20000, "Druckerei Müller")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	err := writeDistrictPDF(ctx, &bytes.Buffer{}, d, dist, excelCatalog(t))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("stopping took %v", took)
	}
	_, err = WriteAll(ctx, t.TempDir(), d, excelCatalog(t), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WriteAll: error %v, want context.Canceled", err)
	}
}

// The attack renders in a child process (this test binary again), which
// reports its own peak memory (VmHWM: the Maxrss that wait reports
// includes the test process's peak on Linux), against a child that renders
// nothing: the workbook holds all 3.3 million characters, the PDF a few
// hundred lines of them. (Before the bounds the PDF alone took 950 MiB and
// 34 s.)
func TestThePayeeAttackRendersInLittleMemory(t *testing.T) {
	switch os.Getenv("GRANTPIPE_REPORT_CHILD") {
	case "idle":
		fmt.Printf("PEAK %d\n", ownPeakKiB(t))
		return
	case "payee":
		d, dist := hostileData(100, excelMaxText("Müller & Söhne Bürobedarf GmbH "))
		cat := excelCatalog(t)
		var pdf, xlsx bytes.Buffer
		if err := WriteDistrictPDF(&pdf, d, dist, cat); err != nil {
			t.Fatal(err)
		}
		if err := WriteDistrictExcel(&xlsx, d, dist, cat); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("PEAK %d\n", ownPeakKiB(t))
		return
	}
	child := func(mode string) (time.Duration, int64) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestThePayeeAttackRendersInLittleMemory$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "GRANTPIPE_REPORT_CHILD="+mode)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		m := regexp.MustCompile(`(?m)^PEAK (\d+)$`).FindSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		kib, _ := strconv.ParseInt(string(m[1]), 10, 64)
		return time.Since(start), kib
	}
	_, idle := child("idle")
	took, peak := child("payee")
	t.Logf("PDF and workbook in %v with a peak of %d MiB (%d MiB for a child that renders nothing)", took.Round(time.Millisecond), peak>>10, idle>>10)
	if peak-idle > 80<<10 {
		t.Errorf("rendering took %d MiB more than doing nothing, want under 80 MiB", (peak-idle)>>10)
	}
	if took > 10*time.Second {
		t.Errorf("rendering took %v, want seconds (it was 34 s)", took)
	}
}

// ownPeakKiB is this process's peak resident memory (VmHWM), in KiB.
func ownPeakKiB(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/self/status")
	}
	kib, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kib
}

func TestPageBoundGrowsWithTheDataAndStopsAtItsCeiling(t *testing.T) {
	for _, c := range []struct{ rows, want int }{
		{0, boundFixedPages},
		{100, boundFixedPages + 13},
		{20_000, boundFixedPages + 2500},
		{1_000_000, boundMaxPages},
	} {
		if got := pageBound(c.rows); got != c.want {
			t.Errorf("pageBound(%d) = %d, want %d", c.rows, got, c.want)
		}
	}
	// An annual Belegliste of 20,000 receipts needs about 500 pages
	// (BENCHMARKS.md), 1,180 when every payee takes three lines: the bound
	// leaves it room to spare.
	if pageBound(20_000) < 2*1180 {
		t.Errorf("the bound for 20,000 receipts is %d pages", pageBound(20_000))
	}
}

// The demo data keeps rendering as before: nothing ordinary is shortened.
func TestTheTestDataNeedsNoShortening(t *testing.T) {
	for _, lang := range []string{"de", "en"} {
		d := excelTestData(lang)
		d.Period = Period{Year: 2026}
		for i := range d.Districts {
			var buf bytes.Buffer
			if err := WriteDistrictPDF(&buf, d, &d.Districts[i], excelCatalog(t)); err != nil {
				t.Fatal(err)
			}
			if text := readPDF(t, buf.Bytes()).all(); strings.Contains(text, cutMark) {
				t.Errorf("%s %s: something was shortened", lang, d.Districts[i].Name)
			}
		}
	}
}

func cutNoticeTitle(t *testing.T) string {
	return excelCatalog(t).Text("de", "report.cut_title", nil)
}

// squash removes all white space, so that text wrapped and laid out by
// pdftotext compares with the text that went in.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// countInOrder counts how often words appear in text one after another
// (anything may stand between them, e.g. the neighbouring columns).
func countInOrder(text string, words []string) int {
	n := 0
	for {
		rest := text
		for _, w := range words {
			i := strings.Index(rest, w)
			if i < 0 {
				return n
			}
			rest = rest[i+len(w):]
		}
		n++
		i := strings.Index(text, words[0])
		text = text[i+len(words[0]):]
	}
}

// BenchmarkPayeeAttackPDF renders the annual PDF of 100 receipts whose
// payee has 32,767 characters (34 s and 86 MB before the bounds).
func BenchmarkPayeeAttackPDF(b *testing.B) {
	d, dist := hostileData(100, excelMaxText("Müller & Söhne Bürobedarf GmbH "))
	cat, err := messages.Default()
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for range b.N {
		var buf bytes.Buffer
		if err := WriteDistrictPDF(&buf, d, dist, cat); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

// The pages are compressed after fpdf has written the document (see
// compressPages): the bytes must be those fpdf's own compression writes,
// for a document of many pages, a cut one and one of a single page.
func TestPagesCompressedAfterwardsAreTheBytesFpdfCompresses(t *testing.T) {
	cat := excelCatalog(t)
	for _, c := range []struct {
		name     string
		receipts int
		maxPages int
	}{{"a Belegliste of many pages", 1500, 1000}, {"a document cut at its bound", 1500, 5}, {"one page", 1, 1000}} {
		t.Run(c.name, func(t *testing.T) {
			d, dist := hostileData(c.receipts, "Müller & Söhne Bürobedarf GmbH")
			render := func(own bool) []byte {
				w, err := newDoc(context.Background(), d, cat, "P", "Börde", c.maxPages)
				if err != nil {
					t.Fatal(err)
				}
				w.newPage()
				w.heading("Belegliste")
				w.receipts(d, dist)
				var buf bytes.Buffer
				if own {
					err = w.finish(&buf)
				} else {
					if w.stop != nil {
						w.cutNotice()
					}
					w.pdf.SetCompression(true)
					err = w.pdf.Output(&buf)
				}
				if err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			got, want := render(true), render(false)
			if !bytes.Equal(got, want) {
				t.Errorf("the pages compressed afterwards differ from fpdf's: %d bytes, fpdf's %d", len(got), len(want))
			}
			if f := readPDF(t, got); c.receipts > 1 && f.pages < 5 {
				t.Errorf("%d pages, want at least 5", f.pages)
			}
		})
	}
}
