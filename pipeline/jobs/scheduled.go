package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
)

// Scheduled returns the work of the scheduled job name (programme.JobNames)
// for the scheduler.
func (p *Pipeline) Scheduled(name string) func(context.Context) (schedule.Counts, error) {
	switch name {
	case "ingest":
		return p.JobIngest
	case "quarterly":
		return p.JobQuarterly
	case "reminders":
		return p.JobReminders
	case "annual":
		return p.JobAnnual
	}
	return func(context.Context) (schedule.Counts, error) {
		return schedule.Counts{}, fmt.Errorf("no job %s", name)
	}
}

// JobIngest takes what arrived, and checks and reports when anything
// changed (new files, a new day, other rules): run twice in a row, the
// second run changes nothing.
func (p *Pipeline) JobIngest(ctx context.Context) (schedule.Counts, error) {
	var c schedule.Counts
	st, err := p.Open(ctx)
	if err != nil {
		return c, err
	}
	defer st.Close()
	res, err := p.Ingest(ctx, st, nil)
	if err != nil {
		return c, err
	}
	c.Files = len(res.Files)
	fresh, err := p.validatedToday(ctx, st)
	if err != nil {
		return c, err
	}
	if c.Files == 0 && fresh {
		return c, nil
	}
	checked, err := p.Validate(ctx, st, Check{})
	if err != nil {
		return c, err
	}
	c.Findings = checked.Count()
	c.Reports, err = p.ReportAll(ctx, st)
	return c, err
}

// validatedToday tells whether the latest validation ran as of today with
// the current rules.
func (p *Pipeline) validatedToday(ctx context.Context, st *store.Store) (bool, error) {
	run, err := st.LatestRun(ctx)
	if errors.Is(err, store.ErrNoValidation) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return run.AsOf.Format(time.DateOnly) == p.Today().Format(time.DateOnly) && run.RuleSet == p.RuleSet(), nil
}

// lastDueQuarter is the latest quarter whose deadline has passed by day.
func (p *Pipeline) lastDueQuarter(day time.Time) (report.Period, time.Time, bool) {
	var best report.Period
	var deadline time.Time
	found := false
	for _, y := range p.cfg.Programme.Years {
		for i, d := range y.QuarterDeadlines {
			if dl := d.Time(); dl.Before(day) && (!found || dl.After(deadline)) {
				best, deadline, found = report.Period{Year: y.Year, Quarter: i + 1}, dl, true
			}
		}
	}
	return best, deadline, found
}

// JobQuarterly writes the reports of the latest quarter past its deadline,
// and the year to date.
func (p *Pipeline) JobQuarterly(ctx context.Context) (schedule.Counts, error) {
	period, _, ok := p.lastDueQuarter(p.Today())
	if !ok {
		p.cfg.Log.Info("no quarter past its deadline yet")
		return schedule.Counts{}, nil
	}
	return p.checkAndReport(ctx, period, report.Period{Year: period.Year})
}

// JobAnnual writes the annual reports of the latest budget year that is
// over.
func (p *Pipeline) JobAnnual(ctx context.Context) (schedule.Counts, error) {
	day := p.Today()
	var years []int
	for _, y := range p.cfg.Programme.Years {
		if time.Date(y.Year, 12, 31, 0, 0, 0, 0, time.UTC).Before(day) {
			years = append(years, y.Year)
		}
	}
	if len(years) == 0 {
		p.cfg.Log.Info("no budget year is over yet")
		return schedule.Counts{}, nil
	}
	sort.Ints(years)
	return p.checkAndReport(ctx, report.Period{Year: years[len(years)-1]})
}

// checkAndReport validates as of today and writes the periods' reports.
func (p *Pipeline) checkAndReport(ctx context.Context, periods ...report.Period) (schedule.Counts, error) {
	var c schedule.Counts
	st, err := p.Open(ctx)
	if err != nil {
		return c, err
	}
	defer st.Close()
	checked, err := p.Validate(ctx, st, Check{})
	if err != nil {
		return c, err
	}
	c.Findings = checked.Count()
	written, err := p.Reports(ctx, st, "", periods)
	c.Reports = changed(written)
	return c, err
}

// JobReminders lists the districts without an accepted submission for the
// latest quarter past its deadline: a PDF and a workbook, and a log line.
func (p *Pipeline) JobReminders(ctx context.Context) (schedule.Counts, error) {
	var c schedule.Counts
	period, deadline, ok := p.lastDueQuarter(p.Today())
	if !ok {
		return c, nil
	}
	y, _ := p.cfg.Programme.Year(period.Year)
	st, err := p.Open(ctx)
	if err != nil {
		return c, err
	}
	accepted, err := st.DistrictsAccepted(ctx, period.Year, period.Quarter)
	if err != nil {
		st.Close()
		return c, err
	}
	rejected, err := st.DistrictsRejected(ctx, period.Year, period.Quarter)
	st.Close()
	if err != nil {
		return c, err
	}
	var missing []report.Reminder
	var codes []string
	for _, d := range y.Districts {
		if accepted[d.AGS] {
			continue
		}
		status := "missing"
		if rejected[d.AGS] {
			status = "rejected"
		}
		missing = append(missing, report.Reminder{AGS: d.AGS, Name: d.Name, Deadline: deadline, Status: status})
		codes = append(codes, d.AGS)
	}
	p.cfg.Log.Info("reminders", "period", period.Slug(), "deadline", deadline.Format(time.DateOnly), "missing", len(missing), "districts", strings.Join(codes, ","))
	d := &report.Data{Period: period, Lang: p.cfg.Lang, AsOf: p.Today(), DataTime: deadline, Location: p.loc}
	written, err := report.WriteReminders(p.cfg.Dir.Reports(), d, missing, p.cfg.Catalog)
	c.Reports = changed(written)
	c.Findings = len(missing)
	return c, err
}

// History keeps the scheduler's run history in the database, opening it
// only for the moment of writing (schedule.Recorder).
type History struct{ p *Pipeline }

// History returns the recorder of the scheduled jobs' runs.
func (p *Pipeline) History() *History { return &History{p} }

// Start records that a job started.
func (h *History) Start(job, trigger string, at time.Time) (int64, error) {
	ctx := context.Background()
	st, err := h.p.Open(ctx)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.StartJobRun(ctx, job, trigger, at)
}

// Finish records how a job run ended.
func (h *History) Finish(id int64, at time.Time, outcome string, c schedule.Counts, errText string) error {
	ctx := context.Background()
	st, err := h.p.Open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.FinishJobRun(ctx, id, at, outcome, store.JobCounts{Files: c.Files, Findings: c.Findings, Reports: c.Reports}, errText)
}

// Work is what a scheduled job does.
type Work = func(context.Context) (schedule.Counts, error)

// Scheduler builds the scheduler of the configured jobs, in the
// programme's time zone, recording their runs with history. wrap, when not
// nil, wraps each job's work (grantpipe serve puts its one writer there).
func (p *Pipeline) Scheduler(log *slog.Logger, history schedule.Recorder, wrap func(Work) Work) (*schedule.Scheduler, error) {
	sc := p.cfg.Programme.Schedule
	var work []schedule.Job
	for _, name := range programme.JobNames {
		run := p.Scheduled(name)
		if wrap != nil {
			run = wrap(run)
		}
		work = append(work, schedule.Job{Name: name, Spec: sc.Jobs[name], Run: run})
	}
	return schedule.New(p.loc, work, history, log)
}
