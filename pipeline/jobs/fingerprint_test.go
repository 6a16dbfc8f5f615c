package jobs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/queries"
)

// demoPipeline is a pipeline on a data directory holding the demo's
// inbox (14 districts, quarters 1 to 3), recording every file it makes.
type demoPipeline struct {
	*Pipeline
	dir  datadir.Dir
	prog *programme.Programme
	cat  *messages.Catalog
	mu   sync.Mutex
	list []string
}

func newDemoPipeline(t testing.TB) *demoPipeline {
	t.Helper()
	prog, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := datadir.New(t.TempDir())
	if _, err := demo.WriteInto(dir, prog, cat); err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{Dir: dir, Programme: prog, Catalog: cat, Queries: queries.FS})
	if err != nil {
		t.Fatal(err)
	}
	dp := &demoPipeline{Pipeline: p, dir: dir, prog: prog, cat: cat}
	p.onMade = func(path string) {
		dp.mu.Lock()
		defer dp.mu.Unlock()
		rel, err := filepath.Rel(dir.Reports(), path)
		if err != nil {
			rel = path
		}
		dp.list = append(dp.list, filepath.ToSlash(rel))
	}
	return dp
}

// run is the main job as of the demo's day; it returns the files made.
func (dp *demoPipeline) run(t *testing.T) (*RunResult, []string) {
	t.Helper()
	dp.mu.Lock()
	dp.list = nil
	dp.mu.Unlock()
	res, err := dp.Run(context.Background(), RunOptions{Check: Check{AsOf: demo.AsOf}})
	if err != nil {
		t.Fatal(err)
	}
	dp.mu.Lock()
	defer dp.mu.Unlock()
	made := slices.Clone(dp.list)
	sort.Strings(made)
	return res, made
}

// send puts a new file of district ags for quarter into its inbox,
// received on day.
func (dp *demoPipeline) send(t *testing.T, ags string, quarter int, day time.Time) {
	t.Helper()
	y, _ := dp.prog.Year(demo.Year)
	dist, ok := y.District(ags)
	if !ok {
		t.Fatalf("no district %s", ags)
	}
	data := demo.Minimal(dist, quarter)
	data.Narrative = []string{"Nachgereicht: die Belege des Quartals vollständig."}
	b, err := demo.Workbook(y, dp.cat, "de", form.Prefill{District: dist, Year: demo.Year, Quarter: quarter}, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dp.dir.InboxOf(ags), "nachgereicht.xlsx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, day, day); err != nil {
		t.Fatal(err)
	}
}

// fresh renders every period's reports from scratch into a folder of its
// own and returns it: what the reports folder must hold.
func (dp *demoPipeline) fresh(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	out := t.TempDir()
	st, err := dp.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	periods, err := report.Periods(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	_, err = dp.eachPeriod(ctx, st, out, periods, func(dir string, d *report.Data, load func(*report.District) error) ([]report.Written, error) {
		return report.WriteAll(ctx, dir, d, dp.cat, load)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameReports fails unless every report in want's period folders is in
// got with the same bytes.
func sameReports(t *testing.T, want, got string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(want, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil {
			t.Errorf("%s: missing from the reports folder: %v", rel, err)
		} else if !bytes.Equal(a, b) {
			t.Errorf("%s: stale: differs from the document rendered from scratch", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("nothing rendered from scratch")
	}
}

func TestRunRendersWhatChanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the main job over the demo four times")
	}
	dp := newDemoPipeline(t)
	first, made := dp.run(t)
	if len(made) < 100 {
		t.Fatalf("the first run made %d files, want every report and feedback workbook", len(made))
	}

	t.Run("a run with nothing new checks nothing and renders nothing", func(t *testing.T) {
		res, made := dp.run(t)
		if len(made) != 0 || res.Changed != 0 {
			t.Errorf("made %d files (%d changed), want none: %v", len(made), res.Changed, made)
		}
		if res.Check.RunID != first.Check.RunID {
			t.Errorf("validation run %d, want the first run's %d again", res.Check.RunID, first.Check.RunID)
		}
		// The stored check tallies its findings (it does not read them
		// back): the same counts per rule and severity as the first.
		if first.Check.Count() == 0 || !reflect.DeepEqual(res.Check.Tally, first.Check.Tally) || !reflect.DeepEqual(res.Check.Grants, first.Check.Grants) {
			t.Errorf("the stored check tallies %v with %d grants, the first %v with %d",
				res.Check.Tally, len(res.Check.Grants), first.Check.Tally, len(first.Check.Grants))
		}
		if res.Check.Findings != nil {
			t.Errorf("the stored check read back %d findings", len(res.Check.Findings))
		}
	})

	t.Run("a document altered on disk is rendered again, alone", func(t *testing.T) {
		path := filepath.Join(dp.dir.Reports(), "2026-Q1", "Sachsen-Anhalt_2026-Q1.xlsx")
		if err := os.WriteFile(path, []byte("changed by hand"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, made := dp.run(t)
		want := []string{"2026-Q1/Sachsen-Anhalt_2026-Q1.pdf", "2026-Q1/Sachsen-Anhalt_2026-Q1.xlsx"}
		if !slices.Equal(made, want) {
			t.Errorf("made %v, want %v", made, want)
		}
		if b, _ := os.ReadFile(path); string(b) == "changed by hand" {
			t.Error("the altered workbook was left as it was")
		}
	})

	t.Run("one district's new file renders its reports, the state's and its feedback", func(t *testing.T) {
		// Börde sends its second quarter again, before the demo's day.
		dp.send(t, "15083", 2, time.Date(demo.Year, 11, 10, 9, 0, 0, 0, time.UTC))
		res, made := dp.run(t)
		if res.Check.RunID == first.Check.RunID {
			t.Error("the check was skipped though a file arrived")
		}
		var feedback int
		for _, m := range made {
			name := filepath.Base(m)
			switch {
			case strings.HasPrefix(m, "feedback/"):
				if !strings.Contains(m, "15083") {
					t.Errorf("made %s: another district's feedback", m)
				}
				feedback++
			case !strings.HasPrefix(name, "15083_") && !strings.HasPrefix(name, "Sachsen-Anhalt_"):
				t.Errorf("made %s: another district's report", m)
			}
		}
		// The first quarter's reports are made too: their payout ledger
		// counts the spending up to the run's day.
		for _, want := range []string{"2026-Q2/15083_Boerde_2026-Q2.pdf", "2026-Q2/Sachsen-Anhalt_2026-Q2.xlsx",
			"2026/15083_Boerde_2026.xlsx", "2026/Sachsen-Anhalt_2026.pdf"} {
			if !slices.Contains(made, want) {
				t.Errorf("%s not made; made %v", want, made)
			}
		}
		// The new file's feedback, and the replaced one's (it now says
		// what replaced it).
		if feedback != 2 {
			t.Errorf("made %d feedback workbooks, want 2: %v", feedback, made)
		}
		t.Logf("made %d files: %v", len(made), made)
		sameReports(t, dp.fresh(t), dp.dir.Reports())
	})

	t.Run("a new day checks again", func(t *testing.T) {
		st, err := dp.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		before, err := st.LatestRun(context.Background())
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		res, err := dp.Run(context.Background(), RunOptions{Check: Check{AsOf: demo.AsOf.AddDate(0, 0, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Check.RunID == before.ID {
			t.Error("the check as of the next day answered with the previous day's run")
		}
	})

	t.Run("every file's findings read at once are each file's own", func(t *testing.T) {
		// Feedback reads the findings of all files in one query per run
		// (store.FindingsOfFiles); here, after a resent quarter, a replaced
		// file's come from an older run than the others'.
		ctx := context.Background()
		st, err := dp.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		subs, err := st.SentFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		runs := map[int64]int64{}
		distinct := map[int64]bool{}
		for _, s := range subs {
			runs[s.ID] = s.FindingsRun
			distinct[s.FindingsRun] = true
		}
		all, err := st.FindingsOfFiles(ctx, runs)
		if err != nil {
			t.Fatal(err)
		}
		if len(distinct) < 2 {
			t.Errorf("the files' findings come from %d runs, want a replaced file's older one too", len(distinct))
		}
		found := 0
		for _, s := range subs {
			one, err := st.FindingsForDistrict(ctx, s.ID, s.FindingsRun)
			if err != nil {
				t.Fatal(err)
			}
			found += len(one)
			if !reflect.DeepEqual(all[s.ID], one) && (len(one) > 0 || len(all[s.ID]) > 0) {
				t.Errorf("submission %d (%s): read at once %v, alone %v", s.ID, s.File, all[s.ID], one)
			}
		}
		if found == 0 {
			t.Error("no file has findings: nothing compared")
		}
	})
}

// The store's record of a check is what Validate compares: a run of an
// earlier version (none recorded) is checked again.
func TestValidateWithoutRecordChecksAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("checks the demo twice")
	}
	dp := newDemoPipeline(t)
	ctx := context.Background()
	st, err := dp.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := dp.Ingest(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	a, err := dp.Validate(ctx, st, Check{AsOf: demo.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	b, err := dp.Validate(ctx, st, Check{AsOf: demo.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	if a.RunID != b.RunID {
		t.Errorf("second check made run %d, want the first's %d", b.RunID, a.RunID)
	}
	if err := st.RecordValidationInputs(ctx, a.RunID, "from an earlier version"); err != nil {
		t.Fatal(err)
	}
	c, err := dp.Validate(ctx, st, Check{AsOf: demo.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	if c.RunID == a.RunID {
		t.Error("a run whose inputs are not known was taken as current")
	}
}
