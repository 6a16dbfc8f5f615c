package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/money"
)

// everywhere lists every file below the data directory's inbox, archive and
// rejected folders, relative to the data directory.
func (e *env) everywhere(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{e.dir.Inbox(), e.dir.Archive(), e.dir.Rejected()} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, e.dir.Rel(p))
			}
			return nil
		})
	}
	return out
}

func TestAFileRejectedForItsFolderAndSentAgainIsJudgedAgain(t *testing.T) {
	e := newEnv(t)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	// A Börde (15083) workbook in Harz's (15085) folder.
	version(t, e.dir.InboxOf("15085"), "M.xlsx", 100, april)
	if res := e.ingest(t); res.Rejected != 1 {
		t.Fatalf("first: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(e.dir.Rejected(), "15085", "M.xlsx.errors.txt")); err != nil {
		t.Errorf("the rejected file is not filed under its sender's folder: %v", err)
	}
	// The same bytes, sent again into the right folder, and into a folder
	// that is no district.
	os.MkdirAll(filepath.Join(e.dir.Inbox(), "foo"), 0o755)
	version(t, filepath.Join(e.dir.Inbox(), "foo"), "M.xlsx", 100, april.Add(time.Hour))
	version(t, e.dir.InboxOf("15083"), "M.xlsx", 100, april.Add(2*time.Hour))
	res := e.ingest(t)
	if res.Accepted != 1 || res.Rejected != 1 || res.Duplicate != 0 {
		t.Fatalf("second: accepted %d, rejected %d, duplicate %d; want 1, 1, 0", res.Accepted, res.Rejected, res.Duplicate)
	}
	if n := e.count(t, "SELECT count(*) FROM submissions WHERE outcome = 'accepted' AND district = '15083' AND superseded_by IS NULL"); n != 1 {
		t.Errorf("%d current Börde submissions, want 1", n)
	}
	files := e.everywhere(t)
	want := []string{"archive/15083/2026-Q1/" + res.Files[1].SHA256[:12] + "_M.xlsx",
		"rejected/15085/M.xlsx", "rejected/15085/M.xlsx.errors.txt", "rejected/foo/M.xlsx", "rejected/foo/M.xlsx.errors.txt"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files are\n%v\nwant\n%v", files, want)
	}

	t.Run("and once accepted, the same bytes again are a duplicate", func(t *testing.T) {
		version(t, e.dir.InboxOf("15083"), "M (2).xlsx", 100, april.Add(3*time.Hour))
		if res := e.ingest(t); res.Duplicate != 1 {
			t.Errorf("%+v", res)
		}
	})
	t.Run("and a rejected file sent again unchanged to the same folder is rejected again, beside the first", func(t *testing.T) {
		for i := range 2 {
			version(t, e.dir.InboxOf("15085"), "N.xlsx", 555, april.Add(time.Duration(4+i)*time.Hour))
			if res := e.ingest(t); res.Rejected != 1 {
				t.Fatalf("%+v", res)
			}
		}
		notes, _ := filepath.Glob(filepath.Join(e.dir.Rejected(), "15085", "N*.errors.txt"))
		if len(notes) != 2 {
			t.Errorf("notes %v, want two", notes)
		}
		if left, _ := filepath.Glob(filepath.Join(e.dir.Inbox(), "*", "*")); len(left) != 0 {
			t.Errorf("left in the inbox: %v", left)
		}
	})
}

func TestAnyFileNameIsStoredSafely(t *testing.T) {
	e := newEnv(t)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	long := strings.Repeat("ä", 122) + ".xlsx" // 249 bytes: fits, but not with a prefix
	names := []string{long, "Meldung\xff\xfe.xlsx", "Q1\n\x1b[32mangenommen 15083.xlsx"}
	for i, n := range names {
		version(t, e.dir.InboxOf("15083"), n, 100+int64Cents(i), april.Add(time.Duration(i)*time.Hour))
	}
	// and a long name that is rejected (it is in the wrong folder)
	version(t, e.dir.InboxOf("15085"), long, 900, april)
	res := e.ingest(t)
	if res.Accepted != 3 || res.Rejected != 1 {
		t.Fatalf("accepted %d, rejected %d: %+v", res.Accepted, res.Rejected, res.Files)
	}
	for _, f := range res.Files {
		if !utf8.ValidString(f.File) || strings.ContainsAny(f.File, "\n\x1b") {
			t.Errorf("reported name %q is not printable", f.File)
		}
		reserve := 0
		if f.Outcome == ingest.Rejected {
			reserve = len(".errors.txt")
		}
		if base := filepath.Base(f.StoredPath); len(base)+reserve > datadir.MaxNameBytes {
			t.Errorf("stored as %d bytes: %q", len(base), base)
		}
		if _, err := os.Stat(filepath.Join(e.dir.Root, f.StoredPath)); err != nil {
			t.Errorf("%q: %v", f.File, err)
		}
	}
	var stored string
	e.st.Raw().QueryRow("SELECT file_name FROM submissions WHERE file_name LIKE 'Meldung%'").Scan(&stored)
	if stored != `Meldung\xff\xfe.xlsx` {
		t.Errorf("non-UTF-8 name stored as %q", stored)
	}
	if left, _ := filepath.Glob(filepath.Join(e.dir.Inbox(), "*", "*")); len(left) != 0 {
		t.Errorf("left in the inbox: %v", left)
	}
}

func int64Cents(i int) money.Cents { return money.Cents(i) }

func TestTheSenderDoesNotControlTheReceivedTime(t *testing.T) {
	e := newEnv(t)
	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	pickup := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	e.in.Now = func() time.Time { return pickup }
	e.in.Settle = time.Minute
	version(t, e.dir.InboxOf("15083"), "2099.xlsx", 100, future)
	if res := e.ingest(t); res.Accepted != 1 {
		t.Fatalf("a file with a future time must settle and be taken: %+v", res)
	}
	var received, modified time.Time
	e.st.Raw().QueryRow("SELECT received_at, modified_at FROM submissions").Scan(&received, &modified)
	if !received.Equal(pickup) || !modified.Equal(future) {
		t.Errorf("received %v, modified %v; want %v and %v", received, modified, pickup, future)
	}
	// A correction sent a week later replaces it.
	e.in.Now = func() time.Time { return pickup.AddDate(0, 0, 8) }
	version(t, e.dir.InboxOf("15083"), "korrektur.xlsx", 200, pickup.AddDate(0, 0, 7))
	e.ingest(t)
	var current string
	e.st.Raw().QueryRow("SELECT file_name FROM submissions WHERE superseded_by IS NULL").Scan(&current)
	if current != "korrektur.xlsx" {
		t.Errorf("current submission is %s, want the later correction", current)
	}
}

func TestLinksFoldersAndPipesAreNamedAndLeftAlone(t *testing.T) {
	e := newEnv(t)
	in := e.dir.InboxOf("15083")
	os.Symlink("/etc/passwd", filepath.Join(in, "link.xlsx"))
	os.MkdirAll(filepath.Join(in, "Ordner"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(in, "pipe.xlsx"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := e.ingest(t)
	if len(res.Files) != 0 {
		t.Errorf("taken: %+v", res.Files)
	}
	got := map[string]string{}
	for _, s := range res.Skipped {
		got[s.Path] = s.Reason
	}
	want := map[string]string{"inbox/15083/link.xlsx": datadir.SkipSymlink, "inbox/15083/Ordner": datadir.SkipFolder, "inbox/15083/pipe.xlsx": datadir.SkipSpecial}
	if len(got) != len(want) {
		t.Errorf("skipped %v, want %v", got, want)
	}
	for p, r := range want {
		if got[p] != r {
			t.Errorf("%s: %q, want %q", p, got[p], r)
		}
		if _, err := os.Lstat(filepath.Join(e.dir.Root, p)); err != nil {
			t.Errorf("%s is gone: %v", p, err)
		}
	}
}

func TestAFileThatChangesWhileItIsReadWaitsForTheNextRun(t *testing.T) {
	e := newEnv(t)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	p := version(t, e.dir.InboxOf("15083"), "q1.xlsx", 100, april)
	once := false
	e.in.Hook = func(point string, _ int) {
		if point == "read" && !once {
			once = true
			// The writer goes on writing after the reader has read the file.
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("more"))
			f.Close()
		}
	}
	res := e.ingest(t)
	if len(res.Files) != 0 || len(res.Skipped) != 1 || res.Skipped[0].Reason != ingest.Changed {
		t.Fatalf("%+v", res)
	}
	if n := e.count(t, "SELECT count(*) FROM submissions"); n != 0 {
		t.Errorf("%d submissions stored from a file being written", n)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("the file left the inbox: %v", err)
	}
}

func TestNotesAndCopiesAreReadableByStaff(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	e := newEnv(t)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	version(t, e.dir.InboxOf("15085"), "falsch.xlsx", 100, april)
	outside := version(t, t.TempDir(), "kopie.xlsx", 200, april)
	e.ingest(t)
	e.ingest(t, outside)
	for _, f := range e.everywhere(t) {
		if !strings.HasSuffix(f, ".errors.txt") && !strings.HasPrefix(f, "archive/") {
			continue
		}
		info, err := os.Stat(filepath.Join(e.dir.Root, f))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o040 != 0o040 {
			t.Errorf("%s has mode %v", f, info.Mode().Perm())
		}
	}
}

// TestACopyOfAnotherDistrictsAcceptedFileIsNotItsDuplicate: Harz sends the
// exact bytes Börde had accepted (a copy of another district's file, by
// mistake or not). It is no duplicate of Börde's submission — that would
// put Harz's file into Börde's archive and show Harz Börde's record — but
// judged where it arrived: a Börde workbook in Harz's folder, rejected and
// filed under Harz.
func TestACopyOfAnotherDistrictsAcceptedFileIsNotItsDuplicate(t *testing.T) {
	e := newEnv(t)
	april := time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC)
	version(t, e.dir.InboxOf("15083"), "M.xlsx", 100, april)
	if res := e.ingest(t); res.Accepted != 1 {
		t.Fatalf("Börde's own: %+v", res)
	}
	version(t, e.dir.InboxOf("15085"), "Kopie.xlsx", 100, april.Add(time.Hour))
	res := e.ingest(t)
	if res.Rejected != 1 || res.Duplicate != 0 || res.Accepted != 0 {
		t.Fatalf("Harz's copy: accepted %d, rejected %d, duplicate %d; want 0, 1, 0", res.Accepted, res.Rejected, res.Duplicate)
	}
	if res.Files[0].SubmissionID == 1 {
		t.Error("Harz's copy is reported as Börde's submission")
	}
	files := e.everywhere(t)
	for _, f := range files {
		if strings.HasPrefix(f, "archive/15083/") && strings.Contains(f, "Kopie") {
			t.Errorf("Harz's copy was filed in Börde's archive: %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(e.dir.Rejected(), "15085", "Kopie.xlsx.errors.txt")); err != nil {
		t.Errorf("the copy is not filed under its sender: %v (files %v)", err, files)
	}
	t.Run("while Börde sending its own bytes again is still a duplicate", func(t *testing.T) {
		version(t, e.dir.InboxOf("15083"), "M nochmal.xlsx", 100, april.Add(2*time.Hour))
		if res := e.ingest(t); res.Duplicate != 1 {
			t.Errorf("%+v", res)
		}
	})
}
