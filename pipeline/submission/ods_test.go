package submission_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/submission"
	"grantpipe/pipeline/xlsx"
)

// A district that fills the form in LibreOffice sends an .ods. It must read
// to the same submission as the .xlsx of the same form: the same values and
// the same findings at the same cells. The twins here are built two ways:
// by LibreOffice itself (when soffice is on PATH), and in Go, by writing
// the cells of an .xlsx into an .ods as LibreOffice writes them, which runs
// everywhere.

// twinCase is one workbook of the form, as a district fills it in.
type twinCase struct {
	name string
	edit func(d *form.Data)
	// want are findings that the file must have, as key@cell: what a
	// reader of the report would check.
	want []string
}

func twinCases() []twinCase {
	return []twinCase{
		{name: "a clean quarter"},
		{name: "a quarter with planted problems", edit: func(d *form.Data) {
			d.Receipts[2][form.FAmount] = "1.234"                   // thousands separator or decimal?
			d.Receipts[3][form.FPaymentDate] = "15.05.26"           // two-digit year
			d.Receipts[4][form.FAmount] = form.Formula(formulaOnly) // no program computed it
			d.Receipts[1][form.FAmount] = "zwölf Euro"              // text in an amount column
		}, want: []string{"amount.ambiguous@G4", "date.two_digit_year@D5", "formula.no_cache@G6", "amount.invalid@G3"}},
		{name: "a quarter with German number text and text dates", edit: func(d *form.Data) {
			d.Receipts[0][form.FAmount] = "4.723,93 €"
			d.Receipts[2][form.FInvoiceDate] = "3.2.2026"
			d.Receipts[2][form.FPaymentDate] = "2026-02-10"
			d.Coordinators[1][form.FFTE] = "0,75"
			d.Receipts[1][form.FPurpose] = "Entgelt\nzwei Zeilen,  zwei Leerzeichen "
		}},
	}
}

// formulaOnly is the amount formula of the planted case: no program has
// computed it, so the file holds no value for it.
const formulaOnly = "SUM(G2:G3)"

func twinXLSX(t testing.TB, tc twinCase) []byte {
	t.Helper()
	p, cat := deps(t)
	y, _ := p.Year(demo.Year)
	d, _ := y.District("15083")
	data := demo.Minimal(d, 1)
	if tc.edit != nil {
		tc.edit(&data)
	}
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: d, Year: demo.Year, Quarter: 1}, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFile(t testing.TB, dir, name string, data []byte) *submission.Submission {
	t.Helper()
	p, _ := deps(t)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sub, err := submission.Read(path, submission.Options{Programme: p, InboxDistrict: "15083"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// sameSubmission compares what two files of one form read to; their names
// differ by design.
func sameSubmission(t *testing.T, fromXLSX, fromODS *submission.Submission) {
	t.Helper()
	if diff := cmp.Diff(fromXLSX, fromODS, cmpopts.IgnoreUnexported(submission.Submission{}), cmpopts.IgnoreFields(submission.Submission{}, "File")); diff != "" {
		t.Errorf("submission (-xlsx +ods):\n%s", diff)
	}
}

func checkWanted(t *testing.T, sub *submission.Submission, want []string) {
	t.Helper()
	got := map[string]bool{}
	for _, f := range sub.Findings {
		got[f.Key+"@"+f.Cell] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no finding %s", w)
		}
	}
	if len(want) == 0 && len(sub.Findings) > 0 {
		t.Errorf("findings in a clean quarter: %v", sub.Findings)
	}
	if sub.Rejected || len(sub.Receipts) != 5 || len(sub.Coordinators) != 2 || len(sub.Activities) != 2 {
		t.Errorf("rejected %v, %d receipts, %d coordinators, %d activities", sub.Rejected, len(sub.Receipts), len(sub.Coordinators), len(sub.Activities))
	}
}

func TestODSBuiltInGoReadsAsItsXLSX(t *testing.T) {
	for _, tc := range twinCases() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			x := twinXLSX(t, tc)
			fromXLSX := readFile(t, dir, "Meldung.xlsx", x)
			fromODS := readFile(t, dir, "Meldung.ods", odsFromXLSX(t, x))
			checkWanted(t, fromODS, tc.want)
			sameSubmission(t, fromXLSX, fromODS)
		})
	}
}

// TestODSSavedByLibreOfficeReadsAsTheXLSX saves each workbook with
// LibreOffice as .ods and as .xlsx. The .ods must read exactly as
// LibreOffice's .xlsx, and with the same values and findings as the
// original: only the notation of stored numbers differs from that ("3187.50"
// as written by the form's generator, "3187.5" by LibreOffice).
func TestODSSavedByLibreOfficeReadsAsTheXLSX(t *testing.T) {
	dir := t.TempDir()
	var srcs []string
	cases := twinCases()
	for i, tc := range cases {
		src := filepath.Join(dir, fmt.Sprintf("case%d.xlsx", i))
		if err := os.WriteFile(src, twinXLSX(t, tc), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	odss := libreOffice(t, "ods", filepath.Join(dir, "ods"), srcs...)
	loXLSXs := libreOffice(t, "xlsx", filepath.Join(dir, "xlsx"), srcs...)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			read := func(path string) []byte {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			// LibreOffice computes every formula when it opens a file; a
			// district's own file of a generator's form would not have the
			// value, so it is taken out again.
			o := editZip(t, read(odss[i]), func(name, body string) string {
				if name != "content.xml" {
					return body
				}
				return uncacheODS(body, "of:=SUM([.G2:.G3])")
			})
			lo := editZip(t, read(loXLSXs[i]), func(name, body string) string {
				return uncacheXLSX(body, formulaOnly)
			})
			fromXLSX := readFile(t, t.TempDir(), "Meldung.xlsx", read(srcs[i]))
			fromLO := readFile(t, t.TempDir(), "Meldung.xlsx", lo)
			fromODS := readFile(t, t.TempDir(), "Meldung.ods", o)
			checkWanted(t, fromODS, tc.want)
			sameSubmission(t, fromLO, fromODS)
			numbers := cmp.Comparer(func(a, b submission.Value) bool {
				fa, errA := strconv.ParseFloat(a.Raw, 64)
				fb, errB := strconv.ParseFloat(b.Raw, 64)
				return a == b || a.Cell == b.Cell && errA == nil && errB == nil && fa == fb
			})
			if diff := cmp.Diff(fromXLSX, fromODS, numbers, cmpopts.IgnoreUnexported(submission.Submission{}), cmpopts.IgnoreFields(submission.Submission{}, "File")); diff != "" {
				t.Errorf("submission (-original xlsx +ods):\n%s", diff)
			}
		})
	}
}

// uncacheODS takes the value out of the cells with the given formula, as
// LibreOffice writes them in content.xml.
func uncacheODS(content, formula string) string {
	re := regexp.MustCompile(`<table:table-cell[^>]*? table:formula="` + regexp.QuoteMeta(html.EscapeString(formula)) + `"[^>]*?(/>|>.*?</table:table-cell>)`)
	return re.ReplaceAllLiteralString(content, `<table:table-cell table:formula="`+html.EscapeString(formula)+`"/>`)
}

// uncacheXLSX takes the value out of the cells with the given formula in a
// worksheet part.
func uncacheXLSX(sheet, formula string) string {
	re := regexp.MustCompile(`(<f[^>]*>` + regexp.QuoteMeta(html.EscapeString(formula)) + `</f>)<v>[^<]*</v>`)
	return re.ReplaceAllString(sheet, "$1")
}

func TestODSProblemsNameLibreOffice(t *testing.T) {
	dir := t.TempDir()
	clean := odsFromXLSX(t, twinXLSX(t, twinCases()[0]))
	manifest := `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry></manifest:manifest>`
	tests := []struct {
		name string
		data []byte
		key  string
	}{
		{"a password-protected ods", odsPackage(t, "\x13\x37 encrypted", manifest), "file.encrypted_ods"},
		{"a damaged ods", odsPackage(t, "<office:document-content", ""), "file.corrupt_ods"},
		{"an ods damaged after it was saved", damageODS(t, clean), "file.corrupt_ods"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is rejected with LibreOffice's way to repair it", func(t *testing.T) {
			sub := readFile(t, dir, "Meldung.ods", tt.data)
			if !sub.Rejected || len(sub.Findings) != 1 || sub.Findings[0].Key != tt.key {
				t.Errorf("rejected %v, findings %v, want %s", sub.Rejected, sub.Findings, tt.key)
			}
		})
	}
}

// damageODS changes one byte of content.xml, stored, so that its checksum
// no longer matches.
func damageODS(t testing.TB, data []byte) []byte {
	content := readPart(t, data, "content.xml")
	b := odsPackage(t, content, "")
	i := bytes.LastIndex(b, []byte("Büromaterial"))
	if i < 0 {
		t.Fatal("no Büromaterial")
	}
	b[i] = 'b'
	return b
}

// Go-built twins.

// odsFromXLSX writes the cells of an .xlsx into an .ods as LibreOffice
// writes them: typed cells, text in paragraphs with runs of spaces as
// text:s, gaps and equal neighbours as repeated cells and rows, and every
// sheet padded with empty cells to the end of the grid.
func odsFromXLSX(t testing.TB, data []byte) []byte {
	t.Helper()
	wb, err := xlsx.OpenReaderAt(bytes.NewReader(data), int64(len(data)), xlsx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.3"><office:body><office:spreadsheet>`)
	for _, name := range wb.Sheets() {
		fmt.Fprintf(&b, `<table:table table:name="%s"><table:table-column table:number-columns-repeated="16384"/>`, html.EscapeString(name))
		rows, err := wb.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		next := 1
		var pending string // the last row written, with its repeat count
		pendingN := 0
		flush := func() {
			if pendingN > 0 {
				fmt.Fprintf(&b, `<table:table-row table:number-rows-repeated="%d">%s</table:table-row>`, pendingN, pending)
			}
			pendingN = 0
		}
		for rows.Next() {
			if gap := rows.Row() - next; gap > 0 {
				flush()
				fmt.Fprintf(&b, `<table:table-row table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`, gap)
			}
			cells := odsRowCells(t, rows.Cells(), wb.Date1904())
			if cells != pending || pendingN == 0 {
				flush()
				pending = cells
			}
			pendingN++
			next = rows.Row() + 1
		}
		flush()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if next <= 1<<20 {
			fmt.Fprintf(&b, `<table:table-row table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`, 1<<20-next+1)
		}
		b.WriteString(`</table:table>`)
	}
	b.WriteString(`</office:spreadsheet></office:body></office:document-content>`)
	return zipODS(t, zip.Deflate, b.String(), "")
}

// odsRowCells writes the cells of one row, equal neighbours as one cell
// repeated.
func odsRowCells(t testing.TB, cells []xlsx.Cell, date1904 bool) string {
	var b strings.Builder
	col, last, n := 1, "", 0
	flush := func() {
		if n > 1 {
			last = strings.Replace(last, "<table:table-cell", fmt.Sprintf(`<table:table-cell table:number-columns-repeated="%d"`, n), 1)
		}
		b.WriteString(last)
		n = 0
	}
	for _, c := range cells {
		x := odsCellXML(t, c, date1904)
		if c.Col != col || x != last {
			flush()
			if gap := c.Col - col; gap > 0 {
				fmt.Fprintf(&b, `<table:table-cell table:number-columns-repeated="%d"/>`, gap)
			}
			last = x
		}
		n++
		col = c.Col + 1
	}
	flush()
	fmt.Fprintf(&b, `<table:table-cell table:number-columns-repeated="%d"/>`, 1<<14-col+1)
	return b.String()
}

func odsCellXML(t testing.TB, c xlsx.Cell, date1904 bool) string {
	attrs := ""
	if c.Formula {
		attrs = ` table:formula="of:=1"`
		if !c.Cached {
			return `<table:table-cell` + attrs + `/>`
		}
	}
	switch c.Type {
	case xlsx.Number:
		if c.DateFormat {
			f, err := strconv.ParseFloat(c.Value, 64)
			if err != nil {
				t.Fatal(err)
			}
			epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
			if date1904 {
				epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			day := math.Floor(f)
			d := epoch.AddDate(0, 0, int(day)).Add(time.Duration(math.Round((f - day) * 86400 * 1e9)))
			iso := d.Format("2006-01-02T15:04:05")
			return fmt.Sprintf(`<table:table-cell%s office:value-type="date" office:date-value="%s" calcext:value-type="date"><text:p>%s</text:p></table:table-cell>`, attrs, iso, d.Format("02.01.2006"))
		}
		return fmt.Sprintf(`<table:table-cell%s office:value-type="float" office:value="%s" calcext:value-type="float"><text:p>%s</text:p></table:table-cell>`, attrs, c.Value, c.Value)
	case xlsx.Bool:
		v := map[string]string{"1": "true", "0": "false"}[c.Value]
		return fmt.Sprintf(`<table:table-cell%s office:value-type="boolean" office:boolean-value="%s"><text:p>%s</text:p></table:table-cell>`, attrs, v, v)
	case xlsx.Error:
		return fmt.Sprintf(`<table:table-cell%s office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>%s</text:p></table:table-cell>`, attrs, html.EscapeString(c.Value))
	case xlsx.String:
		return fmt.Sprintf(`<table:table-cell%s office:value-type="string" calcext:value-type="string">%s</table:table-cell>`, attrs, odsParagraphs(c.Value))
	}
	t.Fatalf("cannot write %+v", c)
	return ""
}

var spaceRuns = regexp.MustCompile(`  +`)

// odsParagraphs writes text as LibreOffice does: a paragraph per line, the
// first space of a run as it is and the others as text:s, tabs as text:tab.
func odsParagraphs(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = html.EscapeString(line)
		line = spaceRuns.ReplaceAllStringFunc(line, func(run string) string {
			if len(run) == 2 {
				return ` <text:s/>`
			}
			return fmt.Sprintf(` <text:s text:c="%d"/>`, len(run)-1)
		})
		line = strings.ReplaceAll(line, "\t", "<text:tab/>")
		b.WriteString("<text:p>" + line + "</text:p>")
	}
	return b.String()
}

// odsPackage is an .ods of the given content.xml and, if not empty,
// manifest, with the mimetype first and every part stored.
func odsPackage(t testing.TB, content, manifest string) []byte {
	t.Helper()
	return zipODS(t, zip.Store, content, manifest)
}

// zipODS is odsPackage with the parts other than the mimetype compressed
// by method.
func zipODS(t testing.TB, method uint16, content, manifest string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := [][2]string{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}}
	if manifest != "" {
		parts = append(parts, [2]string{"META-INF/manifest.xml", manifest})
	}
	parts = append(parts, [2]string{"content.xml", content})
	for i, p := range parts {
		m := method
		if i == 0 {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p[0], Method: m})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readPart(t testing.TB, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// editZip rewrites the parts of a package, keeping their order and
// compression (an .ods's mimetype entry first and stored).
func editZip(t testing.TB, data []byte, edit func(name, body string) string) []byte {
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
		b = []byte(edit(f.Name, string(b)))
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// libreOffice converts files to format ("ods" or "xlsx") into outDir with
// a real LibreOffice and returns the paths of the results. It skips the
// test when soffice is not on PATH.
func libreOffice(t testing.TB, format, outDir string, files ...string) []string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not on PATH: install LibreOffice (Debian libreoffice-calc-nogui) to run this test")
	}
	profile := "file://" + filepath.ToSlash(t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=" + profile, "--convert-to", format, "--outdir", outDir}, files...)
	out, err := exec.CommandContext(ctx, soffice, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+format)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("soffice wrote no %s: %v\n%s", p, err, out)
		}
		paths = append(paths, p)
	}
	return paths
}
