package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
)

func planted(t *testing.T) []demo.Problem {
	t.Helper()
	p, _ := programme.Default()
	y, _ := p.Year(demo.Year)
	cat, _ := messages.Default()
	_, problems, err := demo.Write(y, cat, func(ags string) string { return filepath.Join(t.TempDir(), ags) })
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

// TestDemoIngestReportsExactlyThePlantedProblems is the acceptance
// check: grantpipe demo, then grantpipe ingest --json, accepts all 42
// submissions and reports exactly the planted reading problems, at their
// cells.
func TestDemoIngestReportsExactlyThePlantedProblems(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := run(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	code, out, errOut := run(t, "ingest", "--data", data, "--json")
	if code != 0 {
		t.Fatalf("ingest: %d %s", code, errOut)
	}
	var res ingest.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("ingest --json output is no JSON: %v\n%s", err, out)
	}
	if res.Accepted != 42 || res.Rejected != 0 || res.Duplicate != 0 || len(res.Files) != 42 {
		t.Errorf("accepted %d, rejected %d, duplicate %d of %d files; want 42, 0, 0 of 42", res.Accepted, res.Rejected, res.Duplicate, len(res.Files))
	}
	type place struct{ District, Quarter, Sheet, Cell, Rule, Severity string }
	var got, want []place
	quarter := func(q int) string { return string(rune('0' + q)) }
	for _, f := range res.Files {
		if f.Lines < 40 || f.Lines > 152 || f.Coordinators < 2 || f.Coordinators > 5 || f.Activities == 0 {
			t.Errorf("%s: %d lines, %d coordinators, %d activities: not a realistic quarter", f.File, f.Lines, f.Coordinators, f.Activities)
		}
		for _, fd := range f.Findings {
			got = append(got, place{f.District, quarter(f.Quarter), fd.Sheet, fd.Cell, fd.Rule, string(fd.Severity)})
		}
	}
	for _, p := range planted(t) {
		if p.Rule == "FORMAT" {
			want = append(want, place{p.District, quarter(p.Quarter), p.Sheet, p.Cell, p.Rule, p.Severity})
		}
	}
	less := func(a, b place) bool { return a.District+a.Quarter+a.Cell < b.District+b.Quarter+b.Cell }
	sort.Slice(got, func(i, j int) bool { return less(got[i], got[j]) })
	sort.Slice(want, func(i, j int) bool { return less(want[i], want[j]) })
	if len(want) < 4 {
		t.Fatalf("only %d planted reading problems", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-planted +reported):\n%s", diff)
	}
}

func TestDemoIsDeterministic(t *testing.T) {
	sums := func() map[string][32]byte {
		data := t.TempDir()
		if code, _, errOut := run(t, "demo", "--data", data); code != 0 {
			t.Fatalf("demo: %s", errOut)
		}
		out := map[string][32]byte{}
		for _, f := range files(t, datadir.New(data).Inbox()) {
			b, _ := os.ReadFile(f)
			rel, _ := filepath.Rel(data, f)
			info, _ := os.Stat(f)
			out[rel+" "+info.ModTime().UTC().Format(time.RFC3339)] = sha256.Sum256(b)
		}
		return out
	}
	a, b := sums(), sums()
	if len(a) != 42 {
		t.Fatalf("demo wrote %d files, want 42", len(a))
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two demo runs differ:\n%s", diff)
	}
}

// TestZipBombIsRejectedQuicklyInLittleMemory ingests a small file that says
// it unpacks to gigabytes, in a separate process, and measures that process.
func TestZipBombIsRejectedQuicklyInLittleMemory(t *testing.T) {
	data := t.TempDir()
	bomb := filepath.Join("..", "..", "testdata", "ingest", "reject_zip_bomb", "bombe.xlsx")
	cmd := child(t, nil, "ingest", "--data", data, "--json", bomb)
	var out bytes.Buffer
	cmd.Stdout = &out
	start := time.Now()
	rss, err := childPeak(t, cmd)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if !strings.Contains(out.String(), `"outcome": "rejected"`) {
		t.Errorf("zip bomb not rejected:\n%s", out.String())
	}
	if took > 5*time.Second {
		t.Errorf("rejecting the zip bomb took %v", took)
	}
	if rss > 200 {
		t.Errorf("peak memory %d MiB, want under 200 MiB", rss)
	}
	t.Logf("rejected in %v with a peak of %d MiB", took.Round(time.Millisecond), rss)
}

// TestDemoRunReportsExactlyThePlantedProblems: grantpipe run --demo checks
// the demo as of its day and finds every planted problem, at its place, and
// nothing else.
func TestDemoRunReportsExactlyThePlantedProblems(t *testing.T) {
	data := t.TempDir()
	code, _, errOut := run(t, "run", "--demo", "--data", data, "--log-level", "info")
	if code != 0 {
		t.Fatalf("run --demo: %s", errOut)
	}
	// At level info the job says each step and its time (where a slow
	// run's time went).
	for _, step := range []string{"step=ingest files=42", "step=check", "step=reports period=2026-Q1", "step=feedback changed=42"} {
		if !strings.Contains(errOut, step) {
			t.Errorf("--log-level info: no %q in\n%s", step, errOut)
		}
	}
	code, out, errOut := run(t, "validate", "--data", data, "--json", "--as-of", demo.AsOf.Format("2006-01-02"))
	if code != 0 {
		t.Fatalf("validate: %s", errOut)
	}
	var res struct {
		Findings []struct {
			Rule, Severity, District, Sheet, Cell string
			Quarter                               int
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	type place struct{ District, Quarter, Sheet, Cell, Rule, Severity string }
	var got, want []place
	q := func(n int) string { return string(rune('0' + n)) }
	for _, f := range res.Findings {
		got = append(got, place{f.District, q(f.Quarter), f.Sheet, f.Cell, f.Rule, f.Severity})
	}
	for _, p := range planted(t) {
		want = append(want, place{p.District, q(p.Quarter), p.Sheet, p.Cell, p.Rule, p.Severity})
	}
	key := func(p place) string {
		return strings.Join([]string{p.District, p.Quarter, p.Rule, p.Sheet, p.Cell}, "|")
	}
	sort.Slice(got, func(i, j int) bool { return key(got[i]) < key(got[j]) })
	sort.Slice(want, func(i, j int) bool { return key(want[i]) < key(want[j]) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-planted +reported):\n%s", diff)
	}
}
