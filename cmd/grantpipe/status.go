package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/lock"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

type statusRun struct {
	Job      string `json:"job"`
	Trigger  string `json:"trigger"`
	Started  string `json:"started"`
	Ended    string `json:"ended,omitempty"`
	Outcome  string `json:"outcome"`
	Files    int    `json:"files"`
	Findings int    `json:"findings"`
	Reports  int    `json:"reports"`
	Error    string `json:"error,omitempty"`
}

type statusNext struct {
	Job  string `json:"job"`
	Spec string `json:"spec"`
	Next string `json:"next"`
}

type statusCell struct {
	District string `json:"district"`
	Name     string `json:"name"`
	Quarter  int    `json:"quarter"`
	State    string `json:"state"` // accepted, late, rejected, missing, open
	Errors   int    `json:"open_errors"`
}

type statusOut struct {
	DataDir   string       `json:"data_dir"`
	Scheduler string       `json:"scheduler"` // who holds the data directory, if anyone
	LastRuns  []statusRun  `json:"last_runs"`
	Next      []statusNext `json:"next_runs"`
	Year      int          `json:"year"`
	Matrix    []statusCell `json:"matrix"`
	// Waiting counts the files in the inbox that the next run takes;
	// Left are the entries it leaves there, and why.
	Waiting int                  `json:"inbox_waiting"`
	Left    []ingest.SkippedFile `json:"inbox_left"`
}

func runStatus(ctx context.Context, a *app, args []string) error {
	fs := a.flags("status", true)
	year := fs.Int("year", 0, "the budget `year` of the matrix (default: the current one)")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	p, err := a.programme()
	if err != nil {
		return err
	}
	out := statusOut{DataDir: absPath(a.dir().Root), LastRuns: []statusRun{}, Matrix: []statusCell{}}
	holder := ""
	var l *lock.Lock
	if l, err = lock.Acquire(a.dataDir, "grantpipe status"); err != nil {
		var held *lock.HeldError
		if !errors.As(err, &held) {
			return err
		}
		holder = held.Error()
		out.Scheduler = fmt.Sprintf("pid %d: %s since %s", held.Info.PID, held.Info.Command, held.Info.Since.Format(time.RFC3339))
		if held.Info.Job != "" {
			out.Scheduler += fmt.Sprintf(", running %s since %s", held.Info.Job, held.Info.JobFrom.Format(time.RFC3339))
		}
	} else {
		defer l.Release()
	}
	if _, err := os.Stat(a.dir().Database()); err != nil {
		return fmt.Errorf("no database in %s yet: run grantpipe run (or schedule) first", a.dir().Root)
	}
	// Nobody writes: open normally, which also brings an older database's
	// schema up to date. Someone writes: read-only, between their jobs.
	open := store.Open
	if holder != "" {
		open = store.OpenReadOnly
	}
	st, err := open(ctx, a.dir().Database(), queries.FS)
	if err != nil {
		if holder != "" {
			return fmt.Errorf("the database is busy: %s; status can read it again as soon as the job has finished", holder)
		}
		return err
	}
	defer st.Close()
	sc := p.Schedule
	loc, err := sc.Location()
	if err != nil {
		return err
	}
	now := time.Now()
	for _, name := range programme.JobNames {
		next, _ := schedule.Next(sc.Jobs[name], loc, now, 1)
		n := statusNext{Job: name, Spec: sc.Jobs[name]}
		if len(next) == 1 {
			n.Next = next[0].Format(time.RFC3339)
		}
		out.Next = append(out.Next, n)
	}
	if err := lastRuns(ctx, st, &out, holder != ""); err != nil {
		return err
	}
	out.Year = *year
	if out.Year == 0 {
		out.Year = today().Year()
		if _, ok := p.Year(out.Year); !ok && len(p.Years) > 0 {
			out.Year = p.Years[len(p.Years)-1].Year
		}
	}
	if err := matrix(ctx, st, p, &out); err != nil {
		return err
	}
	inbox, err := a.dir().ScanInbox(now, sc.Settle)
	if err != nil {
		return err
	}
	out.Waiting, out.Left = len(inbox.Files), []ingest.SkippedFile{}
	for _, s := range inbox.Skipped {
		out.Left = append(out.Left, ingest.SkippedFile{Path: datadir.Printable(a.dir().Rel(s.Path)), Reason: s.Reason})
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	a.printStatus(a.stdout, &out, p, cat)
	return nil
}

func lastRuns(ctx context.Context, st *store.Store, out *statusOut, someoneRuns bool) error {
	q, err := st.Query("jobs/last_runs.sql")
	if err != nil {
		return err
	}
	rows, err := st.DB.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r statusRun
		var started time.Time
		var ended sql.NullTime
		if err := rows.Scan(&r.Job, &r.Trigger, &started, &ended, &r.Outcome, &r.Files, &r.Findings, &r.Reports, &r.Error); err != nil {
			return fmt.Errorf("status: %w", err)
		}
		r.Started = started.Format(time.RFC3339)
		if ended.Valid {
			r.Ended = ended.Time.Format(time.RFC3339)
		}
		if r.Outcome == "running" && !someoneRuns {
			// Nobody holds the directory: the process died during the run.
			r.Outcome = "interrupted"
		}
		out.LastRuns = append(out.LastRuns, r)
	}
	return rows.Err()
}

func matrix(ctx context.Context, st *store.Store, p *programme.Programme, out *statusOut) error {
	y, ok := p.Year(out.Year)
	if !ok {
		return nil
	}
	q, err := st.Query("jobs/matrix.sql")
	if err != nil {
		return err
	}
	rows, err := st.DB.QueryContext(ctx, q, out.Year)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	type key struct {
		ags string
		q   int
	}
	type fact struct {
		received sql.NullTime
		rejected int
		errors   int
	}
	facts := map[key]fact{}
	for rows.Next() {
		var k key
		var f fact
		if err := rows.Scan(&k.ags, &k.q, &f.received, &f.rejected, &f.errors); err != nil {
			return fmt.Errorf("status: %w", err)
		}
		facts[k] = f
	}
	if err := rows.Err(); err != nil {
		return err
	}
	day := today()
	for _, d := range y.Districts {
		for q := 1; q <= 4; q++ {
			f := facts[key{d.AGS, q}]
			deadline := y.QuarterDeadlines[q-1].Time()
			state := "open"
			switch {
			case f.received.Valid && f.received.Time.After(deadline):
				state = "late"
			case f.received.Valid:
				state = "accepted"
			case f.rejected > 0:
				state = "rejected"
			case deadline.Before(day):
				state = "missing"
			}
			out.Matrix = append(out.Matrix, statusCell{District: d.AGS, Name: d.Name, Quarter: q, State: state, Errors: f.errors})
		}
	}
	return nil
}

func (a *app) printStatus(w io.Writer, out *statusOut, p *programme.Programme, cat *messages.Catalog) {
	t := func(key string, args messages.Args) string { return cat.Text(a.lang, key, args) }
	fmt.Fprintln(w, t("cli.status_title", messages.Args{"dir": out.DataDir}))
	if out.Scheduler != "" {
		fmt.Fprintln(w, t("cli.status_holder", messages.Args{"holder": out.Scheduler}))
	} else {
		fmt.Fprintln(w, t("cli.status_free", nil))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.status_jobs", nil))
	last := map[string]statusRun{}
	for _, r := range out.LastRuns {
		last[r.Job] = r
	}
	for _, n := range out.Next {
		r, ok := last[n.Job]
		lastText := t("cli.status_never", nil)
		if ok {
			lastText = fmt.Sprintf("%s %s (%s) – %d/%d/%d", localTime(r.Started), r.Outcome, r.Trigger, r.Files, r.Findings, r.Reports)
			if r.Error != "" {
				lastText += " – " + clean(strings.SplitN(r.Error, "\n", 2)[0])
			}
		}
		fmt.Fprintf(w, "  %-10s %-17s %s\n", n.Job, localTime(n.Next), lastText)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.status_matrix", messages.Args{"year": fmt.Sprint(out.Year)}))
	fmt.Fprintf(w, "  %-30s", "")
	for q := 1; q <= 4; q++ {
		fmt.Fprintf(w, " %-18s", fmt.Sprintf("Q%d", q))
	}
	fmt.Fprintln(w)
	for i := 0; i < len(out.Matrix); i += 4 {
		c := out.Matrix[i]
		fmt.Fprintf(w, "  %-30s", c.District+" "+c.Name)
		for _, cell := range out.Matrix[i : i+4] {
			s := t("cli.state_"+cell.State, nil)
			if cell.Errors > 0 {
				s += fmt.Sprintf(" (%d F)", cell.Errors)
			}
			fmt.Fprintf(w, " %-18s", s)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.status_inbox", messages.Args{"n": fmt.Sprint(out.Waiting)}))
	if len(out.Left) > 0 {
		fmt.Fprintln(w, t("cli.skipped_title", messages.Args{"n": fmt.Sprint(len(out.Left))}))
		for _, s := range out.Left {
			fmt.Fprintf(w, "    %s: %s\n", clean(s.Path), t("cli.skip_"+s.Reason, nil))
		}
	}
}

// localTime shows an RFC 3339 time as a clock in Saxony-Anhalt shows it.
func localTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
