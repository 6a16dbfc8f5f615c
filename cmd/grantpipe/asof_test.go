package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
)

// The day the statements of these tests are as of: after the third
// quarter's deadline, before two files arrived.
const statementDay = "2026-10-31"

// formWith is a correct quarterly form of district ags, changed by edit.
func formWith(t *testing.T, ags string, quarter int, edit func(*form.Data)) []byte {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(demo.Year)
	d, _ := y.District(ags)
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	data := demo.Minimal(d, quarter)
	if edit != nil {
		edit(&data)
	}
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: d, Year: demo.Year, Quarter: quarter}, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addToFirstAmount raises the first receipt's amount by c.
func addToFirstAmount(c money.Cents) func(*form.Data) {
	return func(d *form.Data) { d.Receipts[0][form.FAmount] = d.Receipts[0][form.FAmount].(money.Cents) + c }
}

// asOfData is a data directory in which two files arrived after
// statementDay: Salzlandkreis's third quarter, and Dessau-Roßlau's second
// quarter in a third version (A, then B before the day, then C after it).
func asOfData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(m time.Month, d int) time.Time { return time.Date(demo.Year, m, d, 10, 0, 0, 0, berlin) }
	sendAt(t, dir, "15001", "Dessau_Q1.xlsx", at(4, 10), formWith(t, "15001", 1, nil))
	sendAt(t, dir, "15001", "Dessau_Q2_A.xlsx", at(7, 8), formWith(t, "15001", 2, nil))
	sendAt(t, dir, "15001", "Dessau_Q2_B.xlsx", at(7, 10), formWith(t, "15001", 2, addToFirstAmount(1000)))
	sendAt(t, dir, "15001", "Dessau_Q2_C.xlsx", at(11, 10), formWith(t, "15001", 2, addToFirstAmount(11000)))
	sendAt(t, dir, "15089", "Salzland_Q1.xlsx", at(4, 10), formWith(t, "15089", 1, nil))
	sendAt(t, dir, "15089", "Salzland_Q3.xlsx", at(11, 15), formWith(t, "15089", 3, nil))
	if code, out, errOut := run(t, "ingest", "--data", dir); code != 0 {
		t.Fatalf("ingest: %d\n%s%s", code, out, errOut)
	}
	return dir
}

type asOfValidation struct {
	Findings []struct{ Rule, District, File, Message string }
	Grants   []struct {
		District string
		Eligible string `json:"eligible_eur"`
	}
}

func validateJSON(t *testing.T, dir string, args ...string) asOfValidation {
	t.Helper()
	code, out, errOut := run(t, append([]string{"validate", "--data", dir, "--json", "--year", "2026", "--lang", "en"}, args...)...)
	if code != 0 {
		t.Fatalf("validate %v: %d %s", args, code, errOut)
	}
	var v asOfValidation
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v asOfValidation) eligible(t *testing.T, ags string) money.Cents {
	t.Helper()
	for _, g := range v.Grants {
		if g.District == ags {
			return cents(t, g.Eligible)
		}
	}
	t.Fatalf("no grant of %s", ags)
	return 0
}

func (v asOfValidation) has(rule, district, text string) bool {
	for _, f := range v.Findings {
		if f.Rule == rule && f.District == district && strings.Contains(f.File+" "+f.Message, text) {
			return true
		}
	}
	return false
}

func TestValidateAsOfADaySeesTheDataAsItStoodThen(t *testing.T) {
	dir := asOfData(t)
	then := validateJSON(t, dir, "--as-of", statementDay)
	now := validateJSON(t, dir)
	t.Run("a quarter whose file arrived after the day is missing as of the day, and in today", func(t *testing.T) {
		if !then.has("MISSING_SUBMISSION", "15089", "quarter 3") {
			t.Errorf("as of %s: no MISSING_SUBMISSION for 15089's third quarter", statementDay)
		}
		if now.has("MISSING_SUBMISSION", "15089", "quarter 3") {
			t.Error("today: MISSING_SUBMISSION for 15089's third quarter, whose file is in")
		}
	})
	t.Run("no finding as of the day names a file that arrived after it", func(t *testing.T) {
		for _, f := range then.Findings {
			if strings.Contains(f.File, "Salzland_Q3") || strings.Contains(f.File, "Dessau_Q2_C") {
				t.Errorf("as of %s: %s on %s", statementDay, f.Rule, f.File)
			}
		}
	})
	t.Run("as of a day between B and C, B replaces A and counts", func(t *testing.T) {
		if !then.has("RESUBMISSION", "15001", "Dessau_Q2_B") || !then.has("RESUBMISSION", "15001", "Dessau_Q2_A") {
			t.Errorf("as of %s: want RESUBMISSION on B replacing A, got %+v", statementDay, then.Findings)
		}
		if !now.has("RESUBMISSION", "15001", "Dessau_Q2_C") {
			t.Error("today: no RESUBMISSION on C")
		}
	})
	t.Run("the eligible expenditure as of the day is B's, not C's (C adds 100.00)", func(t *testing.T) {
		if d := now.eligible(t, "15001") - then.eligible(t, "15001"); d != 10000 {
			t.Errorf("15001: today − as of the day = %s, want 100.00", d)
		}
	})
	t.Run("the third quarter's spending counts today only", func(t *testing.T) {
		if then.eligible(t, "15089") >= now.eligible(t, "15089") {
			t.Errorf("15089: eligible as of the day %s, today %s", then.eligible(t, "15089"), now.eligible(t, "15089"))
		}
	})
}

// snapshot is every file under dir with its bytes and modification time.
type snapshot map[string]struct {
	data  []byte
	mtime time.Time
}

func snap(t *testing.T, dir string) snapshot {
	t.Helper()
	s := snapshot{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		s[p] = struct {
			data  []byte
			mtime time.Time
		}{b, info.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s snapshot) differences(o snapshot) []string {
	var d []string
	for p, f := range s {
		g, ok := o[p]
		switch {
		case !ok:
			d = append(d, p+" gone")
		case !bytes.Equal(f.data, g.data):
			d = append(d, p+" changed")
		case !f.mtime.Equal(g.mtime):
			d = append(d, p+" touched")
		}
	}
	for p := range o {
		if _, ok := s[p]; !ok {
			d = append(d, p+" new")
		}
	}
	return d
}

func TestAStatementAsOfADayIsFrozen(t *testing.T) {
	dir := asOfData(t)
	statement := filepath.Join(dir, "reports", "as-of-"+statementDay, "2026")
	report := func() (int, string, string) {
		return run(t, "report", "--data", dir, "--year", "2026", "--as-of", statementDay)
	}
	code, out, errOut := report()
	if code != 0 {
		t.Fatalf("report --as-of: %d %s", code, errOut)
	}
	first := snap(t, statement)
	if len(first) != 2*14+2+1 {
		t.Fatalf("%d files in %s, want 31 (14 districts and the state, PDF and workbook, and %s)", len(first), statement, "basis.json")
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "2026")); err == nil {
		t.Error("report --as-of wrote the rolling reports/2026 too")
	}
	if !strings.Contains(out, "Berichte: 30 Dateien") {
		t.Errorf("output does not say how many files were written:\n%s", out)
	}

	t.Run("the statement shows the files received by the day and not the later ones", func(t *testing.T) {
		salz := pdfText(t, filepath.Join(statement, "15089_Salzlandkreis_2026.pdf"))
		if !strings.Contains(salz, "Salzland_Q1.xlsx") || strings.Contains(salz, "Salzland_Q3.xlsx") {
			t.Errorf("15089's statement as of %s should name Salzland_Q1.xlsx and not Salzland_Q3.xlsx:\n%s", statementDay, salz)
		}
		dessau := pdfText(t, filepath.Join(statement, "15001_Dessau-Rosslau_2026.pdf"))
		if !strings.Contains(dessau, "Dessau_Q2_B.xlsx") || strings.Contains(dessau, "Dessau_Q2_C.xlsx") {
			t.Errorf("15001's statement should name B and not C")
		}
		var b struct {
			Files []struct{ File, Received string }
		}
		raw, _ := os.ReadFile(filepath.Join(statement, "basis.json"))
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		for _, f := range b.Files {
			if f.Received > statementDay+" 23:59:59" {
				t.Errorf("basis: %s received %s, after the day", f.File, f.Received)
			}
		}
	})

	t.Run("written again with the same data it is byte-identical and nothing is rewritten", func(t *testing.T) {
		code, out, errOut := report()
		if code != 0 {
			t.Fatalf("second report --as-of: %d %s", code, errOut)
		}
		if d := first.differences(snap(t, statement)); len(d) > 0 {
			t.Errorf("second run changed the statement: %v", d)
		}
		if !strings.Contains(out, "Berichte: 0 Dateien") {
			t.Errorf("second run does not say it wrote nothing:\n%s", out)
		}
	})

	t.Run("a later run writes today's reports with the later files and leaves the statement alone", func(t *testing.T) {
		if code, _, errOut := run(t, "run", "--data", dir); code != 0 {
			t.Fatalf("run: %d %s", code, errOut)
		}
		if d := first.differences(snap(t, statement)); len(d) > 0 {
			t.Errorf("run touched the statement: %v", d)
		}
		salz := pdfText(t, filepath.Join(dir, "reports", "2026", "15089_Salzlandkreis_2026.pdf"))
		if !strings.Contains(salz, "Salzland_Q3.xlsx") {
			t.Error("today's report of 15089 does not name Salzland_Q3.xlsx")
		}
	})

	t.Run("a payout dated before the day imported since makes a second statement fail and keeps the first", func(t *testing.T) {
		csv := filepath.Join(t.TempDir(), "auszahlungen.csv")
		os.WriteFile(csv, []byte("Kreisschlüssel;Datum;Betrag;Referenz\n15001;15.10.2026;1.000,00;KZ-2026-0815\n"), 0o644)
		if code, out, errOut := run(t, "payouts", "import", "--data", dir, csv); code != 0 || !strings.Contains(out, "1 imported") {
			t.Fatalf("payouts import: %d %s %s", code, out, errOut)
		}
		code, _, errOut := report()
		if code != exitError {
			t.Fatalf("report --as-of after the import: exit %d, want %d", code, exitError)
		}
		for _, want := range []string{statement, "KZ-2026-0815", "dated 2026-10-15", "remove the folder"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("the error does not say %q:\n%s", want, errOut)
			}
		}
		if d := first.differences(snap(t, statement)); len(d) > 0 {
			t.Errorf("the failed run changed the statement: %v", d)
		}
	})

	t.Run("removed, the statement is written anew with the payout", func(t *testing.T) {
		if err := os.RemoveAll(statement); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := report(); code != 0 {
			t.Fatalf("report --as-of after removing: %d %s", code, errOut)
		}
		raw, _ := os.ReadFile(filepath.Join(statement, "basis.json"))
		if !strings.Contains(string(raw), "KZ-2026-0815") {
			t.Error("the new statement's basis lacks the payout")
		}
	})
}

func TestManualRunsAreInTheHistory(t *testing.T) {
	dir := asOfData(t) // ingest, by hand
	for _, args := range [][]string{
		{"run", "--data", dir},
		{"validate", "--data", dir, "--as-of", statementDay},
		{"report", "--data", dir, "--year", "2026", "--quarter", "1"},
	} {
		if code, _, errOut := run(t, args...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, errOut)
		}
	}
	// A failing command is recorded as failed.
	run(t, "report", "--data", dir, "--year", "1999")
	code, out, errOut := run(t, "status", "--data", dir, "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	var st struct {
		LastRuns []struct{ Job, Trigger, Started, Outcome string } `json:"last_runs"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range st.LastRuns {
		if r.Trigger != "manual" {
			t.Errorf("%s: trigger %q, want manual", r.Job, r.Trigger)
		}
		if _, err := time.Parse(time.RFC3339, r.Started); err != nil || !(strings.HasSuffix(r.Started, "+01:00") || strings.HasSuffix(r.Started, "+02:00")) {
			t.Errorf("%s: started %q, want RFC 3339 in Berlin time", r.Job, r.Started)
		}
		got[r.Job] = r.Outcome
	}
	for job, want := range map[string]string{"ingest": "ok", "run": "ok", "validate": "ok", "report": "failed"} {
		if got[job] != want {
			t.Errorf("last_runs: %s %q, want %q (all: %+v)", job, got[job], want, st.LastRuns)
		}
	}
	t.Run("the status for people shows them instead of never run", func(t *testing.T) {
		_, text, _ := run(t, "status", "--data", dir, "--lang", "en")
		for _, job := range []string{"run", "validate", "report"} {
			line := ""
			for _, l := range strings.Split(text, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), job+" ") {
					line = l
				}
			}
			if !strings.Contains(line, "(manual)") {
				t.Errorf("status shows %s as %q", job, line)
			}
		}
	})
}
