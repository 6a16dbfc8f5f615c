package submission_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/submission"
	"grantpipe/pipeline/xlsx"
)

func deps(t testing.TB) (*programme.Programme, *messages.Catalog) {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p, cat
}

// checkSubmission asserts what must hold for any file: a verdict, and every
// finding placed and worded from the catalogue.
func checkSubmission(t *testing.T, name string, sub *submission.Submission, cat *messages.Catalog) {
	t.Helper()
	if sub.Rejected && len(sub.Findings) == 0 {
		t.Errorf("%s: rejected without a reason", name)
	}
	for _, f := range sub.Findings {
		if !cat.Has(f.Key) {
			t.Errorf("%s: finding key %q is not in the catalogue", name, f.Key)
		}
		msg := cat.Text("de", f.Key, f.Args)
		if strings.Contains(msg, "{") {
			t.Errorf("%s: message with an unfilled placeholder: %s", name, msg)
		}
		if f.Cell != "" && f.Sheet == "" {
			t.Errorf("%s: finding at cell %s names no sheet", name, f.Cell)
		}
	}
}

// TestCorpusEveryFileIsReadOrRejected reads real-world workbooks from many
// writers (../shared/corpus/xlsx, beside the repository, when present). None
// is a submission, so most are rejected; each must get a verdict with a
// message, quickly, and none may panic.
func TestCorpusEveryFileIsReadOrRejected(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "xlsx")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no corpus at %s", dir)
	}
	p, cat := deps(t)
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(strings.ToLower(e.Name()), ".xlsx") && !strings.HasSuffix(strings.ToLower(e.Name()), ".xlsm") {
			continue
		}
		n++
		path := filepath.Join(dir, e.Name())
		start := time.Now()
		sub, err := submission.Read(path, submission.Options{Programme: p})
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s: took %v", e.Name(), took)
		}
		checkSubmission(t, e.Name(), sub, cat)
	}
	t.Logf("%d corpus files each read or rejected with a message", n)
}

// FuzzReadWorkbook feeds arbitrary bytes, seeded with the end-to-end cases,
// to the reader: it must never panic, and every verdict must be worded.
// CI runs the seeds; go test -fuzz=FuzzReadWorkbook explores further.
func FuzzReadWorkbook(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "ingest", "*", "*.xls*"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 1<<20 {
			f.Add(b)
		}
	}
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	p, cat := deps(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lim := xlsx.Limits{MaxFileSize: 4 << 20, MaxUnzippedSize: 64 << 20, MaxPartSize: 8 << 20}
		sub, err := submission.Read(path, submission.Options{Programme: p, Limits: lim, MaxLines: 20000})
		if err != nil {
			t.Fatal(err)
		}
		checkSubmission(t, "fuzz input", sub, cat)
	})
}

// minimalForm is the demo's minimal quarter of the first district with the
// receipts given, or its own when receipts is nil, as a workbook.
func minimalForm(t testing.TB, receipts []form.Row) []byte {
	t.Helper()
	p, cat := deps(t)
	y, _ := p.Year(demo.Year)
	d := demo.Minimal(&y.Districts[0], 1)
	if receipts != nil {
		d.Receipts = receipts
	}
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: &y.Districts[0], Year: demo.Year, Quarter: 1}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// partOfSheet returns the zip part that holds the named sheet of data.
func partOfSheet(t testing.TB, data []byte, sheet string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		f, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return string(b)
	}
	m := regexp.MustCompile(`<sheet [^>]*name="` + regexp.QuoteMeta(sheet) + `"[^>]*r:id="([^"]+)"`).FindStringSubmatch(read("xl/workbook.xml"))
	if m == nil {
		t.Fatalf("no sheet %s", sheet)
	}
	for _, r := range regexp.MustCompile(`<Relationship [^>]*>`).FindAllString(read("xl/_rels/workbook.xml.rels"), -1) {
		if strings.Contains(r, `Id="`+m[1]+`"`) {
			target := regexp.MustCompile(`Target="([^"]+)"`).FindStringSubmatch(r)[1]
			return "xl/" + strings.TrimPrefix(strings.TrimPrefix(target, "/"), "xl/")
		}
	}
	t.Fatalf("no part for sheet %s", sheet)
	return ""
}

// rezip copies the workbook data, letting edit change the body of each
// part, and gives the parts named in crc the CRC-32 there instead of their
// own, as a file damaged after it was saved has.
func rezip(t testing.TB, data []byte, edit func(name, body string) string, crc map[string]uint32) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		body := string(b)
		if edit != nil {
			body = edit(f.Name, body)
		}
		var w io.Writer
		if sum, bad := crc[f.Name]; bad {
			w, err = zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Store, CRC32: sum,
				CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		} else {
			w, err = zw.Create(f.Name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readBytes(t testing.TB, data []byte, opt submission.Options) *submission.Submission {
	t.Helper()
	path := filepath.Join(t.TempDir(), "Quartalsmeldung.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if opt.Programme == nil {
		opt.Programme, _ = deps(t)
	}
	sub, err := submission.Read(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// findingOf returns the first finding with key, or nil.
func findingOf(sub *submission.Submission, key string) *submission.Finding {
	for i := range sub.Findings {
		if sub.Findings[i].Key == key {
			return &sub.Findings[i]
		}
	}
	return nil
}

// longTextAttack is the file of issue 10: 4,000 receipts whose purpose and
// amount are one shared string of 1 MiB. The file is some 100 KB; before the
// text budget, ingesting it was killed above 4 GB.
func longTextAttack(t testing.TB) []byte {
	t.Helper()
	const marker = "LANGERTEXT"
	var receipts []form.Row
	for i := range 4000 {
		receipts = append(receipts, form.Row{form.FLineNo: i + 1, form.FCategory: "Reisekosten", form.FInvoiceDate: time.Date(demo.Year, 1, 5, 0, 0, 0, 0, time.UTC),
			form.FPaymentDate: time.Date(demo.Year, 1, 9, 0, 0, 0, 0, time.UTC), form.FPayee: "Deutsche Bahn AG", form.FPurpose: marker,
			form.FAmount: marker, form.FReceiptNo: fmt.Sprintf("R-%d", i+1)})
	}
	replaced := false
	data := rezip(t, minimalForm(t, receipts), func(name, body string) string {
		if name == "xl/sharedStrings.xml" && strings.Contains(body, "<t>"+marker+"</t>") {
			replaced = true
			return strings.Replace(body, "<t>"+marker+"</t>", "<t>"+strings.Repeat("Zweck ", 1<<20/6)+"</t>", 1)
		}
		return body
	}, nil)
	if !replaced {
		t.Fatal("the form writer wrote the marker elsewhere than in the shared strings")
	}
	return data
}

// TestOneLongTextInThousandsOfCellsIsRefusedInLittleMemory reads the file
// of issue 10 in a separate process, and uses what it read as ingest does
// (every finding's message in both languages, every value copied as into
// the database), measuring that process.
func TestOneLongTextInThousandsOfCellsIsRefusedInLittleMemory(t *testing.T) {
	type verdict struct {
		Rejected          bool
		Key, Sheet, Cell  string
		Message, Messages string
		Receipts          int
	}
	if path := os.Getenv("SUBMISSION_TEST_READ"); path != "" {
		p, cat := deps(t)
		sub, err := submission.Read(path, submission.Options{Programme: p})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, f := range sub.Findings {
			texts = append(texts, cat.Text("de", f.Key, f.Args), cat.Text("en", f.Key, f.Args))
		}
		var stored []string
		for _, r := range sub.Receipts {
			stored = append(stored, strings.Clone(r.Purpose.Raw), strings.Clone(r.Amount.Raw))
		}
		v := verdict{Rejected: sub.Rejected, Receipts: len(stored) / 2, Messages: strconv.Itoa(len(strings.Join(texts, "")))}
		if f := findingOf(sub, "file.too_much_text"); f != nil {
			v.Key, v.Sheet, v.Cell, v.Message = f.Key, f.Sheet, f.Cell, cat.Text("en", f.Key, f.Args)
		}
		json.NewEncoder(os.Stdout).Encode(v)
		return
	}
	data := longTextAttack(t)
	path := filepath.Join(t.TempDir(), "Quartalsmeldung.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOneLongTextInThousandsOfCellsIsRefusedInLittleMemory$")
	cmd.Env = append(os.Environ(), "SUBMISSION_TEST_READ="+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the reading process failed: %v\n%s", err, out)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // MiB
	var v verdict
	line, _, _ := strings.Cut(string(out), "\n")
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("no verdict from the reading process: %v\n%s", err, out)
	}
	t.Logf("file %d KB; peak %d MiB; %s", len(data)>>10, rss, v.Message)
	if !v.Rejected || v.Key != "file.too_much_text" || v.Sheet != "Belegliste" {
		t.Errorf("verdict %+v, want rejected with file.too_much_text on the Belegliste", v)
	}
	if _, row, err := xlsx.ParseRef(v.Cell); err != nil || row > 20 {
		t.Errorf("the budget ran out at cell %q, want within the first receipts", v.Cell)
	}
	for _, want := range []string{"more than 16 MiB", "cell " + v.Cell, "“Belegliste”"} {
		if !strings.Contains(v.Message, want) {
			t.Errorf("message %q does not say %q", v.Message, want)
		}
	}
	if rss > 300 {
		t.Errorf("peak memory %d MiB, want under 300 MiB", rss)
	}
}

// TestTheLargestDemoSubmissionStaysWithinTheBudget: the scaled demo's
// largest file, 20,000 receipts (2.4 MB of cell text), is read whole under
// the default limits.
func TestTheLargestDemoSubmissionStaysWithinTheBudget(t *testing.T) {
	p, cat := deps(t)
	sp, err := demo.ScaledProgramme(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := demo.WriteScaled(sp.Years[0], cat, func(string) string { return dir }, demo.Scale{Quarters: 1, Lines: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := submission.Read(files[0].Path, submission.Options{Programme: sp})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Rejected || len(sub.Receipts) != 20_000 {
		t.Errorf("rejected %v with %d receipts; want 20,000 read: %+v", sub.Rejected, len(sub.Receipts), sub.Findings)
	}
}

func TestADamagedFileIsRejectedAsDamaged(t *testing.T) {
	base := minimalForm(t, nil)
	receipts := partOfSheet(t, base, "Belegliste")
	tests := []struct {
		name, part, sheet string
	}{
		{"a receipts sheet whose checksum does not match", receipts, "Belegliste"},
		{"shared strings whose checksum does not match", "xl/sharedStrings.xml", ""},
	}
	_, cat := deps(t)
	for _, tt := range tests {
		t.Run(tt.name+" rejects the file as damaged", func(t *testing.T) {
			sub := readBytes(t, rezip(t, base, nil, map[string]uint32{tt.part: 0x0BADC0DE}), submission.Options{})
			f := findingOf(sub, "file.corrupt")
			if !sub.Rejected || f == nil || f.Sheet != tt.sheet {
				t.Fatalf("rejected %v, findings %+v; want file.corrupt at sheet %q", sub.Rejected, sub.Findings, tt.sheet)
			}
			if msg := cat.Text("de", f.Key, f.Args); !strings.Contains(msg, "ist beschädigt") || !strings.Contains(msg, tt.part+": checksum mismatch") {
				t.Errorf("message %q", msg)
			}
			if len(sub.Receipts) != 0 && tt.sheet == "" {
				t.Errorf("%d receipts read from a damaged file", len(sub.Receipts))
			}
		})
	}
}

func TestManyMergedCellsInASubmission(t *testing.T) {
	base := minimalForm(t, nil)
	receipts := partOfSheet(t, base, "Belegliste")
	var merges strings.Builder
	merges.WriteString(`<mergeCells count="120000">`)
	for i := range 120_000 {
		fmt.Fprintf(&merges, `<mergeCell ref="K%d:L%d"/>`, i+1, i+1)
	}
	merges.WriteString(`</mergeCells>`)
	data := rezip(t, base, func(name, body string) string {
		if name == receipts {
			return strings.Replace(body, "</sheetData>", "</sheetData>"+merges.String(), 1)
		}
		return body
	}, nil)
	sub := readBytes(t, data, submission.Options{})
	if sub.Rejected || len(sub.Receipts) != 5 {
		t.Errorf("rejected %v with %d receipts; want the 5 receipts read past 120,000 merged ranges: %+v", sub.Rejected, len(sub.Receipts), sub.Findings)
	}
}

func TestTooManyUnreadableValuesRejectTheFile(t *testing.T) {
	var receipts []form.Row
	for i := range 30 {
		receipts = append(receipts, form.Row{form.FLineNo: i + 1, form.FCategory: "Reisekosten", form.FInvoiceDate: "x", form.FPaymentDate: "x",
			form.FPayee: "Deutsche Bahn AG", form.FPurpose: "Fahrt", form.FAmount: money.Cents(100), form.FReceiptNo: fmt.Sprintf("R-%d", i+1)})
	}
	data := minimalForm(t, receipts)
	t.Run("within the bound every unreadable value is a finding", func(t *testing.T) {
		sub := readBytes(t, data, submission.Options{})
		if sub.Rejected || len(sub.Findings) != 60 {
			t.Errorf("rejected %v with %d findings; want 60 findings (two dates in 30 lines)", sub.Rejected, len(sub.Findings))
		}
	})
	t.Run("beyond the bound the file is rejected after the row that crossed it", func(t *testing.T) {
		sub := readBytes(t, data, submission.Options{MaxErrors: 9})
		f := findingOf(sub, "file.too_many_errors")
		// Rows 2 to 6 hold ten unreadable dates; the fifth row crosses 9.
		if !sub.Rejected || f == nil || f.Sheet != "Belegliste" || f.Args["row"] != "6" || len(sub.Findings) != 11 {
			t.Errorf("rejected %v, %d findings, %+v; want rejected after row 6 with its 10 findings", sub.Rejected, len(sub.Findings), f)
		}
	})
}

func TestAFindingQuotesTheStartOfALongValue(t *testing.T) {
	long := strings.Repeat("zu viel ", 1000)
	sub := readBytes(t, minimalForm(t, []form.Row{{form.FLineNo: 1, form.FCategory: "Reisekosten", form.FInvoiceDate: time.Date(demo.Year, 1, 5, 0, 0, 0, 0, time.UTC),
		form.FPaymentDate: time.Date(demo.Year, 1, 9, 0, 0, 0, 0, time.UTC), form.FPayee: "Deutsche Bahn AG", form.FPurpose: "Fahrt",
		form.FAmount: long, form.FReceiptNo: "R-1"}}), submission.Options{})
	f := findingOf(sub, "amount.invalid")
	if f == nil {
		t.Fatalf("no amount.invalid finding: %+v", sub.Findings)
	}
	if want := strings.TrimSpace(long)[:200] + "…"; f.Args["value"] != want {
		t.Errorf("the finding quotes %q, want the first 200 characters and …", f.Args["value"])
	}
	if len(sub.Receipts) != 1 || sub.Receipts[0].Amount.Raw != long {
		t.Errorf("the receipt's own value must stay whole")
	}
}
