package ingest_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

var update = flag.Bool("update", false, "rewrite the want.json files of testdata/ingest")

// env is a fresh data directory with an open store.
type env struct {
	dir datadir.Dir
	st  *store.Store
	in  *ingest.Ingester
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	_, cat := defaultYear(t)
	dir := datadir.New(t.TempDir())
	var ags []string
	for _, d := range p.Years[0].Districts {
		ags = append(ags, d.AGS)
	}
	if err := dir.Ensure(ags); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dir.Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	return &env{dir: dir, st: st, in: &ingest.Ingester{
		Dir: dir, Store: st, Programme: p, Catalog: cat, Lang: "de", Now: func() time.Time { return now },
	}}
}

// put copies a file into an inbox folder ("" for the inbox itself) with the
// given modification (received) time.
func (e *env) put(t *testing.T, src, folder string, received time.Time) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(e.dir.Inbox(), folder, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(dst, received, received); err != nil {
		t.Fatal(err)
	}
	return dst
}

// runFields leaves out of a comparison with a want.json the fields of a
// FileResult that are not in its JSON: where this run put the file and the
// ids it gave (each test checks those on their own).
var runFields = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".SubmissionID", ".StoredPath", ".Source":
		return true
	}
	return false
}, cmp.Ignore())

// TestIngestCases runs every case folder under testdata/ingest: the workbook
// goes into the inbox folder the case names, and what ingest reports must
// equal want.json.
func TestIngestCases(t *testing.T) {
	cases, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join(casesDir, c.Name())
			inbox, err := os.ReadFile(filepath.Join(dir, "inbox"))
			if err != nil {
				t.Fatal(err)
			}
			var input string
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if n := e.Name(); n != "inbox" && n != "want.json" && n != "stored.txt" {
					input = filepath.Join(dir, n)
				}
			}
			e := newEnv(t)
			placed := e.put(t, input, strings.TrimSpace(string(inbox)), time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC))
			start := time.Now()
			res, err := e.in.Run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("ingest took %v", took)
			}
			if len(res.Files) != 1 {
				t.Fatalf("ingest reported %d files, want 1", len(res.Files))
			}
			got := res.Files[0]
			gotJSON, _ := json.MarshalIndent(got, "", "  ")
			wantPath := filepath.Join(dir, "want.json")
			if *update {
				os.WriteFile(wantPath, append(gotJSON, '\n'), 0o644)
			}
			wantJSON, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			var want ingest.FileResult
			if err := json.Unmarshal(wantJSON, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, runFields); diff != "" {
				t.Errorf("ingest result (-want +got):\n%s", diff)
			}
			if got.Source != placed {
				t.Errorf("the result's source is %q, the file was %q", got.Source, placed)
			}
			// What was stored, value by value with its cell.
			var dump strings.Builder
			if err := e.st.Dump(context.Background(), &dump, got.SubmissionID); err != nil {
				t.Fatal(err)
			}
			storedPath := filepath.Join(dir, "stored.txt")
			if *update {
				os.WriteFile(storedPath, []byte(dump.String()), 0o644)
			}
			wantDump, err := os.ReadFile(storedPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(wantDump), dump.String()); diff != "" {
				t.Errorf("stored rows (-want +got):\n%s", diff)
			}
			// The file has left the inbox for where its outcome says.
			if _, err := os.Stat(input); err != nil {
				t.Fatal("the case's own file must stay", err)
			}
			stored := filepath.Join(e.dir.Root, got.StoredPath)
			if _, err := os.Stat(stored); err != nil {
				t.Errorf("file not at %s: %v", got.StoredPath, err)
			}
			switch got.Outcome {
			case ingest.Rejected:
				if !strings.HasPrefix(got.StoredPath, "rejected/") {
					t.Errorf("rejected file stored at %s", got.StoredPath)
				}
				note, err := os.ReadFile(stored + ".errors.txt")
				if err != nil {
					t.Fatalf("no error note: %v", err)
				}
				for _, f := range got.Findings {
					if f.Severity == "error" && !strings.Contains(string(note), f.Message) {
						t.Errorf("error note lacks %q:\n%s", f.Message, note)
					}
				}
			case ingest.Accepted:
				if !strings.HasPrefix(got.StoredPath, "archive/") {
					t.Errorf("accepted file stored at %s", got.StoredPath)
				}
			}
			left, _ := e.dir.InboxFiles(time.Now(), 0)
			if len(left) != 0 {
				t.Errorf("inbox still holds %v", left)
			}
		})
	}
}
