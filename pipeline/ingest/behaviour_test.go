package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/money"

	"github.com/xuri/excelize/v2"
)

// version writes a Börde Q1 workbook whose first receipt has the given
// amount, so each version has different bytes.
func version(t *testing.T, dir string, name string, amount money.Cents, received time.Time) string {
	t.Helper()
	b := workbookBytes(fixture{edit: func(_ *excelize.File, d *form.Data) { d.Receipts[0][form.FAmount] = amount }}, t)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, received, received); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) ingest(t *testing.T, files ...string) *ingest.Result {
	t.Helper()
	res, err := e.in.Run(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (e *env) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := e.st.Raw().QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAByteIdenticalFileIsADuplicate(t *testing.T) {
	e := newEnv(t)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	version(t, e.dir.InboxOf("15083"), "q1.xlsx", 100, april)
	if res := e.ingest(t); res.Accepted != 1 {
		t.Fatalf("first: %+v", res)
	}
	version(t, e.dir.InboxOf("15083"), "q1.xlsx", 100, april)
	version(t, e.dir.InboxOf("15083"), "q1 (Kopie).xlsx", 100, april)
	res := e.ingest(t)
	if res.Duplicate != 2 || res.Accepted != 0 {
		t.Fatalf("second: %+v", res)
	}
	if n := e.count(t, "SELECT count(*) FROM submissions"); n != 1 {
		t.Errorf("%d submissions stored, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM receipts"); n != 5 {
		t.Errorf("%d receipts stored, want 5", n)
	}
	archived, _ := filepath.Glob(filepath.Join(e.dir.Archive(), "15083", "2026-Q1", "*"))
	if len(archived) != 2 {
		t.Errorf("archive holds %v, want the file under both its names", archived)
	}
}

func TestALaterSubmissionSupersedesTheEarlier(t *testing.T) {
	e := newEnv(t)
	in := e.dir.InboxOf("15083")
	version(t, in, "erste.xlsx", 100, time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC))
	e.ingest(t)
	version(t, in, "korrigiert.xlsx", 200, time.Date(2026, 4, 12, 10, 0, 0, 0, time.UTC))
	e.ingest(t)
	if n := e.count(t, "SELECT count(*) FROM submissions WHERE superseded_by IS NULL"); n != 1 {
		t.Errorf("%d current submissions, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM submissions old JOIN submissions new ON old.superseded_by = new.id
		WHERE old.file_name = 'erste.xlsx' AND new.file_name = 'korrigiert.xlsx'`); n != 1 {
		t.Error("erste.xlsx is not marked as superseded by korrigiert.xlsx")
	}
	if n := e.count(t, "SELECT count(*) FROM receipts"); n != 10 {
		t.Errorf("%d receipts kept, want both versions' 10", n)
	}

	t.Run("and a file received earlier but ingested later does not replace the current one", func(t *testing.T) {
		version(t, in, "verspaetet_eingelesen.xlsx", 300, time.Date(2026, 4, 10, 10, 0, 0, 0, time.UTC))
		e.ingest(t)
		var current string
		e.st.Raw().QueryRow("SELECT file_name FROM submissions WHERE superseded_by IS NULL").Scan(&current)
		if current != "korrigiert.xlsx" {
			t.Errorf("current submission is %s, want korrigiert.xlsx", current)
		}
		if n := e.count(t, "SELECT count(*) FROM submissions WHERE superseded_by IS NOT NULL"); n != 2 {
			t.Errorf("%d superseded, want 2", n)
		}
	})
}

func TestAFileNamedOnTheCommandLineIsCopiedNotMoved(t *testing.T) {
	e := newEnv(t)
	outside := version(t, t.TempDir(), "meine_meldung.xlsx", 100, time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC))
	res := e.ingest(t, outside)
	if res.Accepted != 1 {
		t.Fatalf("%+v", res)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("the user's own file is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir.Root, res.Files[0].StoredPath)); err != nil {
		t.Errorf("no archived copy: %v", err)
	}
	var inbox any
	e.st.Raw().QueryRow("SELECT inbox_district FROM submissions").Scan(&inbox)
	if inbox != nil {
		t.Errorf("inbox district %v for a file from outside the inbox", inbox)
	}
}

func TestOfficeLockFilesAndNotesAreNotSubmissions(t *testing.T) {
	e := newEnv(t)
	in := e.dir.InboxOf("15083")
	for _, n := range []string{"~$q1.xlsx", ".~lock.q1.xlsx#", "alt.xlsx.errors.txt", ".hidden.xlsx"} {
		os.WriteFile(filepath.Join(in, n), []byte("x"), 0o644)
	}
	if res := e.ingest(t); len(res.Files) != 0 {
		t.Errorf("ingested %+v", res.Files)
	}
}

func TestFilesStillBeingCopiedAreLeftForTheNextRun(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	version(t, e.dir.InboxOf("15083"), "q1.xlsx", 100, now.Add(-2*time.Second))
	e.in.Now = func() time.Time { return now }
	e.in.Settle = 10 * time.Second
	if res := e.ingest(t); len(res.Files) != 0 {
		t.Errorf("a file modified 2 s ago was ingested")
	}
	e.in.Now = func() time.Time { return now.Add(time.Minute) }
	if res := e.ingest(t); res.Accepted != 1 {
		t.Errorf("the settled file was not ingested: %+v", res)
	}
}

// TestABatchEndsCheckpointedWithDuckDBsSettingsRestored: a run lets the
// write-ahead log grow and uses one DuckDB thread while it stores files;
// when it returns, what it committed is in the database file (the log is
// empty) and the rest of the program finds DuckDB as it was.
func TestABatchEndsCheckpointedWithDuckDBsSettingsRestored(t *testing.T) {
	e := newEnv(t)
	setting := func(name string) string {
		t.Helper()
		var v string
		if err := e.st.Raw().QueryRow("SELECT current_setting('" + name + "')::VARCHAR").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	threads, threshold := setting("threads"), setting("checkpoint_threshold")
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	version(t, e.dir.InboxOf("15083"), "q1.xlsx", 100, april)
	if res := e.ingest(t); res.Accepted != 1 {
		t.Fatalf("ingest: %+v", res)
	}
	if got := setting("threads"); got != threads {
		t.Errorf("threads after the run: %s, want %s as before", got, threads)
	}
	if got := setting("checkpoint_threshold"); got != threshold {
		t.Errorf("checkpoint_threshold after the run: %s, want %s as before", got, threshold)
	}
	if st, err := os.Stat(e.dir.Database() + ".wal"); err == nil && st.Size() > 0 {
		t.Errorf("the write-ahead log holds %d bytes after the run, want it checkpointed", st.Size())
	}
}
