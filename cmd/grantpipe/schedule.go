package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
)

func runSchedule(ctx context.Context, a *app, args []string) error {
	fs := a.flags("schedule", true)
	runNow := fs.String("run-now", "", "run this `job` at once (ingest, quarterly, reminders, annual), through the same code path, and exit")
	grace := fs.Duration("grace", -1, "how long a running job may finish after SIGTERM before it is cancelled (default: the configuration's)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	command := "grantpipe schedule"
	if *runNow != "" {
		command += " --run-now " + *runNow
	}
	if err := a.lockData(command); err != nil {
		return err
	}
	a.setLogger(slog.LevelInfo)
	p, err := a.programme()
	if err != nil {
		return err
	}
	sc := p.Schedule
	a.settle = sc.Settle
	if *grace < 0 {
		*grace = sc.GracePeriod
	}
	loc, err := sc.Location()
	if err != nil {
		return err
	}
	var jobs []schedule.Job
	for _, name := range programme.JobNames {
		jobs = append(jobs, schedule.Job{Name: name, Spec: sc.Jobs[name], Run: a.job(name)})
	}
	s, err := schedule.New(loc, jobs, &historyRecorder{a: a}, a.log)
	if err != nil {
		return err
	}
	s.OnJob = func(name string) {
		if err := a.held.SetJob(name); err != nil {
			a.log.Warn("lock file", "err", err)
		}
	}
	if *runNow != "" {
		known := false
		for _, n := range programme.JobNames {
			known = known || n == *runNow
		}
		if !known {
			return usageError{fmt.Sprintf("--run-now %q: the jobs are %s", *runNow, strings.Join(programme.JobNames, ", "))}
		}
		done := make(chan string, 1)
		go func() { done <- s.Execute(*runNow, schedule.Manual) }()
		var outcome string
		select {
		case outcome = <-done:
		case <-ctx.Done():
			a.log.Info("signal received: stopping", "grace", grace.String())
			s.Shutdown(*grace)
			outcome = <-done
			a.log.Info("stopped", "outcome", outcome)
			return nil
		}
		if outcome != schedule.OK {
			return fmt.Errorf("job %s: %s (see the log and grantpipe status)", *runNow, outcome)
		}
		return nil
	}
	s.Start()
	now := time.Now()
	for _, name := range programme.JobNames {
		next, _ := schedule.Next(sc.Jobs[name], loc, now, 1)
		if len(next) == 1 {
			a.log.Info("scheduled", "job", name, "spec", sc.Jobs[name], "next", next[0].Format(time.RFC3339))
		}
	}
	<-ctx.Done()
	a.log.Info("signal received: stopping", "grace", grace.String())
	s.Shutdown(*grace)
	a.log.Info("stopped")
	return nil
}

// job returns the work of a scheduled job. Each opens the database only
// while it runs, so read-only commands can look in between.
func (a *app) job(name string) func(context.Context) (schedule.Counts, error) {
	switch name {
	case "ingest":
		return a.jobIngest
	case "quarterly":
		return a.jobQuarterly
	case "reminders":
		return a.jobReminders
	case "annual":
		return a.jobAnnual
	}
	return func(context.Context) (schedule.Counts, error) {
		return schedule.Counts{}, fmt.Errorf("no job %s", name)
	}
}

// jobIngest takes what arrived, and checks and reports when anything
// changed (new files, a new day, other rules): run twice in a row, the
// second run changes nothing.
func (a *app) jobIngest(ctx context.Context) (schedule.Counts, error) {
	var c schedule.Counts
	res, err := a.ingest(ctx, nil)
	if err != nil {
		return c, err
	}
	c.Files = len(res.Files)
	fresh, err := a.validatedToday(ctx)
	if err != nil {
		return c, err
	}
	if c.Files == 0 && fresh {
		return c, nil
	}
	checked, err := a.validate(ctx, validateFlags{})
	if err != nil {
		return c, err
	}
	c.Findings = len(checked.Findings)
	c.Reports, err = a.reportAll(ctx)
	return c, err
}

// validatedToday tells whether the latest validation ran as of today with
// the current rules.
func (a *app) validatedToday(ctx context.Context) (bool, error) {
	var asOf time.Time
	var ruleSet string
	err := a.withStore(ctx, func(st *store.Store) error {
		q, err := st.Query("jobs/latest_validation.sql")
		if err != nil {
			return err
		}
		return st.DB.QueryRowContext(ctx, q).Scan(&asOf, &ruleSet)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rs, err := a.loadRules("")
	if err != nil {
		return false, err
	}
	return asOf.Format("2006-01-02") == today().Format("2006-01-02") && ruleSet == rules.Version(rs), nil
}

// withStore opens the database for f and closes it again.
func (a *app) withStore(ctx context.Context, f func(*store.Store) error) error {
	p, err := a.programme()
	if err != nil {
		return err
	}
	st, err := a.open(ctx, p)
	if err != nil {
		return err
	}
	defer st.Close()
	return f(st)
}

// lastDueQuarter is the latest quarter whose deadline has passed.
func lastDueQuarter(p *programme.Programme, day time.Time) (report.Period, time.Time, bool) {
	var best report.Period
	var deadline time.Time
	found := false
	for _, y := range p.Years {
		for i, d := range y.QuarterDeadlines {
			if dl := d.Time(); dl.Before(day) && (!found || dl.After(deadline)) {
				best, deadline, found = report.Period{Year: y.Year, Quarter: i + 1}, dl, true
			}
		}
	}
	return best, deadline, found
}

// jobQuarterly writes the reports of the latest quarter past its deadline,
// and the year to date.
func (a *app) jobQuarterly(ctx context.Context) (schedule.Counts, error) {
	var c schedule.Counts
	p, err := a.programme()
	if err != nil {
		return c, err
	}
	period, _, ok := lastDueQuarter(p, today())
	if !ok {
		a.log.Info("no quarter past its deadline yet")
		return c, nil
	}
	return a.checkAndReport(ctx, p, period, report.Period{Year: period.Year})
}

// checkAndReport validates as of today and writes the periods' reports.
func (a *app) checkAndReport(ctx context.Context, p *programme.Programme, periods ...report.Period) (schedule.Counts, error) {
	var c schedule.Counts
	checked, err := a.validate(ctx, validateFlags{})
	if err != nil {
		return c, err
	}
	c.Findings = len(checked.Findings)
	err = a.withStore(ctx, func(st *store.Store) error {
		cat, err := a.catalog()
		if err != nil {
			return err
		}
		written, err := a.writeReports(ctx, st, p, cat, a.dir().Reports(), periods)
		c.Reports = changed(written)
		return err
	})
	return c, err
}

func changed(ws []report.Written) int {
	n := 0
	for _, w := range ws {
		if w.Changed {
			n++
		}
	}
	return n
}

// jobReminders lists the districts without an accepted submission for the
// latest quarter past its deadline: a PDF and a workbook, and a log line.
func (a *app) jobReminders(ctx context.Context) (schedule.Counts, error) {
	var c schedule.Counts
	p, err := a.programme()
	if err != nil {
		return c, err
	}
	period, deadline, ok := lastDueQuarter(p, today())
	if !ok {
		return c, nil
	}
	y, _ := p.Year(period.Year)
	var missing []report.Reminder
	err = a.withStore(ctx, func(st *store.Store) error {
		accepted, err := a.districtSet(ctx, st, "jobs/accepted_districts.sql", period)
		if err != nil {
			return err
		}
		rejected, err := a.districtSet(ctx, st, "jobs/rejected_districts.sql", period)
		if err != nil {
			return err
		}
		for _, d := range y.Districts {
			if accepted[d.AGS] {
				continue
			}
			status := "missing"
			if rejected[d.AGS] {
				status = "rejected"
			}
			missing = append(missing, report.Reminder{AGS: d.AGS, Name: d.Name, Deadline: deadline, Status: status})
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	var codes []string
	for _, m := range missing {
		codes = append(codes, m.AGS)
	}
	a.log.Info("reminders", "period", period.Slug(), "deadline", deadline.Format("2006-01-02"), "missing", len(missing), "districts", strings.Join(codes, ","))
	cat, err := a.catalog()
	if err != nil {
		return c, err
	}
	d := &report.Data{Period: period, Lang: a.lang, AsOf: today(), DataTime: deadline}
	written, err := report.WriteReminders(a.dir().Reports(), d, missing, cat)
	c.Reports = changed(written)
	c.Findings = len(missing)
	return c, err
}

func (a *app) districtSet(ctx context.Context, st *store.Store, query string, p report.Period) (map[string]bool, error) {
	q, err := st.Query(query)
	if err != nil {
		return nil, err
	}
	rows, err := st.DB.QueryContext(ctx, q, p.Year, p.Quarter)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var ags sql.NullString
		if err := rows.Scan(&ags); err != nil {
			return nil, err
		}
		out[ags.String] = true
	}
	return out, rows.Err()
}

// jobAnnual writes the annual reports of the latest budget year that is
// over.
func (a *app) jobAnnual(ctx context.Context) (schedule.Counts, error) {
	var c schedule.Counts
	p, err := a.programme()
	if err != nil {
		return c, err
	}
	day := today()
	var years []int
	for _, y := range p.Years {
		if time.Date(y.Year, 12, 31, 0, 0, 0, 0, time.UTC).Before(day) {
			years = append(years, y.Year)
		}
	}
	if len(years) == 0 {
		a.log.Info("no budget year is over yet")
		return c, nil
	}
	sort.Ints(years)
	return a.checkAndReport(ctx, p, report.Period{Year: years[len(years)-1]})
}

// historyRecorder keeps the run history in the database, opening it only
// for the moment of writing.
type historyRecorder struct{ a *app }

func (h *historyRecorder) Start(job, trigger string, at time.Time) (int64, error) {
	var id int64
	err := h.a.withStore(context.Background(), func(st *store.Store) error {
		q, err := st.Query("jobs/start.sql")
		if err != nil {
			return err
		}
		return st.DB.QueryRow(q, job, trigger, at.UTC()).Scan(&id)
	})
	return id, err
}

func (h *historyRecorder) Finish(id int64, at time.Time, outcome string, c schedule.Counts, errText string) error {
	return h.a.withStore(context.Background(), func(st *store.Store) error {
		q, err := st.Query("jobs/finish.sql")
		if err != nil {
			return err
		}
		var e any
		if errText != "" {
			e = errText
		}
		_, err = st.DB.Exec(q, id, at.UTC(), outcome, c.Files, c.Findings, c.Reports, e)
		return err
	})
}
