package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/xlsx"
	"grantpipe/queries"
)

// feedbackForm is a correct quarterly form of district ags with one
// planted reading problem: the amount of receipt i typed as the ambiguous
// text "1.234", a FORMAT finding at Belegliste!G<i+2>.
func feedbackForm(t *testing.T, ags string, quarter, i int) []byte {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(demo.Year)
	d, ok := y.District(ags)
	if !ok {
		t.Fatalf("no district %s", ags)
	}
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	data := demo.Minimal(d, quarter)
	data.Receipts[i][form.FAmount] = "1.234"
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: d, Year: demo.Year, Quarter: quarter}, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// send puts a file into a district's inbox, received in the first days
// after its quarter.
func send(t *testing.T, dataDir, ags, name string, quarter int, b []byte) {
	t.Helper()
	dir := datadir.New(dataDir).InboxOf(ags)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	received := time.Date(demo.Year, time.Month(3*quarter+1), 5, 10, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, received, received); err != nil {
		t.Fatal(err)
	}
}

func mainJob(t *testing.T, dataDir string) {
	t.Helper()
	if code, out, errOut := run(t, "run", "--data", dataDir, "--as-of", "2026-11-20"); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
}

// storedFile is a submission as the database has it.
type storedFile struct {
	ID                     int64
	District, Stored, Name string
	Quarter                int
}

func storedFiles(t *testing.T, dataDir string) []storedFile {
	t.Helper()
	st, err := store.Open(context.Background(), datadir.New(dataDir).Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Raw().Query(`SELECT id, coalesce(district, ''), stored_path, file_name, coalesce(quarter, 0) FROM submissions ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedFile
	for rows.Next() {
		var s storedFile
		if err := rows.Scan(&s.ID, &s.District, &s.Stored, &s.Name, &s.Quarter); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// feedbackFindings returns the FEEDBACK findings recorded per submission.
func feedbackFindings(t *testing.T, dataDir string) map[int64][]string {
	t.Helper()
	st, err := store.Open(context.Background(), datadir.New(dataDir).Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Raw().Query(`SELECT submission_id, severity, message_de FROM submission_findings WHERE rule = 'FEEDBACK' ORDER BY submission_id, seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var sev, msg string
		if err := rows.Scan(&id, &sev, &msg); err != nil {
			t.Fatal(err)
		}
		out[id] = append(out[id], sev+": "+msg)
	}
	return out
}

// commentCells lists the cells that carry a comment, as "Sheet!A1".
func commentCells(t *testing.T, path string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	for _, sheet := range f.GetSheetList() {
		comments, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comments {
			got = append(got, sheet+"!"+c.Cell)
		}
	}
	sort.Strings(got)
	return got
}

// feedbackWorkbooks lists every feedback workbook under reports/feedback.
func feedbackWorkbooks(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(datadir.New(dataDir).Reports(), "feedback")
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, feedback.Suffix) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestFeedbackWorkbooksBelongToOneSubmissionEach: two districts send
// Meldung.xlsx for the first quarter, and Meldung.xlsx again for the
// second: four feedback workbooks, each at its submission's own path with
// its own findings. A workbook named the old way (after the file alone) is
// removed, anything else in the folder is left.
func TestFeedbackWorkbooksBelongToOneSubmissionEach(t *testing.T) {
	data := t.TempDir()
	reports := filepath.Join(datadir.New(data).Reports(), "feedback")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	oldStyle, notes := filepath.Join(reports, "Meldung.feedback.xlsx"), filepath.Join(reports, "LIESMICH.txt")
	for _, p := range []string{oldStyle, notes} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The planted cell tells the workbooks apart: G3, G4, G5, G6.
	planted := map[string]int{"15083-1": 1, "15089-1": 2, "15083-2": 3, "15089-2": 4}
	for _, ags := range []string{"15083", "15089"} {
		send(t, data, ags, "Meldung.xlsx", 1, feedbackForm(t, ags, 1, planted[ags+"-1"]))
	}
	mainJob(t, data)
	for _, ags := range []string{"15083", "15089"} {
		send(t, data, ags, "Meldung.xlsx", 2, feedbackForm(t, ags, 2, planted[ags+"-2"]))
	}
	mainJob(t, data)

	subs := storedFiles(t, data)
	if len(subs) != 4 {
		t.Fatalf("%d submissions stored, want 4: %+v", len(subs), subs)
	}
	var want []string
	for _, s := range subs {
		path := feedback.Path(datadir.New(data), s.Stored)
		want = append(want, path)
		if s.Name != "Meldung.xlsx" {
			t.Errorf("submission %d was sent as %q", s.ID, s.Name)
		}
		rel, _ := filepath.Rel(data, path)
		wantRel := filepath.Join("reports", "feedback", s.District, fmt.Sprintf("%d-Q%d", demo.Year, s.Quarter))
		if filepath.Dir(rel) != wantRel || !strings.HasSuffix(rel, "_Meldung"+feedback.Suffix) {
			t.Errorf("submission %d (%s Q%d): feedback at %s, want it in %s", s.ID, s.District, s.Quarter, rel, wantRel)
		}
		cell := fmt.Sprintf("Belegliste!G%d", planted[fmt.Sprintf("%s-%d", s.District, s.Quarter)]+2)
		if got := commentCells(t, path); !cmp.Equal(got, []string{cell}) {
			t.Errorf("%s Q%d: comments at %v, want %s", s.District, s.Quarter, got, cell)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o044 != 0o044 {
			t.Errorf("%s has mode %v: the staff group cannot read it", rel, perm)
		}
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, feedbackWorkbooks(t, data)); diff != "" {
		t.Errorf("feedback workbooks (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(oldStyle); !os.IsNotExist(err) {
		t.Errorf("the workbook named after the file alone is still there (%v)", err)
	}
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("a file that is no feedback workbook was removed: %v", err)
	}
}

// TestFeedbackPathIsSafeForAnyFileName: a 250-byte name and one that is
// not UTF-8 give a path whose every part fits the file system, inside
// reports/feedback.
func TestFeedbackPathIsSafeForAnyFileName(t *testing.T) {
	d := datadir.New(t.TempDir())
	for _, stored := range []string{
		"archive/15083/2026-Q1/0123456789ab_" + datadir.StoredName("", strings.Repeat("ä", 125)+".xlsx", ""),
		"rejected/15083/Meldung\xff\xfe.xlsx",
		"rejected/../../../etc/passwd",
	} {
		p := feedback.Path(d, stored)
		rel, err := filepath.Rel(filepath.Join(d.Reports(), "feedback"), p)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%q: %s is outside reports/feedback", stored, p)
		}
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			if len(part) > datadir.MaxNameBytes || !strings.HasSuffix(p, feedback.Suffix) {
				t.Errorf("%q: part %q of %s", stored, part, p)
			}
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Errorf("%q: %v", stored, err)
		}
	}
}

// TestFeedbackFailureIsAFindingAndTheRunGoesOn: a file that excelize cannot
// process though the reader accepted it (its content types part is
// damaged), and a stored file truncated after ingest, each get the list of
// their findings with a FEEDBACK finding, recorded once in the database
// however often the job runs; the run succeeds and the other files get
// their marks. Once the stored file is whole again, its finding goes.
func TestFeedbackFailureIsAFindingAndTheRunGoesOn(t *testing.T) {
	data := t.TempDir()
	good := feedbackForm(t, "15083", 1, 2)
	damaged := replacePart(t, feedbackForm(t, "15089", 1, 3), "[Content_Types].xml",
		[]byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default`))
	send(t, data, "15083", "Meldung.xlsx", 1, good)
	send(t, data, "15089", "Meldung.xlsx", 1, damaged)
	send(t, data, "15091", "Meldung.xlsx", 1, feedbackForm(t, "15091", 1, 4))
	mainJob(t, data)

	subs := storedFiles(t, data)
	if len(subs) != 3 {
		t.Fatalf("%d submissions, want 3", len(subs))
	}
	by := map[string]storedFile{}
	for _, s := range subs {
		by[s.District] = s
	}
	path := func(ags string) string { return feedback.Path(datadir.New(data), by[ags].Stored) }
	check := func(round string, failing ...string) {
		t.Helper()
		got := feedbackFindings(t, data)
		for _, ags := range []string{"15083", "15089", "15091"} {
			fails := false
			for _, f := range failing {
				fails = fails || f == ags
			}
			found := got[by[ags].ID]
			switch {
			case fails && (len(found) != 1 || !strings.HasPrefix(found[0], "warning: Die Befunde konnten nicht in der Datei selbst markiert werden")):
				t.Errorf("%s: %s: FEEDBACK findings %q, want one warning", round, ags, found)
			case !fails && len(found) != 0:
				t.Errorf("%s: %s: FEEDBACK findings %q, want none", round, ags, found)
			}
			f, err := excelize.OpenFile(path(ags))
			if err != nil {
				t.Fatalf("%s: %s: %v", round, ags, err)
			}
			sheets := f.GetSheetList()
			rows, _ := f.GetRows(sheets[0])
			f.Close()
			listed := strings.Contains(fmt.Sprint(rows), "FEEDBACK")
			if fails != (len(sheets) == 1) || fails != listed {
				t.Errorf("%s: %s: sheets %v, FEEDBACK listed %v; want the list alone and the finding: %v", round, ags, sheets, listed, fails)
			}
		}
	}
	check("first run", "15089")

	// The archive's copy of 15083 loses its second half.
	stored := filepath.Join(data, filepath.FromSlash(by["15083"].Stored))
	if err := os.WriteFile(stored, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	mainJob(t, data)
	check("truncated", "15083", "15089")
	mainJob(t, data)
	check("again", "15083", "15089")

	if err := os.WriteFile(stored, good, 0o644); err != nil {
		t.Fatal(err)
	}
	mainJob(t, data)
	check("restored", "15089")
	if got := commentCells(t, path("15083")); !cmp.Equal(got, []string{"Belegliste!G4"}) {
		t.Errorf("restored: comments at %v", got)
	}
}

// replacePart returns the workbook b with one part's content replaced.
func replacePart(t *testing.T, b []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		w, _ := zw.Create(e.Name)
		if e.Name == name {
			w.Write(content)
			continue
		}
		r, _ := e.Open()
		io.Copy(w, r)
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withUnclosedElements returns the workbook b with the part of its unused
// sheet "Hinweise" replaced by 40 million unclosed <a> elements, deflated
// to some 130 KB: the same 3 MiB deflated once, its blocks repeated.
func withUnclosedElements(t *testing.T, b []byte) (out []byte, part string) {
	t.Helper()
	wb, err := xlsx.OpenReaderAt(bytes.NewReader(b), int64(len(b)), xlsx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	sheets, err := wb.SheetParts()
	wb.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sheets {
		if s.Name == "Hinweise" {
			part = s.Part
		}
	}
	head := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	chunk := strings.Repeat("<a>", 1<<20)
	const n = 40
	deflate := func(s string, final bool) []byte {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.BestCompression)
		fw.Write([]byte(s))
		if final {
			fw.Close()
		} else {
			fw.Flush()
		}
		return buf.Bytes()
	}
	dHead, dChunk, dEnd := deflate(head, false), deflate(chunk, false), deflate("", true)
	crc := crc32.ChecksumIEEE([]byte(head))
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, []byte(chunk))
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		if e.Name != part {
			w, _ := zw.Create(e.Name)
			r, _ := e.Open()
			io.Copy(w, r)
			r.Close()
			continue
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: part, Method: zip.Deflate, CRC32: crc,
			CompressedSize64:   uint64(len(dHead) + n*len(dChunk) + len(dEnd)),
			UncompressedSize64: uint64(len(head) + n*len(chunk))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(dHead)
		for range n {
			w.Write(dChunk)
		}
		w.Write(dEnd)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), part
}

// TestFeedbackChildProcess is not a test: it is grantpipe run in a process
// of its own by TestFeedbackOfAHostileSheetInTheMainJob, which reads the
// exit code and the process's own peak memory from the file it writes.
func TestFeedbackChildProcess(t *testing.T) {
	out := os.Getenv("GRANTPIPE_FEEDBACK_CHILD")
	if out == "" {
		t.Skip("run by TestFeedbackOfAHostileSheetInTheMainJob")
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv("GRANTPIPE_FEEDBACK_ARGS")), &args); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, &stdout, &stderr, os.Getenv)
	j, _ := json.Marshal(childRun{Code: code, PeakKiB: ownPeak(), Stderr: stderr.String()})
	if err := os.WriteFile(out, j, 0o644); err != nil {
		t.Fatal(err)
	}
}

type childRun struct {
	Code    int
	PeakKiB int64
	Stderr  string
}

// ownPeak is the process's peak resident set in KiB (VmHWM). The Maxrss
// that wait reports for a child includes the parent's own peak on Linux,
// as os/exec starts children with vfork, and this test binary's other
// tests use far more than the bound below.
func ownPeak() int64 {
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

// TestFeedbackOfAHostileSheetInTheMainJob is issue 10's recipe end to end:
// a 130 KB form whose unused sheet "Hinweise" holds 40 million unclosed
// elements. The reader accepts it; the main job used to die above 4 GB in
// the feedback step, on every later run too, each leaving a 120 MB
// excelize temporary file. Now every run succeeds in little memory, leaves
// no temporary file, marks the finding and keeps the sheet byte for byte.
func TestFeedbackOfAHostileSheetInTheMainJob(t *testing.T) {
	data := t.TempDir()
	form, part := withUnclosedElements(t, feedbackForm(t, "15083", 1, 2))
	t.Logf("the form is %d KiB", len(form)>>10)
	send(t, data, "15083", "Meldung.xlsx", 1, form)
	tmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const maxPeakMiB = 250
	for round := 1; round <= 2; round++ {
		result := filepath.Join(t.TempDir(), "child.json")
		args, _ := json.Marshal([]string{"run", "--data", data, "--as-of", "2026-11-20"})
		cmd := exec.Command(exe, "-test.run=^TestFeedbackChildProcess$")
		cmd.Env = append(os.Environ(), "GRANTPIPE_FEEDBACK_CHILD="+result, "GRANTPIPE_FEEDBACK_ARGS="+string(args), "TMPDIR="+tmp)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		var res childRun
		j, _ := os.ReadFile(result)
		if json.Unmarshal(j, &res) != nil || err != nil {
			t.Fatalf("round %d: the run failed after %v (%v, up to %d MiB):\n%s", round, took, err,
				cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss>>10, out)
		}
		t.Logf("round %d: run took %v with a peak of %d MiB", round, took.Round(time.Millisecond), res.PeakKiB>>10)
		if res.Code != 0 {
			t.Fatalf("round %d: exit %d\n%s", round, res.Code, res.Stderr)
		}
		if res.PeakKiB < 0 || res.PeakKiB>>10 > maxPeakMiB {
			t.Errorf("round %d: peak memory %d MiB, want under %d MiB", round, res.PeakKiB>>10, maxPeakMiB)
		}
		left, _ := os.ReadDir(tmp)
		for _, e := range left {
			t.Errorf("round %d: %s left in the temporary folder", round, e.Name())
		}
	}
	subs := storedFiles(t, data)
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	path := feedback.Path(datadir.New(data), subs[0].Stored)
	if got := feedbackFindings(t, data); len(got) != 0 {
		t.Errorf("FEEDBACK findings %v, want none", got)
	}
	raw := func(file, name string) []byte {
		zr, err := zip.OpenReader(file)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, e := range zr.File {
			if e.Name == name {
				r, _ := e.OpenRaw()
				b, _ := io.ReadAll(r)
				return b
			}
		}
		t.Fatalf("%s: no part %s", file, name)
		return nil
	}
	if !bytes.Equal(raw(path, part), raw(filepath.Join(data, filepath.FromSlash(subs[0].Stored)), part)) {
		t.Errorf("the unused sheet is not the district's byte for byte")
	}
	// excelize would choke on that sheet, so the marks are read from a copy
	// without it.
	b, _ := os.ReadFile(path)
	light := filepath.Join(t.TempDir(), "light.xlsx")
	os.WriteFile(light, replacePart(t, b, part, []byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`)), 0o644)
	if got := commentCells(t, light); !cmp.Equal(got, []string{"Belegliste!G4"}) {
		t.Errorf("comments at %v, want Belegliste!G4", got)
	}
}
