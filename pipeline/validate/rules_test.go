package validate_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

var update = flagUpdate()

// goldenFinding is a finding as the golden files hold it.
type goldenFinding struct {
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	District  string `json:"district"`
	Year      int    `json:"year"`
	Quarter   int    `json:"quarter"`
	File      string `json:"file"`
	Sheet     string `json:"sheet"`
	Cell      string `json:"cell"`
	MessageDE string `json:"message_de"`
	MessageEN string `json:"message_en"`
}

// world is a data directory with the programme of a case.
type world struct {
	dir datadir.Dir
	st  *store.Store
	p   *programme.Programme
}

func newWorld(t testing.TB, override map[string]string) *world {
	t.Helper()
	p, _, _ := defaults(t)
	y := p.Years[0]
	for k, v := range override {
		c, err := money.Parse(v)
		if err != nil {
			t.Fatal(err)
		}
		switch k {
		case "state_budget":
			y.StateBudget = c
		case "post_cap_per_fte":
			y.PostCapPerFTE = c
		default:
			t.Fatalf("unknown override %s", k)
		}
	}
	dir := datadir.New(t.TempDir())
	var ags []string
	for _, d := range y.Districts {
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
	return &world{dir: dir, st: st, p: p}
}

func (w *world) ingest(t *testing.T) {
	t.Helper()
	_, _, cat := defaults(t)
	in := &ingest.Ingester{Dir: w.dir, Store: w.st, Programme: w.p, Catalog: cat, Lang: "de"}
	if _, err := in.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func (w *world) validate(t *testing.T, asOf time.Time) *validate.Result {
	t.Helper()
	rs, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	rs, _ = rules.Merge(rs, nil)
	v, err := validate.New(context.Background(), w.st, w.p, rs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Run(context.Background(), validate.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRules runs every case folder under testdata/rules: the trigger case
// must give exactly the findings of want.json, the near miss none of its
// rule. Each case has a database of its own, so they run in parallel.
func TestRules(t *testing.T) {
	ruleDirs, err := os.ReadDir(rulesDir)
	if err != nil {
		t.Fatal(err)
	}
	builtin, _ := rules.Load(queries.FS, "rules")
	covered := map[string]bool{}
	for _, rd := range ruleDirs {
		// Every rule has a trigger and a near_miss case; any other folder
		// is one more case that must find something (e.g. FUNDING_RATE's
		// "settled", where the finding is an error, not a warning).
		kinds := []string{"trigger", "near_miss"}
		cases, _ := os.ReadDir(filepath.Join(rulesDir, rd.Name()))
		for _, c := range cases {
			if c.IsDir() && !slices.Contains(kinds, c.Name()) {
				kinds = append(kinds, c.Name())
			}
		}
		for _, kind := range kinds {
			dir := filepath.Join(rulesDir, rd.Name(), kind)
			if _, err := os.Stat(dir); err != nil {
				t.Errorf("%s has no %s case", rd.Name(), kind)
				continue
			}
			covered[rd.Name()+"/"+kind] = true
			t.Run(rd.Name()+"/"+kind, func(t *testing.T) {
				t.Parallel()
				got := runCase(t, dir, rd.Name())
				wantPath := filepath.Join(dir, "want.json")
				gotJSON, _ := json.MarshalIndent(got, "", "  ")
				if *update {
					os.WriteFile(wantPath, append(gotJSON, '\n'), 0o644)
				}
				var want []goldenFinding
				b, err := os.ReadFile(wantPath)
				if err != nil {
					t.Fatalf("%v (run with -update)", err)
				}
				if err := json.Unmarshal(b, &want); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("findings of %s (-want +got):\n%s", rd.Name(), diff)
				}
				if kind != "near_miss" && len(got) == 0 {
					t.Errorf("the trigger case finds nothing")
				}
				if kind == "near_miss" && len(got) != 0 {
					t.Errorf("the near miss finds %d", len(got))
				}
			})
		}
	}
	for _, r := range builtin {
		if !covered[r.ID+"/trigger"] {
			t.Errorf("rule %s has no case folder under testdata/rules", r.ID)
		}
	}
}

func runCase(t *testing.T, dir, rule string) []goldenFinding {
	t.Helper()
	var spec caseSpec
	b, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, spec.Override)
	for _, f := range spec.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(w.dir.Inbox(), f.Inbox, f.File)
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		received, err := time.Parse(time.RFC3339, f.Received)
		if err != nil {
			t.Fatal(err)
		}
		os.Chtimes(dst, received, received)
	}
	w.ingest(t)
	asOf, err := time.Parse("2006-01-02", spec.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	res := w.validate(t, asOf)
	// Only the districts of the case: the others have sent nothing, which
	// other rules (and this one, for MISSING_SUBMISSION) rightly report.
	districts := map[string]bool{"": true}
	for _, f := range spec.Files {
		if f.Inbox != "" {
			districts[f.Inbox] = true
		}
	}
	for _, s := range res.Findings {
		if s.SubmissionID != 0 {
			districts[s.District] = true
		}
	}
	got := []goldenFinding{}
	for _, f := range res.Findings {
		if f.Rule == rule && districts[f.District] {
			got = append(got, goldenFinding{f.Rule, string(f.Severity), f.District, f.Year, f.Quarter, f.File, f.Sheet, f.Cell, f.Message["de"], f.Message["en"]})
		}
	}
	return got
}
