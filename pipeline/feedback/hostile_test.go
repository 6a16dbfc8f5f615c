package feedback_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/xlsx"
)

// TestMain lets a test run feedback.Write in a process of its own, whose
// peak memory it can measure: the test binary does that instead of running
// the tests when FEEDBACK_TEST_CHILD is set.
func TestMain(m *testing.M) {
	if os.Getenv("FEEDBACK_TEST_CHILD") == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// childLimit caps the child's address space, so that a regression fails
// the test instead of taking the machine's memory.
const childLimit = 3 << 30

// childFindings are the findings the child marks: two cells of the
// receipts sheet and the unused sheet as a whole.
var childFindings = []feedback.Finding{
	{Rule: "FORMAT", Severity: "error", Sheet: "Belegliste", Cell: "G4", Message: "„1.234“ ist mehrdeutig."},
	{Rule: "FORMAT", Severity: "warning", Sheet: "Belegliste", Cell: "C5", Message: "Zweistellige Jahreszahl."},
	{Rule: "NOTE", Severity: "info", Sheet: "Hinweise", Message: "Dieses Blatt wird nicht gelesen."},
}

// child writes the feedback for FEEDBACK_TEST_SRC to FEEDBACK_TEST_OUT and
// the result beside it as JSON.
func child() int {
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: childLimit, Max: childLimit}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	cat, err := catalogueErr()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var buf bytes.Buffer
	res, err := feedback.Write(&buf, os.Getenv("FEEDBACK_TEST_SRC"), childFindings, cat, options())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := os.Getenv("FEEDBACK_TEST_OUT")
	j, _ := json.Marshal(childResult{res, peakRSS()})
	if err := os.WriteFile(out+".json", j, 0o644); err != nil {
		return 3
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return 3
	}
	return 0
}

type childResult struct {
	feedback.Result
	PeakKiB int64 // the child's own peak resident set (VmHWM)
}

// peakRSS returns the process's peak resident set in KiB, from
// /proc/self/status, or -1. Unlike the Maxrss that the parent's wait
// reports, it does not count the parent's own peak, which a child started
// with vfork (as os/exec does) inherits on Linux.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kib); err == nil {
				return kib
			}
		}
	}
	return -1
}

// formWorkbook is a correct quarterly form as a district sends it.
func formWorkbook(t testing.TB) []byte {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(demo.Year)
	d, _ := y.District("15083")
	data, err := demo.Workbook(y, catalogue(t), "de", form.Prefill{District: d, Year: demo.Year, Quarter: 1}, demo.Minimal(d, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// partOf returns the part that holds sheet in the workbook data.
func partOf(t testing.TB, data []byte, sheet string) string {
	t.Helper()
	wb, err := xlsx.OpenReaderAt(bytes.NewReader(data), int64(len(data)), xlsx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheets, err := wb.SheetParts()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sheets {
		if s.Name == sheet {
			return s.Part
		}
	}
	t.Fatalf("no sheet %q", sheet)
	return ""
}

// hostilePart is a part made of a head, a chunk repeated n times and a
// tail, deflated without ever holding more than one chunk: each piece is
// compressed on its own (a fresh compressor refers to nothing before it)
// and the pieces' deflate blocks are concatenated, so a gigabyte of
// repetitive XML costs milliseconds to build.
type hostilePart struct {
	name              string
	head, chunk, tail string
	n                 int
}

func (h hostilePart) size() uint64 {
	return uint64(len(h.head)) + uint64(len(h.chunk))*uint64(h.n) + uint64(len(h.tail))
}

func deflated(t testing.TB, s string, final bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write([]byte(s))
	var err error
	if final {
		err = fw.Close()
	} else {
		err = fw.Flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (h hostilePart) write(t testing.TB, zw *zip.Writer) {
	t.Helper()
	head, chunk, tail := deflated(t, h.head, false), deflated(t, h.chunk, false), deflated(t, h.tail, true)
	crc := crc32.Update(0, crc32.IEEETable, []byte(h.head))
	for range h.n {
		crc = crc32.Update(crc, crc32.IEEETable, []byte(h.chunk))
	}
	crc = crc32.Update(crc, crc32.IEEETable, []byte(h.tail))
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: h.name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(len(head)) + uint64(len(chunk))*uint64(h.n) + uint64(len(tail)),
		UncompressedSize64: h.size(),
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(head)
	for range h.n {
		w.Write(chunk)
	}
	w.Write(tail)
}

// withParts copies the workbook data, replacing the parts named in parts
// and adding the others after the rest.
func withParts(t testing.TB, data []byte, parts ...hostilePart) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]hostilePart{}
	for _, p := range parts {
		byName[p.name] = p
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		if p, ok := byName[e.Name]; ok {
			p.write(t, zw)
			delete(byName, e.Name)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, r)
		r.Close()
	}
	for _, p := range parts {
		if _, left := byName[p.name]; left {
			p.write(t, zw)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// maxPeakMiB bounds the feedback process's peak memory: a Go process with
// excelize and the form's parts needs some 20 MiB; the recipes cost the old
// feedback 2 to over 4.7 GB.
const maxPeakMiB = 100

// stripped replaces the given parts of a workbook by an empty sheet.
func stripped(t testing.TB, data []byte, parts []hostilePart) []byte {
	t.Helper()
	var empty []hostilePart
	for _, p := range parts {
		empty = append(empty, hostilePart{name: p.name, head: worksheetHead + "</sheetData></worksheet>"})
	}
	return withParts(t, data, empty...)
}

const worksheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// rawPart returns the compressed bytes, CRC and sizes of a zip entry.
func rawPart(t testing.TB, data []byte, name string) (raw []byte, fh zip.FileHeader) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range zr.File {
		if e.Name != name {
			continue
		}
		r, err := e.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		raw, err = io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return raw, e.FileHeader
	}
	t.Fatalf("no part %s", name)
	return nil, zip.FileHeader{}
}

// TestHostilePartsTheReaderIgnoresCostTheFeedbackNothing builds the
// recipes of issue 10: a small, valid form whose zip also carries a part
// that excelize cannot afford to parse, which our reader accepts because it
// never reads it. The feedback is written in a process of its own, whose
// peak memory and temporary files are measured; the output must still mark
// the findings' cells and carry the hostile part byte for byte.
//
// Measured with this test on the feedback step before issue 10 (with a cap
// of 6 GiB): out of memory at 4.7 GB after 66 s; 2.7 GB in 19 s; 2.4 GB in
// 10 s; 2.0 GB in 203 s; and the unused sheet of the second and fourth
// recipes came back emptied. Now: about 20 MiB and 0.1 s each.
func TestHostilePartsTheReaderIgnoresCostTheFeedbackNothing(t *testing.T) {
	base := formWorkbook(t)
	hints := partOf(t, base, "Hinweise")
	unreferenced := func() []hostilePart {
		var ps []hostilePart
		for i := 1; i <= 11; i++ {
			ps = append(ps, hostilePart{name: fmt.Sprintf("xl/media/blob%d.bin", i), chunk: strings.Repeat("grantpipe", 1<<17), n: 17})
		}
		return ps
	}
	cases := []struct {
		name  string
		parts []hostilePart
	}{
		{"40 million unclosed elements in an unused sheet", []hostilePart{
			{name: hints, head: worksheetHead, chunk: strings.Repeat("<a>", 1<<20), n: 40}}},
		{"5 million empty cells in an unused sheet", []hostilePart{
			{name: hints, head: worksheetHead, chunk: "<row>" + strings.Repeat("<c/>", 1000) + "</row>", n: 5000, tail: "</sheetData></worksheet>"}}},
		// The 90 MB parts and 900 MB sheet are now refused by the
		// reader (256 MiB unzipped at most); these are the largest it takes.
		{"eleven unreferenced parts of 20 MB", unreferenced()},
		{"a 240 MB unused sheet of empty elements", []hostilePart{
			{name: hints, head: worksheetHead, chunk: strings.Repeat("<x/>", 1<<18), n: 240, tail: "</sheetData></worksheet>"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			data := withParts(t, base, c.parts...)
			src := filepath.Join(dir, "15083_2026_Q1.xlsx")
			if err := os.WriteFile(src, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var unzipped uint64
			for _, p := range c.parts {
				unzipped += p.size()
			}
			t.Logf("file %d KiB, hostile parts %d MiB unzipped", len(data)>>10, unzipped>>20)
			// The reader accepts it: what the feedback step gets.
			wb, err := xlsx.Open(src, xlsx.Limits{})
			if err != nil {
				t.Fatalf("the reader refuses the recipe: %v", err)
			}
			wb.Close()

			tmp := filepath.Join(dir, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.xlsx")
			exe, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), "FEEDBACK_TEST_CHILD=1", "FEEDBACK_TEST_SRC="+src, "FEEDBACK_TEST_OUT="+out, "TMPDIR="+tmp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			runErr := cmd.Run()
			took := time.Since(start)
			if runErr != nil {
				rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // KiB on Linux
				t.Fatalf("the feedback process failed (%v) after %v at up to %d MiB:\n%s", runErr, took, rss, stderr.String())
			}
			var res childResult
			j, _ := os.ReadFile(out + ".json")
			if err := json.Unmarshal(j, &res); err != nil {
				t.Fatal(err)
			}
			rss := res.PeakKiB >> 10
			t.Logf("feedback written in %v with a peak of %d MiB", took.Round(time.Millisecond), rss)
			if res.PeakKiB < 0 || rss > maxPeakMiB {
				t.Errorf("peak memory %d MiB, want under %d MiB", rss, maxPeakMiB)
			}
			left, _ := os.ReadDir(tmp)
			for _, e := range left {
				t.Errorf("temporary file %s left behind", e.Name())
			}

			if !res.Marked || res.Failure != nil {
				t.Fatalf("result %s, want the findings marked in the workbook", j)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.parts {
				was, wasH := rawPart(t, data, p.name)
				now, nowH := rawPart(t, got, p.name)
				if !bytes.Equal(was, now) || wasH.CRC32 != nowH.CRC32 || wasH.UncompressedSize64 != nowH.UncompressedSize64 {
					t.Errorf("part %s is not the original's: %d bytes (crc %08x) for %d (crc %08x)", p.name, len(now), nowH.CRC32, len(was), wasH.CRC32)
				}
			}
			// The output's hostile parts are checked above; excelize would
			// choke on them as the old feedback did, so it reads a copy
			// without them.
			f := open(t, stripped(t, got, c.parts))
			// The result sheet first, then the form's sheets in its order.
			want := append([]string{"Prüfergebnis"}, open(t, stripped(t, data, c.parts)).GetSheetList()...)
			if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
				t.Errorf("sheets (-want +got):\n%s", diff)
			}
			comments := commentsByCell(t, f, "Belegliste")
			for _, cell := range []string{"G4", "C5"} {
				if c, ok := comments[cell]; !ok || c.Author != feedback.Author {
					t.Errorf("Belegliste!%s is not marked", cell)
				}
			}
			if len(comments) != 2 {
				t.Errorf("Belegliste has %d comments, want 2", len(comments))
			}
			if fill := styleAt(t, f, "Belegliste", "G4").Fill; len(fill.Color) != 1 || fill.Color[0] != wantColor["error"] {
				t.Errorf("Belegliste!G4 fill %+v, want the error highlight", fill)
			}
			if rows := rowsOf(t, f, "Prüfergebnis"); !strings.Contains(fmt.Sprint(rows), catalogue(t).Text("de", "feedback.how_to", nil)) {
				t.Errorf("the result sheet does not say how to read the marks:\n%v", rows)
			}
			header, _ := findingRows(t, f, "Prüfergebnis", "Schwere")
			if ok, target, _ := f.GetCellHyperLink("Prüfergebnis", fmt.Sprintf("C%d", header+3)); !ok || target != "'Hinweise'!A1" {
				t.Errorf("the finding about the unused sheet links to %v %q, want 'Hinweise'!A1", ok, target)
			}
		})
	}
}

// TestASheetToMarkBeyondTheLimitsGetsTheListAndAFinding: a sheet that has
// findings but is too large for excelize (here 5 million empty cells in the
// receipts sheet itself, which the reader streams through) gives the
// result sheet alone, listing every finding and the FEEDBACK finding that
// says why; it costs no more than looking at the part's declared size.
func TestASheetToMarkBeyondTheLimitsGetsTheListAndAFinding(t *testing.T) {
	base := formWorkbook(t)
	receipts := partOf(t, base, "Belegliste")
	data := withParts(t, base, hostilePart{name: receipts, head: worksheetHead,
		chunk: "<row>" + strings.Repeat("<c/>", 1000) + "</row>", n: 5000, tail: "</sheetData></worksheet>"})
	src := filepath.Join(t.TempDir(), "15083_2026_Q1.xlsx")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cat := catalogue(t)
	var buf bytes.Buffer
	start := time.Now()
	res, err := feedback.Write(&buf, src, childFindings, cat, options())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("written in %v", time.Since(start).Round(time.Millisecond))
	if res.Marked || res.Failure == nil || res.Failure.Key != "feedback.reason.too_large_to_mark" {
		t.Fatalf("result %+v, want a too-large failure", res)
	}
	f := open(t, buf.Bytes())
	if diff := cmp.Diff([]string{"Prüfergebnis"}, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	_, rows := findingRows(t, f, "Prüfergebnis", "Schwere")
	if len(rows) != len(childFindings)+1 {
		t.Fatalf("%d findings listed, want %d and the FEEDBACK finding", len(rows), len(childFindings))
	}
	last := rows[len(rows)-1]
	want := res.Failure.Finding(cat, "de")
	if diff := cmp.Diff([]string{"Warnung", cat.Text("de", "rule."+feedback.Rule+".title", nil), "ganze Datei", want.Message, feedback.Rule}, last); diff != "" {
		t.Errorf("the FEEDBACK finding (-want +got):\n%s", diff)
	}
	if !strings.Contains(want.Message, "zu groß") {
		t.Errorf("the FEEDBACK finding does not say why: %q", want.Message)
	}
	all, _ := f.GetRows("Prüfergebnis")
	if text := fmt.Sprint(all); !strings.Contains(text, "Die Befunde konnten nicht in Ihrer Datei markiert werden: die Blätter mit Befunden sind zu groß") ||
		strings.Contains(text, "nicht geöffnet") {
		t.Errorf("the result sheet does not say that the findings could not be marked:\n%v", all)
	}
}

// TestManyMergedCellsOnASheetToMarkGetTheListQuickly: excelize checks every
// merged range against every other when it saves a sheet (120,000 merges
// took 9.6 minutes); beyond a bound the file gets the list of findings.
func TestManyMergedCellsOnASheetToMarkGetTheListQuickly(t *testing.T) {
	base := formWorkbook(t)
	receipts := partOf(t, base, "Belegliste")
	data := withParts(t, base, hostilePart{name: receipts,
		head:  worksheetHead + `<row r="1"><c r="A1" t="inlineStr"><is><t>Lfd. Nr.</t></is></c></row></sheetData><mergeCells count="120000">`,
		chunk: `<mergeCell ref="A2:B2"/>`, n: 120_000, tail: "</mergeCells></worksheet>"})
	src := filepath.Join(t.TempDir(), "15083_2026_Q1.xlsx")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := feedback.Write(&buf, src, childFindings, catalogue(t), options())
	if err != nil {
		t.Fatal(err)
	}
	if res.Marked || res.Failure == nil || res.Failure.Key != "feedback.reason.too_large_to_mark" {
		t.Fatalf("result %+v, want a too-large failure", res)
	}
	if msg := res.Failure.Finding(catalogue(t), "en").Message; !strings.Contains(msg, "merged") {
		t.Errorf("the finding does not say why: %q", msg)
	}
}

// TestAStoredFileThatIsGoneGetsTheListAndAFinding: the archive's copy
// vanished (or cannot be read by us): the list of findings and a FEEDBACK
// finding, not an error that would stop the run.
func TestAStoredFileThatIsGoneGetsTheListAndAFinding(t *testing.T) {
	src := filepath.Join(t.TempDir(), "gone.xlsx")
	var buf bytes.Buffer
	res, err := feedback.Write(&buf, src, childFindings, catalogue(t), options())
	if err != nil {
		t.Fatal(err)
	}
	if res.Marked || res.Failure == nil || res.Failure.Key != "feedback.reason.missing" {
		t.Fatalf("result %+v", res)
	}
	if msg := res.Failure.Finding(catalogue(t), "de").Message; strings.Contains(msg, src) {
		t.Errorf("the finding names our own folders: %q", msg)
	}
	_, rows := findingRows(t, open(t, buf.Bytes()), "Prüfergebnis", "Schwere")
	if len(rows) != len(childFindings)+1 {
		t.Errorf("%d findings listed, want %d", len(rows), len(childFindings)+1)
	}
}

// TestAPartExcelizeCannotReadGivesTheListAndAFinding: damage that the
// reader does not see (it never reads the content types) but excelize
// does.
func TestAPartExcelizeCannotReadGivesTheListAndAFinding(t *testing.T) {
	data := withParts(t, formWorkbook(t), hostilePart{name: "[Content_Types].xml", head: `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default`})
	src := filepath.Join(t.TempDir(), "broken.xlsx")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if wb, err := xlsx.Open(src, xlsx.Limits{}); err != nil {
		t.Fatalf("the reader refuses it: %v", err)
	} else {
		wb.Close()
	}
	var buf bytes.Buffer
	res, err := feedback.Write(&buf, src, childFindings, catalogue(t), options())
	if err != nil {
		t.Fatal(err)
	}
	if res.Marked || res.Failure == nil || res.Failure.Key != "feedback.reason.unreadable" {
		t.Fatalf("result %+v", res)
	}
	if diff := cmp.Diff([]string{"Prüfergebnis"}, open(t, buf.Bytes()).GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
}

func catalogueErr() (*messages.Catalog, error) { return messages.Default() }

// TestTheLargestSheetWithinTheLimitsStaysSmall is the worst case the
// limits allow: the receipts sheet itself (which has findings, so excelize
// parses it) made of empty cells, the costliest XML per byte, just under
// maxParsedElements. The feedback is marked, in bounded memory.
func TestTheLargestSheetWithinTheLimitsStaysSmall(t *testing.T) {
	base := formWorkbook(t)
	receipts := partOf(t, base, "Belegliste")
	data := withParts(t, base, hostilePart{name: receipts, head: worksheetHead,
		chunk: "<row>" + strings.Repeat("<c/>", 1000) + "</row>", n: 380, tail: "</sheetData></worksheet>"})
	dir := t.TempDir()
	src := filepath.Join(dir, "15083_2026_Q1.xlsx")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.xlsx")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "FEEDBACK_TEST_CHILD=1", "FEEDBACK_TEST_SRC="+src, "FEEDBACK_TEST_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the feedback process failed: %v\n%s", err, b)
	}
	var res childResult
	j, _ := os.ReadFile(out + ".json")
	if err := json.Unmarshal(j, &res); err != nil {
		t.Fatal(err)
	}
	t.Logf("peak %d MiB", res.PeakKiB>>10)
	if !res.Marked {
		t.Errorf("result %s, want the findings marked", j)
	}
	if res.PeakKiB < 0 || res.PeakKiB>>10 > 400 {
		t.Errorf("peak memory %d MiB, want under 400 MiB", res.PeakKiB>>10)
	}
}
