package submission_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/messages"
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
